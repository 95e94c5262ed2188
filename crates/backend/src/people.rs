//! Users as people: the list (search, order, pages) and a person's page (accounts per server with
//! trust and settings, devices, addresses with ASN and place, places for the map, recent history,
//! incidents), and merging the accounts of one person across servers, splitting them again and
//! naming people (audited). Shared by `/api/v1/users` and the Users pages. Reads come from the
//! per-account rollups and indexes, never from a scan of `plays`; the list reads one row per
//! account and is ordered here because trust is computed, not stored.

pub mod fold;
pub mod query;

use crate::AppContext;
use crate::account_settings;
use crate::store::StoreError;
use crate::store::history::{HistoryChain, HistoryFilter, HistorySort};
use crate::store::people::{PersonIncident, PersonPlace, PersonRecord, SplitOutcome};
use crate::trust::{self, TrustView};
use chrono::{DateTime, Utc};
use fold::{AddressSummary, DeviceSummary, RecentPlay};
use query::ListQuery;
use serde::Serialize;
use sightline_domain::ServerId;
use sightline_domain::rules::trust::{MAX_SCORE, TrustBand, band};
use sightline_domain::rules::{UserRef, UserSettings};
use thiserror::Error;

pub use query::{ListParams, PeopleSort};

/// The longest name the owner can give a person.
pub const MAX_NAME_CHARS: usize = 100;
/// At most this many people and accounts are merged at once.
pub const MAX_MERGE: usize = 100;
/// How many addresses, chains and incidents a person's page lists.
pub const PAGE_ADDRESSES: u32 = 100;
pub const PAGE_PLACES: u32 = 200;
pub const PAGE_RECENT: u32 = 10;
pub const PAGE_INCIDENTS: u32 = 20;

#[derive(Debug, Error)]
pub enum PeopleError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("no such user")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &'static str, message: impl Into<String>) -> PeopleError {
    PeopleError::Invalid { field, message: message.into() }
}

/// One account in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountBrief {
    pub server_id: ServerId,
    pub server_name: String,
    pub user_id: String,
    pub name: String,
    pub trust: u8,
}

/// One person in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonSummary {
    pub id: i64,
    pub name: String,
    pub accounts: Vec<AccountBrief>,
    /// The servers of the accounts, sorted, once each.
    pub servers: Vec<String>,
    pub plays: u64,
    pub played_ms: u64,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// The lowest score of the accounts: the person is as trusted as their least trusted account.
    pub trust: u8,
    pub band: TrustBand,
}

/// A page of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeopleList {
    pub items: Vec<PersonSummary>,
    /// People matching the search, and people in all.
    pub matching: u64,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    pub per_page: u32,
    pub sort: PeopleSort,
}

/// One account on a person's page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountDetail {
    pub server_id: ServerId,
    pub server_name: String,
    pub user_id: String,
    pub name: String,
    pub is_admin: bool,
    pub is_disabled: bool,
    pub first_seen_at: DateTime<Utc>,
    pub plays: u64,
    pub played_ms: u64,
    pub first_play_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub trust: TrustView,
    pub settings: UserSettings,
}

/// Everything a person's page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonPage {
    pub id: i64,
    pub name: String,
    /// The owner's name for the person, when given (else `name` is the first account's).
    pub custom_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub plays: u64,
    pub played_ms: u64,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub trust: u8,
    pub band: TrustBand,
    pub accounts: Vec<AccountDetail>,
    pub devices: Vec<DeviceSummary>,
    /// The newest [`PAGE_ADDRESSES`] addresses; `n_addresses` counts them all.
    pub addresses: Vec<AddressSummary>,
    pub n_addresses: u64,
    /// Most plays first; at most [`PAGE_PLACES`].
    pub places: Vec<PersonPlace>,
    pub recent: Vec<RecentPlay>,
    pub incidents: Vec<PersonIncident>,
}

/// What a merge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MergeResult {
    /// The person the accounts now belong to.
    pub id: i64,
    pub moved: u64,
}

