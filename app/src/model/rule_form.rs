//! The rule editor's form, as pure data: which inputs each rule kind has (label, help, input type), the
//! rule's actions (notify, trust penalty, message, stop after a delay, cooldown, dry run), and the
//! two-way mapping between a `Rule` and the texts in the form. Parameters travel as the rule's own
//! JSON, so the form never falls out of step with the engine's types; every problem comes back as
//! (field, sentence), the same field names the API uses.

use serde_json::{Map, Value, json};
use sightline_domain::rules::{
    Exceptions, Rule, RuleActions, RuleId, RuleKind, RuleType, Scope, Severity, StopAction, default_rules,
};
use std::collections::BTreeMap;

/// How one parameter is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A number; `whole` ones refuse fractions.
    Number {
        whole: bool,
    },
    Toggle,
    /// One of fixed values: (value, label).
    Choice(&'static [(&'static str, &'static str)]),
    /// ISO country codes, separated by commas or spaces.
    Countries,
}

/// One parameter's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub input: Input,
}

const fn number(key: &'static str, label: &'static str, help: &'static str, whole: bool) -> FieldSpec {
    FieldSpec { key, label, help, input: Input::Number { whole } }
}

const fn toggle(key: &'static str, label: &'static str, help: &'static str) -> FieldSpec {
    FieldSpec { key, label, help, input: Input::Toggle }
}

const RESOLUTIONS: &[(&str, &str)] = &[("SD", "SD"), ("720p", "720p"), ("1080p", "1080p"), ("4K", "4K")];

/// Every kind, in the order the editor offers them.
pub const KINDS: [RuleType; 11] = [
    RuleType::SimultaneousLocations,
    RuleType::ImpossibleTravel,
    RuleType::DeviceVelocity,
    RuleType::ConcurrentStreams,
    RuleType::GeoRestriction,
    RuleType::NewDevice,
    RuleType::NewCountry,
    RuleType::AccountInactivity,
    RuleType::PausedTooLong,
    RuleType::TranscodeResolution,
    RuleType::ConcurrentTranscodes,
];

/// A kind's name for people.
#[must_use]
pub fn kind_label(kind: RuleType) -> &'static str {
    match kind {
        RuleType::ImpossibleTravel => "Impossible travel",
        RuleType::SimultaneousLocations => "Simultaneous locations",
        RuleType::DeviceVelocity => "Many addresses or devices",
        RuleType::ConcurrentStreams => "Concurrent streams",
        RuleType::GeoRestriction => "Geo restriction",
        RuleType::AccountInactivity => "Account inactivity",
        RuleType::NewDevice => "New device",
        RuleType::NewCountry => "New country",
        RuleType::PausedTooLong => "Paused too long",
        RuleType::TranscodeResolution => "Transcode limit",
        RuleType::ConcurrentTranscodes => "Concurrent transcodes",
    }
}

const TRAVEL: &[FieldSpec] = &[
    number("max_speed_kmh", "Fastest plausible speed (km/h)", "900 is an airliner's cruising speed.", false),
    number("min_distance_km", "Ignore hops shorter than (km)", "After both accuracy radii are subtracted.", false),
    toggle("skip_same_device", "One device changing place is not travel", "A phone on a VPN or on the move."),
];
const SIMULTANEOUS: &[FieldSpec] = &[number(
    "min_distance_km",
    "Places further apart than (km)",
    "Distance between streams playing at once, after both accuracy radii.",
    false,
)];
const VELOCITY: &[FieldSpec] = &[
    number("max_distinct", "Most distinct addresses or devices", "More than this in the window is flagged.", true),
    number("window_hours", "Window (hours)", "How far back to count.", true),
    FieldSpec {
        key: "count",
        label: "Count",
        help: "IPv6 addresses count once per /64.",
        input: Input::Choice(&[("ips", "Public addresses"), ("devices", "Devices")]),
    },
];
const CONCURRENT: &[FieldSpec] = &[
    number("max_streams", "Most streams at once", "Per account; an account's own limit overrides it.", true),
    toggle("group_by_network", "A household counts once", "Streams from one address (or /64) count as one."),
    toggle("count_paused", "Count paused streams", "Off: only playing streams count."),
];
const GEO: &[FieldSpec] = &[
    FieldSpec {
        key: "mode",
        label: "Mode",
        help: "Allow only the listed countries, or block them.",
        input: Input::Choice(&[("allow", "Allow only"), ("block", "Block")]),
    },
    FieldSpec {
        key: "countries",
        label: "Countries",
        help: "Two-letter ISO codes, e.g. GB, SE, US.",
        input: Input::Countries,
    },
];
const INACTIVITY: &[FieldSpec] = &[number("max_inactive_days", "Days without a stream", "Checked every hour.", true)];
const PAUSED: &[FieldSpec] =
    &[number("max_paused_minutes", "Longest pause (minutes)", "A stream paused longer is flagged.", true)];
