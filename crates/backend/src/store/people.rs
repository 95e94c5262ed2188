//! `PeopleStore`: people (the person behind one or more media-server accounts) with their accounts
//! and the per-account rollups (`account_totals`, `account_devices`, `account_addresses`, kept by
//! triggers on `plays`), a person's incidents, and moving accounts between people. Every account
//! belongs to exactly one person; a person without accounts does not exist. Reads never scan `plays`.

use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sightline_domain::ServerId;
use sightline_domain::rules::UserRef;

/// One account of a person, with its rollup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonAccount {
    /// `media_accounts.id`.
    pub id: i64,
    pub server_id: ServerId,
    pub server_name: String,
    /// The media server's user id.
    pub user_id: String,
    pub name: String,
    pub is_admin: bool,
    pub is_disabled: bool,
    /// When Sightline first learned of the account.
    pub first_seen_at: DateTime<Utc>,
    /// Play rows of the account (running ones included).
    pub plays: u64,
    pub played_ms: u64,
    /// The first play's start; `None` without plays.
    pub first_play_at: Option<DateTime<Utc>>,
    /// The last sighting of any play; `None` without plays.
    pub last_seen_at: Option<DateTime<Utc>>,
}

impl PersonAccount {
    /// The account as rules, incidents and trust name it.
    #[must_use]
    pub fn user_ref(&self) -> UserRef {
        UserRef { server_id: self.server_id, user_id: self.user_id.clone() }
    }
}

/// A person and every account of theirs (never empty; oldest account first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRecord {
    pub id: i64,
    /// The owner's name for the person, when they gave one.
    pub custom_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub accounts: Vec<PersonAccount>,
}

impl PersonRecord {
    /// The owner's name for the person, else the first account's name.
    #[must_use]
    pub fn name(&self) -> &str {
        match (&self.custom_name, self.accounts.first()) {
            (Some(n), _) => n,
            (None, Some(a)) => &a.name,
            (None, None) => "",
        }
    }

    #[must_use]
    pub fn plays(&self) -> u64 {
        self.accounts.iter().map(|a| a.plays).sum()
    }

    #[must_use]
    pub fn played_ms(&self) -> u64 {
        self.accounts.iter().map(|a| a.played_ms).sum()
    }

    /// The latest sighting over the accounts.
    #[must_use]
    pub fn last_seen_at(&self) -> Option<DateTime<Utc>> {
        self.accounts.iter().filter_map(|a| a.last_seen_at).max()
    }
}

/// A player one account used: its rollup row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub account_id: i64,
    /// The server's device id, or `~` and the player's name when it gave none.
    pub device_key: String,
    /// Names as the newest play reported them.
    pub player_name: Option<String>,
    pub device: Option<String>,
    pub product: Option<String>,
    pub platform: Option<String>,
    pub plays: u64,
    pub played_ms: u64,
    pub first_play_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// Where GeoIP placed an address.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AddressPlace {
    pub city: Option<String>,
    pub region: Option<String>,
    pub country_code: Option<String>,
    pub country_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub asn: Option<i64>,
    pub asn_org: Option<String>,
}

/// A client address one account streamed from: its rollup row.
#[derive(Debug, Clone, PartialEq)]
pub struct AddressRecord {
    pub account_id: i64,
    pub ip: String,
    pub plays: u64,
    pub first_play_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The last sighting of the newest play that was looked up; `None` if none was.
    pub located_at: Option<DateTime<Utc>>,
    pub place: AddressPlace,
}

/// Where a person streamed from: their located addresses grouped by rounded point (0.01°, about
/// 1 km), city and country.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonPlace {
    pub lat: f64,
    pub lon: f64,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country_code: Option<String>,
    pub country_name: Option<String>,
    pub plays: u64,
    /// Distinct addresses.
    pub n_addresses: u64,
    pub last_seen_at: DateTime<Utc>,
}

/// An incident of one of a person's accounts, as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonIncident {
    pub id: i64,
    pub rule_name: String,
    /// The rule's kind in snake_case.
    pub rule_kind: String,
    pub severity: String,
    pub status: String,
    pub summary: String,
    pub occurrences: u32,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub account: UserRef,
}

/// What a split did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitOutcome {
    /// The account now belongs to this new person.
    Split(i64),
    /// The person has no such account (or no such person exists).
    NotFound,
    /// It is the person's only account: there is nothing to split from.
    OnlyAccount,
}

/// People, their accounts and rollups.
#[async_trait]
pub trait PeopleStore: Send + Sync {
    /// Every person with their accounts and rollups, by id (one row per account; `plays` is not read).
    async fn people(&self) -> Result<Vec<PersonRecord>, StoreError>;
    async fn person(&self, id: i64) -> Result<Option<PersonRecord>, StoreError>;
    /// The person an account belongs to.
    async fn person_of(&self, account: &UserRef) -> Result<Option<i64>, StoreError>;
    /// The players of the person's accounts (one row per account and device).
    async fn person_devices(&self, id: i64) -> Result<Vec<DeviceRecord>, StoreError>;
    /// The person's `limit` most recently seen client addresses (every account's row of each, newest
    /// first), and how many distinct addresses they used in all.
    async fn person_addresses(&self, id: i64, limit: u32) -> Result<(Vec<AddressRecord>, u64), StoreError>;
    /// The person's located addresses grouped by place, most plays first; at most `limit`.
    async fn person_places(&self, id: i64, limit: u32) -> Result<Vec<PersonPlace>, StoreError>;
    /// The newest `limit` incidents of the person's accounts, most recently updated first.
    async fn person_incidents(&self, id: i64, limit: u32) -> Result<Vec<PersonIncident>, StoreError>;
    /// Moves every account of the people `from` and the accounts `accounts` to the person `into`, in
    /// one transaction; people left without accounts are removed. `None` when `into` does not
    /// exist; else how many accounts moved.
    async fn merge_people(&self, into: i64, from: &[i64], accounts: &[UserRef]) -> Result<Option<u64>, StoreError>;
    /// Gives `account`, one of the person's, a new person of its own.
    async fn split_account(
        &self,
        person: i64,
        account: &UserRef,
        now: DateTime<Utc>,
    ) -> Result<SplitOutcome, StoreError>;
    /// Names the person (`None`: after their first account again); `false` when there is no such person.
    async fn rename_person(&self, id: i64, name: Option<&str>) -> Result<bool, StoreError>;
}