fn summary(p: &PersonRecord, score: impl Fn(&UserRef) -> u8) -> PersonSummary {
    let accounts: Vec<AccountBrief> = p
        .accounts
        .iter()
        .map(|a| AccountBrief {
            server_id: a.server_id,
            server_name: a.server_name.clone(),
            user_id: a.user_id.clone(),
            name: a.name.clone(),
            trust: score(&a.user_ref()),
        })
        .collect();
    let mut servers: Vec<String> = accounts.iter().map(|a| a.server_name.clone()).collect();
    servers.sort_by_key(|s| s.to_lowercase());
    servers.dedup();
    let trust = accounts.iter().map(|a| a.trust).min().unwrap_or(MAX_SCORE);
    PersonSummary {
        id: p.id,
        name: p.name().to_owned(),
        accounts,
        servers,
        plays: p.plays(),
        played_ms: p.played_ms(),
        last_seen_at: p.last_seen_at(),
        trust,
        band: band(trust),
    }
}

/// One page of people for `q` at `now`.
pub async fn list(ctx: &AppContext, q: &ListQuery, now: DateTime<Utc>) -> Result<PeopleList, StoreError> {
    let people = ctx.store.people().await?;
    let start = trust::policy(ctx).await?.start;
    let scores = trust::scores(ctx, now).await?;
    let score = |u: &UserRef| scores.get(&(u.server_id, u.user_id.clone())).copied().unwrap_or(start);
    let total = u64::try_from(people.len()).unwrap_or(u64::MAX);
    let mut matching: Vec<PersonSummary> = people
        .iter()
        .map(|p| summary(p, score))
        .filter(|p| q.search.as_deref().is_none_or(|s| query::matches(p, s)))
        .collect();
    query::sort(&mut matching, q.sort);
    let n_matching = u64::try_from(matching.len()).unwrap_or(u64::MAX);
    let (items, pages) = query::page_of(matching, q.page, q.per_page);
    Ok(PeopleList { items, matching: n_matching, total, page: q.page, pages, per_page: q.per_page, sort: q.sort })
}

/// The person's newest [`PAGE_RECENT`] chains. Each account's page is one walk of History's
/// account index (a chain never spans accounts); asking for several accounts at once would sort all
/// of the person's plays instead.
async fn recent_chains(ctx: &AppContext, person: &PersonRecord) -> Result<Vec<HistoryChain>, StoreError> {
    let pages = futures::future::try_join_all(person.accounts.iter().map(|a| async move {
        let filter = HistoryFilter { accounts: vec![a.user_ref()], ..HistoryFilter::default() };
        ctx.store.history_page(&filter, HistorySort::Newest, None, PAGE_RECENT).await
    }))
    .await?;
    let mut chains: Vec<HistoryChain> = pages.into_iter().flat_map(|p| p.items).collect();
    chains.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(b.head.cmp(&a.head)));
    chains.truncate(usize::try_from(PAGE_RECENT).unwrap_or(usize::MAX));
    Ok(chains)
}

/// A person's page at `now`; `None` when there is no such person.
pub async fn page(ctx: &AppContext, id: i64, now: DateTime<Utc>) -> Result<Option<PersonPage>, StoreError> {
    let Some(person) = ctx.store.person(id).await? else { return Ok(None) };
    let (devices, (addresses, n_addresses), places, recent, incidents) = tokio::try_join!(
        ctx.store.person_devices(id),
        ctx.store.person_addresses(id, PAGE_ADDRESSES),
        ctx.store.person_places(id, PAGE_PLACES),
        recent_chains(ctx, &person),
        ctx.store.person_incidents(id, PAGE_INCIDENTS),
    )?;
    let mut accounts = Vec::with_capacity(person.accounts.len());
    for a in &person.accounts {
        accounts.push(AccountDetail {
            server_id: a.server_id,
            server_name: a.server_name.clone(),
            user_id: a.user_id.clone(),
            name: a.name.clone(),
            is_admin: a.is_admin,
            is_disabled: a.is_disabled,
            first_seen_at: a.first_seen_at,
            plays: a.plays,
            played_ms: a.played_ms,
            first_play_at: a.first_play_at,
            last_seen_at: a.last_seen_at,
            trust: trust::score(ctx, a.server_id, &a.user_id, now).await?,
            settings: account_settings::get(ctx, a.server_id, &a.user_id).await?,
        });
    }
    let trust = accounts.iter().map(|a| a.trust.score).min().unwrap_or(MAX_SCORE);
    Ok(Some(PersonPage {
        id: person.id,
        name: person.name().to_owned(),
        custom_name: person.custom_name.clone(),
        created_at: person.created_at,
        plays: person.plays(),
        played_ms: person.played_ms(),
        last_seen_at: person.last_seen_at(),
        trust,
        band: band(trust),
        devices: fold::devices(&devices, &person.accounts),
        addresses: fold::addresses(&addresses, &person.accounts),
        n_addresses,
        places,
        recent: recent.iter().map(fold::recent).collect(),
        incidents,
        accounts,
    }))
}