const TRANSCODE: &[FieldSpec] = &[FieldSpec {
    key: "max_source_resolution",
    label: "Transcode sources up to",
    help: "A transcode of a larger source is flagged (e.g. no 4K transcodes).",
    input: Input::Choice(RESOLUTIONS),
}];
const TRANSCODES: &[FieldSpec] =
    &[number("max_transcodes", "Most transcodes at once", "Across the server's accounts.", true)];

/// The parameter inputs of a kind (new device and new country have none).
#[must_use]
pub fn fields(kind: RuleType) -> &'static [FieldSpec] {
    match kind {
        RuleType::ImpossibleTravel => TRAVEL,
        RuleType::SimultaneousLocations => SIMULTANEOUS,
        RuleType::DeviceVelocity => VELOCITY,
        RuleType::ConcurrentStreams => CONCURRENT,
        RuleType::GeoRestriction => GEO,
        RuleType::AccountInactivity => INACTIVITY,
        RuleType::PausedTooLong => PAUSED,
        RuleType::TranscodeResolution => TRANSCODE,
        RuleType::ConcurrentTranscodes => TRANSCODES,
        RuleType::NewDevice | RuleType::NewCountry => &[],
    }
}

/// The default parameters of a kind (each kind has a default rule).
#[must_use]
pub fn default_kind(kind: RuleType) -> Option<RuleKind> {
    default_rules().into_iter().map(|r| r.kind).find(|k| k.rule_type() == kind)
}

/// What the editor holds: every value as the text in its input.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleForm {
    /// Empty for a new rule.
    pub id: String,
    pub name: String,
    pub kind: RuleType,
    pub severity: Severity,
    pub enabled: bool,
    /// `None`: every server.
    pub server: Option<i64>,
    /// Kept as it was when the rule is scoped to one account (the editor does not change that).
    pub scope_user: Option<String>,
    pub params: BTreeMap<String, String>,
    /// Trusted networks, one CIDR per line (or separated by commas).
    pub networks: String,
    pub household: bool,
    /// Excepted accounts, kept as they were.
    pub excepted: Value,
    pub actions: ActionsForm,
}

/// The rule's actions as the editor holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionsForm {
    pub notify: bool,
    /// Points; empty: the trust policy's penalty for the severity.
    pub trust_penalty: String,
    /// Empty: no message.
    pub message_client: String,
    pub stop: bool,
    /// Seconds before the stop.
    pub stop_delay: String,
    /// Empty: no message with the stop.
    pub stop_message: String,
    /// Seconds.
    pub cooldown: String,
    pub dry_run: bool,
}

/// The delay and cooldown a stop starts with when it is switched on.
const STOP_DELAY: &str = "30";
const STOP_COOLDOWN: &str = "600";

impl Default for ActionsForm {
    fn default() -> Self {
        Self::of(&RuleActions::default())
    }
}

