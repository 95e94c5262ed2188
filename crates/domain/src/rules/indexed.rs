//! `evaluate_indexed`: the engine over an [`AccountIndex`] instead of an [`super::EvalContext`], with the
//! same result. Impossible travel walks the index's located sessions latest first; device velocity, new
//! device and new country answer from per-key tallies when the session does not fire; the rules that look
//! only at the judged and the active sessions get a view without the history. Whatever the digest cannot
//! answer (a rule that trusts networks, a velocity or novelty that fires) is judged by the usual scan.

use chrono::{DateTime, TimeDelta, Utc};

use super::context::RuleSession;
use super::evidence::{Finding, Violation};
use super::index::{AccountIndex, Tally};
use super::model::Rule;
use super::params::{RuleKind, TravelParams, VelocityParams};
use super::velocity::{Counted, counted_key};
use super::view::{View, located, public_country};
use super::{check, fold, travel};

/// Judges `session` against every rule, in the order of `rules`, with the account's sessions from `index`:
/// exactly what [`super::evaluate`] returns for [`AccountIndex::context`]`(session)`. Scheduled rules are
/// skipped, as there.
#[must_use]
pub fn evaluate_indexed(
    rules: &[Rule],
    session: &RuleSession,
    index: &AccountIndex,
    now: DateTime<Utc>,
) -> Vec<Violation> {
    let s = session;
    let parts = index.parts();
    let q = Query { index, cur: s, skip: index.find(s) };
    // The full view (built only when a rule needs the history scanned) and the view without history.
    let mut full: Option<View<'_>> = None;
    let mut light: Option<View<'_>> = None;
    let mut out = Vec::new();
    for rule in rules {
        if matches!(rule.kind, RuleKind::AccountInactivity(_))
            || !rule.applies_to(s.server_id, &s.user_id)
            || !rule.problems().is_empty()
        {
            continue;
        }
        let finding = if View::filters(rule, parts.settings) {
            View::new(rule, parts, s).and_then(|view| check(rule, &view, now))
        } else {
            let fast = match &rule.kind {
                RuleKind::ImpossibleTravel(p) => Fast::Found(q.travel(p)),
                RuleKind::DeviceVelocity(p) => q.velocity(p, now),
                RuleKind::NewDevice(_) => q.new_device(),
                RuleKind::NewCountry(_) => q.new_country(),
                // These look at the judged and the active sessions only.
                RuleKind::SimultaneousLocations(_)
                | RuleKind::ConcurrentStreams(_)
                | RuleKind::GeoRestriction(_)
                | RuleKind::PausedTooLong(_)
                | RuleKind::TranscodeResolution(_)
                | RuleKind::ConcurrentTranscodes(_) => {
                    Fast::Found(check(rule, light.get_or_insert_with(|| q.light()), now))
                }
                RuleKind::AccountInactivity(_) => Fast::Found(None),
            };
            match fast {
                Fast::Found(finding) => finding,
                Fast::Scan => check(rule, full.get_or_insert_with(|| View::unfiltered(parts, s)), now),
            }
        };
        out.extend(finding.map(|f| f.into_violation(rule, s.server_id, &s.user_id, Some(&s.session_key))));
    }
    fold::fold_novelty(&mut out);
    out
}

/// What the digest says about one rule: its finding, or that the sessions must be scanned.
enum Fast {
    Found(Option<Finding>),
    Scan,
}

/// One evaluation over an index: the judged session and its own entry in the index (left out, as the view
/// leaves it out).
struct Query<'a> {
    index: &'a AccountIndex,
    cur: &'a RuleSession,
    skip: Option<u32>,
}

impl<'a> Query<'a> {
    /// The view of the judged and the active sessions, without the history.
    fn light(&self) -> View<'a> {
        let active = self
            .index
            .digest
            .active
            .iter()
            .filter(|&&e| Some(e) != self.skip)
            .map(|&e| self.index.session(e))
            .collect();
        View { ctx: self.index.parts(), current: self.cur, active, history: Vec::new() }
    }

    /// Impossible travel: the latest located session no longer streaming, started no later than this one,
    /// of another device when the rule skips the same device.
    fn travel(&self, p: &TravelParams) -> Option<Finding> {
        let cur = self.cur;
        located(cur)?;
        let d = &self.index.digest;
        let device = cur
            .device_key()
            .filter(|_| p.skip_same_device)
            .and_then(|k| d.devices.iter().position(|t| &*t.name == k))
            .and_then(|i| u32::try_from(i).ok());
        let prev = d.travel.iter().find(|c| {
            Some(c.entry) != self.skip && c.started_at <= cur.started_at && device.is_none_or(|id| c.device != id)
        })?;
        travel::judge(p, cur, self.index.session(prev.entry))
    }

    /// Device velocity: counts the keys seen within the window; a count over the limit is scanned for its
    /// evidence.
    fn velocity(&self, p: &VelocityParams, now: DateTime<Utc>) -> Fast {
        let Some(mine) = counted_key(p.count, self.cur) else { return Fast::Found(None) };
        let since = now - TimeDelta::hours(i64::from(p.window_hours));
        let d = &self.index.digest;
        let seen = |t: &Tally| t.last.without(self.skip).is_some_and(|at| at >= since);
        let (n, mine_seen) = match mine {
            Counted::Ip(code) => count(&d.addresses, seen, |t| t.code == code),
            Counted::Device(k) => count(&d.devices, seen, |t| &*t.name == k),
        };
        let n = n + usize::from(!mine_seen);
        if n as u64 <= u64::from(p.max_distinct) { Fast::Found(None) } else { Fast::Scan }
    }

    /// New device: a device known or used by a session started before is not new.
    fn new_device(&self) -> Fast {
        let Some(device) = self.cur.device_key() else { return Fast::Found(None) };
        self.known(self.index.digest.devices.iter().find(|t| &*t.name == device))
    }

    /// New country: a country known or streamed from by a session started before is not new.
    fn new_country(&self) -> Fast {
        let Some(country) = public_country(self.cur) else { return Fast::Found(None) };
        self.known(self.index.digest.countries.iter().find(|t| t.name.eq_ignore_ascii_case(country)))
    }

    fn known(&self, tally: Option<&Tally>) -> Fast {
        match tally {
            Some(t) if t.known || t.first.without(self.skip).is_some_and(|at| at <= self.cur.started_at) => {
                Fast::Found(None)
            }
            _ => Fast::Scan,
        }
    }
}

/// How many tallies are `seen`, and whether the one that `is_mine` is among them.
fn count(tallies: &[Tally], seen: impl Fn(&Tally) -> bool, is_mine: impl Fn(&Tally) -> bool) -> (usize, bool) {
    tallies.iter().filter(|t| seen(t)).fold((0, false), |(n, mine), t| (n + 1, mine || is_mine(t)))
}