/// The person's name for the audit log: "#12 (alice)".
fn label(person: &PersonRecord) -> String {
    format!("#{} ({})", person.id, person.name())
}

/// Moves the accounts of the people `from` and the accounts `accounts` to the person `into`
/// (audited). The people left without accounts are gone afterwards.
pub async fn merge(
    ctx: &AppContext,
    actor: &str,
    into: i64,
    from: &[i64],
    accounts: &[UserRef],
    now: DateTime<Utc>,
) -> Result<MergeResult, PeopleError> {
    if from.is_empty() && accounts.is_empty() {
        return Err(invalid("people", "choose at least one user to merge"));
    }
    if from.len() + accounts.len() > MAX_MERGE {
        return Err(invalid("people", format!("at most {MAX_MERGE} at once")));
    }
    if from.contains(&into) {
        return Err(invalid("people", "cannot merge a user into themselves"));
    }
    let target = ctx.store.person(into).await?.ok_or(PeopleError::NotFound)?;
    let mut merged = Vec::with_capacity(from.len());
    for id in from {
        let p = ctx.store.person(*id).await?.ok_or_else(|| invalid("people", format!("there is no user #{id}")))?;
        merged.push(label(&p));
    }
    for a in accounts {
        if ctx.store.person_of(a).await?.is_none() {
            return Err(invalid("accounts", format!("there is no account {}/{}", a.server_id, a.user_id)));
        }
    }
    let moved = ctx.store.merge_people(into, from, accounts).await?.ok_or(PeopleError::NotFound)?;
    let named: Vec<String> = accounts.iter().map(|a| format!("{}/{}", a.server_id, a.user_id)).collect();
    let detail = format!(
        "into {}: users [{}], accounts [{}]; {moved} accounts moved",
        label(&target),
        merged.join(", "),
        named.join(", ")
    );
    ctx.auth.audit(actor, "people_merged", &detail, None, now).await;
    Ok(MergeResult { id: into, moved })
}

/// Gives one of the person's accounts a person of its own again (audited); returns the new person.
pub async fn split(
    ctx: &AppContext,
    actor: &str,
    person: i64,
    account: &UserRef,
    now: DateTime<Utc>,
) -> Result<i64, PeopleError> {
    let target = ctx.store.person(person).await?.ok_or(PeopleError::NotFound)?;
    match ctx.store.split_account(person, account, now).await? {
        SplitOutcome::Split(new_person) => {
            let detail =
                format!("{}/{} out of {} into #{new_person}", account.server_id, account.user_id, label(&target));
            ctx.auth.audit(actor, "person_split", &detail, None, now).await;
            Ok(new_person)
        }
        SplitOutcome::NotFound => Err(invalid("account", "is not one of this user's accounts")),
        SplitOutcome::OnlyAccount => Err(invalid("account", "is this user's only account; there is nothing to split")),
    }
}

/// Names a person (audited); an empty name goes back to the first account's name.
pub async fn rename(ctx: &AppContext, actor: &str, id: i64, name: &str, now: DateTime<Utc>) -> Result<(), PeopleError> {
    let name = name.trim();
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(invalid("name", format!("must be at most {MAX_NAME_CHARS} characters on one line")));
    }
    let stored = (!name.is_empty()).then_some(name);
    if !ctx.store.rename_person(id, stored).await? {
        return Err(PeopleError::NotFound);
    }
    let detail =
        format!("#{id} named {}", stored.map_or_else(|| "after its first account".to_owned(), |n| format!("{n:?}")));
    ctx.auth.audit(actor, "person_renamed", &detail, None, now).await;
    Ok(())
}

#[cfg(test)]
mod tests;