impl ActionsForm {
    /// The texts of stored actions.
    #[must_use]
    pub fn of(a: &RuleActions) -> Self {
        let stop = a.stop_stream.as_ref();
        Self {
            notify: a.notify,
            trust_penalty: a.trust_penalty.map(|p| p.to_string()).unwrap_or_default(),
            message_client: a.message_client.clone().unwrap_or_default(),
            stop: stop.is_some(),
            stop_delay: stop.map_or_else(|| STOP_DELAY.to_owned(), |s| s.delay_secs.to_string()),
            stop_message: stop.and_then(|s| s.message.clone()).unwrap_or_default(),
            cooldown: a.cooldown_secs.to_string(),
            dry_run: a.dry_run,
        }
    }

    /// Switches the stop on or off; switched on with no cooldown, it gets ten minutes, so one
    /// account is not stopped over and over.
    pub fn set_stop(&mut self, on: bool) {
        self.stop = on;
        if on && self.cooldown.trim().parse::<u32>().is_ok_and(|c| c == 0) {
            STOP_COOLDOWN.clone_into(&mut self.cooldown);
        }
        if on && self.stop_delay.trim().is_empty() {
            STOP_DELAY.clone_into(&mut self.stop_delay);
        }
    }

    /// The actions the texts describe; ranges and messages are checked with the rule.
    pub fn to_actions(&self) -> Result<RuleActions, FormError> {
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        let trust_penalty = match self.trust_penalty.trim() {
            "" => None,
            t => Some(u8::try_from(whole("actions.trust_penalty", t)?).map_err(|_| {
                problem(
                    "actions.trust_penalty",
                    format!("must be at most {}", sightline_domain::rules::trust::MAX_SCORE),
                )
            })?),
        };
        let stop_stream = if self.stop {
            Some(StopAction {
                delay_secs: whole("actions.stop_stream.delay_secs", self.stop_delay.trim())?,
                message: text(&self.stop_message),
            })
        } else {
            None
        };
        Ok(RuleActions {
            notify: self.notify,
            trust_penalty,
            message_client: text(&self.message_client),
            stop_stream,
            cooldown_secs: whole("actions.cooldown_secs", self.cooldown.trim())?,
            dry_run: self.dry_run,
        })
    }
}

/// A whole, non-negative number typed into `field`.
fn whole(field: &'static str, text: &str) -> Result<u32, FormError> {
    let spec = number(field, "", "", true);
    let value = value_of(&spec, text)?;
    value.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| problem(field, "is far too large"))
}

/// A problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub field: String,
    pub message: String,
}

fn problem(field: &str, message: impl Into<String>) -> FormError {
    FormError { field: field.to_owned(), message: message.into() }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

impl RuleForm {
    /// A new rule of `kind` with its default parameters.
    #[must_use]
    pub fn new(kind: RuleType) -> Self {
        let mut form = Self {
            id: String::new(),
            name: kind_label(kind).to_owned(),
            kind,
            severity: Severity::Medium,
            enabled: true,
            server: None,
            scope_user: None,
            params: BTreeMap::new(),
            networks: String::new(),
            household: true,
            excepted: Value::Array(Vec::new()),
            actions: ActionsForm::default(),
        };
        form.set_kind(kind);
        form
    }

    /// Switches the kind, with that kind's default parameters.
    pub fn set_kind(&mut self, kind: RuleType) {
        self.kind = kind;
        self.params = default_kind(kind).map(|k| params_of(&k)).unwrap_or_default();
    }

    /// The form of a stored rule.
    #[must_use]
    pub fn from_rule(rule: &Rule) -> Self {
        let (server, scope_user) = match &rule.scope {
            Scope::All => (None, None),
            Scope::Server { server_id } => (Some(server_id.0), None),
            Scope::User { server_id, user_id } => (Some(server_id.0), Some(user_id.clone())),
        };
        let networks = rule.exceptions.networks.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
        Self {
            id: rule.id.0.clone(),
            name: rule.name.clone(),
            kind: rule.kind.rule_type(),
            severity: rule.severity,
            enabled: rule.enabled,
            server,
            scope_user,
            params: params_of(&rule.kind),
            networks,
            household: rule.exceptions.household_networks,
            excepted: serde_json::to_value(&rule.exceptions.users).unwrap_or(Value::Array(Vec::new())),
            actions: ActionsForm::of(&rule.actions),
        }
    }

    /// The rule the form describes, or the first problem. A new rule's empty id is left for the server to
    /// choose; every other field is validated as the engine will.
    pub fn to_rule(&self) -> Result<Rule, FormError> {
        let mut kind = Map::new();
        kind.insert("type".to_owned(), Value::String(self.kind.as_str().to_owned()));
        for spec in fields(self.kind) {
            let text = self.params.get(spec.key).map_or("", |s| s.trim());
            kind.insert(spec.key.to_owned(), value_of(spec, text)?);
        }
        let kind: RuleKind = serde_json::from_value(Value::Object(kind))
            .map_err(|e| problem("kind", format!("these parameters do not fit this kind of rule ({e})")))?;
        let networks = self
            .networks
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(|n| {
                serde_json::from_value::<Exceptions>(json!({ "networks": [n] }))
                    .map_err(|_| problem("exceptions.networks", format!("{n} is not a network such as 192.0.2.0/24")))
                    .map(|e| e.networks)
            })
            .collect::<Result<Vec<_>, _>>()?
            .concat();
        let users = serde_json::from_value(self.excepted.clone()).unwrap_or_default();
        let scope = match (self.server, &self.scope_user) {
            (None, _) => Scope::All,
            (Some(id), None) => Scope::Server { server_id: sightline_domain::ServerId(id) },
            (Some(id), Some(user)) => Scope::User { server_id: sightline_domain::ServerId(id), user_id: user.clone() },
        };
        let rule = Rule {
            id: RuleId(self.id.trim().to_owned()),
            name: self.name.trim().to_owned(),
            kind,
            severity: self.severity,
            scope,
            enabled: self.enabled,
            exceptions: Exceptions { users, networks, household_networks: self.household },
            actions: self.actions.to_actions()?,
        };
        match rule.problems().into_iter().find(|p| !(p.field == "id" && self.id.trim().is_empty())) {
            Some(p) => Err(problem(p.field, p.problem.to_string())),
            None => Ok(rule),
        }
    }
}

/// A kind's parameters as input texts.
fn params_of(kind: &RuleKind) -> BTreeMap<String, String> {
    match serde_json::to_value(kind) {
        Ok(Value::Object(map)) => map.into_iter().filter(|(k, _)| k != "type").map(|(k, v)| (k, text_of(&v))).collect(),
        _ => BTreeMap::new(),
    }
}

/// One input's text as the JSON value of its parameter.
fn value_of(spec: &FieldSpec, text: &str) -> Result<Value, FormError> {
    match spec.input {
        Input::Number { whole } => {
            if text.is_empty() {
                return Err(problem(spec.key, "is required"));
            }
            let n: f64 = text.parse().map_err(|_| problem(spec.key, "must be a number"))?;
            if !n.is_finite() {
                return Err(problem(spec.key, "must be a finite number"));
            }
            if whole {
                if n.fract() != 0.0 {
                    return Err(problem(spec.key, "must be a whole number"));
                }
                if n < 0.0 {
                    return Err(problem(spec.key, "must not be negative"));
                }
                if n > f64::from(u32::MAX) {
                    return Err(problem(spec.key, "is far too large"));
                }
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                return Ok(json!(n as u32));
            }
            Ok(json!(n))
        }
        Input::Toggle => Ok(Value::Bool(text == "true")),
        Input::Choice(options) => options
            .iter()
            .find(|(value, _)| *value == text)
            .map(|(value, _)| Value::String((*value).to_owned()))
            .ok_or_else(|| problem(spec.key, "choose one of the options")),
        Input::Countries => Ok(Value::Array(
            text.split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(|c| Value::String(c.to_ascii_uppercase()))
                .collect(),
        )),
    }
}

#[cfg(test)]
#[path = "rule_form_tests.rs"]
mod tests;
