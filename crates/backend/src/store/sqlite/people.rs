//! People on SQLite: people and their accounts joined with the per-account rollups (small tables,
//! one row per account, device or address; `plays` is never read), a person's incidents through the
//! `(server_id, user_id, updated_at)` index, and merges and splits as single `BEGIN IMMEDIATE`
//! transactions (the triggers of migration `…000013` remove people left without accounts).

use super::time::{from_ms, to_ms};
use super::{BEGIN_WRITE, SqliteStore};
use crate::store::StoreError;
use crate::store::people::{
    AddressPlace, AddressRecord, DeviceRecord, PeopleStore, PersonAccount, PersonIncident, PersonPlace, PersonRecord,
    SplitOutcome,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;
use sightline_domain::rules::UserRef;
use sqlx::{QueryBuilder, Sqlite};

/// Accounts with their person and rollup, as a literal so queries stay `&'static str`; callers
/// append `WHERE …` and the order.
macro_rules! account_select {
    () => {
        "SELECT p.id AS person_id, p.name AS person_name, p.created_at AS person_created_at, \
     a.id, a.server_id, s.name AS server_name, a.external_id, a.name, a.is_admin, a.is_disabled, a.first_seen_at, \
     COALESCE(t.plays, 0) AS plays, COALESCE(t.played_ms, 0) AS played_ms, t.first_play_at, t.last_seen_at \
     FROM people p JOIN media_accounts a ON a.person_id = p.id JOIN media_servers s ON s.id = a.server_id \
     LEFT JOIN account_totals t ON t.account_id = a.id"
    };
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    person_id: i64,
    person_name: Option<String>,
    person_created_at: i64,
    id: i64,
    server_id: i64,
    server_name: String,
    external_id: String,
    name: String,
    is_admin: bool,
    is_disabled: bool,
    first_seen_at: i64,
    plays: i64,
    played_ms: i64,
    first_play_at: Option<i64>,
    last_seen_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct DeviceRow {
    account_id: i64,
    device_key: String,
    player_name: Option<String>,
    device: Option<String>,
    product: Option<String>,
    platform: Option<String>,
    plays: i64,
    played_ms: i64,
    first_play_at: i64,
    last_seen_at: i64,
}

#[derive(sqlx::FromRow)]
struct AddressRow {
    account_id: i64,
    ip: String,
    plays: i64,
    first_play_at: i64,
    last_seen_at: i64,
    located_at: Option<i64>,
    city: Option<String>,
    region: Option<String>,
    country_code: Option<String>,
    country_name: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    asn: Option<i64>,
    asn_org: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PlaceRow {
    lat: f64,
    lon: f64,
    city: Option<String>,
    region: Option<String>,
    country_code: Option<String>,
    country_name: Option<String>,
    plays: i64,
    n_addresses: i64,
    last_seen_at: i64,
}

#[derive(sqlx::FromRow)]
struct IncidentRow {
    id: i64,
    rule_name: String,
    rule_kind: String,
    severity: String,
    status: String,
    summary: String,
    occurrences: i64,
    opened_at: i64,
    updated_at: i64,
    server_id: i64,
    user_id: String,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn optional_time(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    ms.map(from_ms).transpose()
}

/// Folds account rows ordered by person into people.
fn fold_people(rows: Vec<AccountRow>) -> Result<Vec<PersonRecord>, StoreError> {
    let mut people: Vec<PersonRecord> = Vec::new();
    for r in rows {
        let account = PersonAccount {
            id: r.id,
            server_id: ServerId(r.server_id),
            server_name: r.server_name,
            user_id: r.external_id,
            name: r.name,
            is_admin: r.is_admin,
            is_disabled: r.is_disabled,
            first_seen_at: from_ms(r.first_seen_at)?,
            plays: count(r.plays),
            played_ms: count(r.played_ms),
            first_play_at: optional_time(r.first_play_at)?,
            last_seen_at: optional_time(r.last_seen_at)?,
        };
        match people.last_mut() {
            Some(p) if p.id == r.person_id => p.accounts.push(account),
            _ => people.push(PersonRecord {
                id: r.person_id,
                custom_name: r.person_name,
                created_at: from_ms(r.person_created_at)?,
                accounts: vec![account],
            }),
        }
    }
    Ok(people)
}

fn device(r: DeviceRow) -> Result<DeviceRecord, StoreError> {
    Ok(DeviceRecord {
        account_id: r.account_id,
        device_key: r.device_key,
        player_name: r.player_name,
        device: r.device,
        product: r.product,
        platform: r.platform,
        plays: count(r.plays),
        played_ms: count(r.played_ms),
        first_play_at: from_ms(r.first_play_at)?,
        last_seen_at: from_ms(r.last_seen_at)?,
    })
}

fn address(r: AddressRow) -> Result<AddressRecord, StoreError> {
    Ok(AddressRecord {
        account_id: r.account_id,
        ip: r.ip,
        plays: count(r.plays),
        first_play_at: from_ms(r.first_play_at)?,
        last_seen_at: from_ms(r.last_seen_at)?,
        located_at: optional_time(r.located_at)?,
        place: AddressPlace {
            city: r.city,
            region: r.region,
            country_code: r.country_code,
            country_name: r.country_name,
            latitude: r.latitude,
            longitude: r.longitude,
            asn: r.asn,
            asn_org: r.asn_org,
        },
    })
}

fn incident(r: IncidentRow) -> Result<PersonIncident, StoreError> {
    Ok(PersonIncident {
        id: r.id,
        rule_name: r.rule_name,
        rule_kind: r.rule_kind,
        severity: r.severity,
        status: r.status,
        summary: r.summary,
        occurrences: u32::try_from(r.occurrences).unwrap_or(u32::MAX),
        opened_at: from_ms(r.opened_at)?,
        updated_at: from_ms(r.updated_at)?,
        account: UserRef { server_id: ServerId(r.server_id), user_id: r.user_id },
    })
}

#[async_trait]
impl PeopleStore for SqliteStore {
    async fn people(&self) -> Result<Vec<PersonRecord>, StoreError> {
        let sql = concat!(account_select!(), " ORDER BY p.id, a.id");
        let rows: Vec<AccountRow> = sqlx::query_as(sql).fetch_all(&self.reader).await?;
        fold_people(rows)
    }

    async fn person(&self, id: i64) -> Result<Option<PersonRecord>, StoreError> {
        let sql = concat!(account_select!(), " WHERE p.id = ? ORDER BY a.id");
        let rows: Vec<AccountRow> = sqlx::query_as(sql).bind(id).fetch_all(&self.reader).await?;
        Ok(fold_people(rows)?.pop())
    }

    async fn person_of(&self, account: &UserRef) -> Result<Option<i64>, StoreError> {
        let row: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT person_id FROM media_accounts WHERE server_id = ? AND external_id = ?")
                .bind(account.server_id.0)
                .bind(&account.user_id)
                .fetch_optional(&self.reader)
                .await?;
        Ok(row.and_then(|(p,)| p))
    }

    async fn person_devices(&self, id: i64) -> Result<Vec<DeviceRecord>, StoreError> {
        let rows: Vec<DeviceRow> = sqlx::query_as(
            "SELECT d.account_id, d.device_key, d.player_name, d.device, d.product, d.platform, d.plays, d.played_ms, \
             d.first_play_at, d.last_seen_at FROM media_accounts a JOIN account_devices d ON d.account_id = a.id \
             WHERE a.person_id = ? ORDER BY d.last_seen_at DESC, d.account_id, d.device_key",
        )
        .bind(id)
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(device).collect()
    }

    async fn person_addresses(&self, id: i64, limit: u32) -> Result<(Vec<AddressRecord>, u64), StoreError> {
        let rows: Vec<AddressRow> = sqlx::query_as(
            "SELECT d.account_id, d.ip, d.plays, d.first_play_at, d.last_seen_at, d.located_at, d.city, d.region, \
             d.country_code, d.country_name, d.latitude, d.longitude, d.asn, d.asn_org \
             FROM media_accounts a JOIN account_addresses d ON d.account_id = a.id \
             WHERE a.person_id = ?1 AND d.ip IN ( \
                 SELECT t.ip FROM media_accounts b JOIN account_addresses t ON t.account_id = b.id \
                 WHERE b.person_id = ?1 GROUP BY t.ip ORDER BY MAX(t.last_seen_at) DESC, t.ip LIMIT ?2) \
             ORDER BY d.last_seen_at DESC, d.account_id, d.ip",
        )
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(DISTINCT d.ip) FROM media_accounts a JOIN account_addresses d ON d.account_id = a.id \
             WHERE a.person_id = ?",
        )
        .bind(id)
        .fetch_one(&self.reader)
        .await?;
        Ok((rows.into_iter().map(address).collect::<Result<_, _>>()?, count(n)))
    }

    async fn person_places(&self, id: i64, limit: u32) -> Result<Vec<PersonPlace>, StoreError> {
        let rows: Vec<PlaceRow> = sqlx::query_as(
            "SELECT ROUND(d.latitude, 2) AS lat, ROUND(d.longitude, 2) AS lon, d.city, MAX(d.region) AS region, \
             d.country_code, MAX(d.country_name) AS country_name, SUM(d.plays) AS plays, \
             COUNT(DISTINCT d.ip) AS n_addresses, MAX(d.last_seen_at) AS last_seen_at \
             FROM media_accounts a JOIN account_addresses d ON d.account_id = a.id \
             WHERE a.person_id = ? AND d.latitude IS NOT NULL AND d.longitude IS NOT NULL \
             GROUP BY ROUND(d.latitude, 2), ROUND(d.longitude, 2), d.city, d.country_code \
             ORDER BY plays DESC, last_seen_at DESC, lat, lon LIMIT ?",
        )
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(PersonPlace {
                    lat: r.lat,
                    lon: r.lon,
                    city: r.city,
                    region: r.region,
                    country_code: r.country_code,
                    country_name: r.country_name,
                    plays: count(r.plays),
                    n_addresses: count(r.n_addresses),
                    last_seen_at: from_ms(r.last_seen_at)?,
                })
            })
            .collect()
    }

    async fn person_incidents(&self, id: i64, limit: u32) -> Result<Vec<PersonIncident>, StoreError> {
        let rows: Vec<IncidentRow> = sqlx::query_as(
            "SELECT i.id, COALESCE(json_extract(r.rule_json, '$.name'), json_extract(i.violation_json, '$.rule_name'), \
             i.rule_id) AS rule_name, i.rule_kind, i.severity, i.status, i.summary, i.occurrences, i.opened_at, \
             i.updated_at, i.server_id, i.user_id \
             FROM media_accounts a JOIN incidents i ON i.server_id = a.server_id AND i.user_id = a.external_id \
             LEFT JOIN rules r ON r.id = i.rule_id \
             WHERE a.person_id = ? ORDER BY i.updated_at DESC, i.id DESC LIMIT ?",
        )
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(incident).collect()
    }

    async fn merge_people(&self, into: i64, from: &[i64], accounts: &[UserRef]) -> Result<Option<u64>, StoreError> {
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM people WHERE id = ?").bind(into).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            return Ok(None);
        }
        let mut qb = QueryBuilder::<Sqlite>::new("UPDATE media_accounts SET person_id = ");
        qb.push_bind(into).push(" WHERE person_id <> ").push_bind(into).push(" AND (0");
        if !from.is_empty() {
            qb.push(" OR person_id IN (");
            let mut list = qb.separated(", ");
            for id in from {
                list.push_bind(*id);
            }
            qb.push(")");
        }
        for a in accounts {
            qb.push(" OR (server_id = ").push_bind(a.server_id.0);
            qb.push(" AND external_id = ").push_bind(a.user_id.clone()).push(")");
        }
        qb.push(")");
        let moved = qb.build().execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(Some(moved))
    }

    async fn split_account(
        &self,
        person: i64,
        account: &UserRef,
        now: DateTime<Utc>,
    ) -> Result<SplitOutcome, StoreError> {
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM media_accounts WHERE server_id = ? AND external_id = ? AND person_id = ?")
                .bind(account.server_id.0)
                .bind(&account.user_id)
                .bind(person)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((account_id,)) = row else {
            return Ok(SplitOutcome::NotFound);
        };
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM media_accounts WHERE person_id = ?")
            .bind(person)
            .fetch_one(&mut *tx)
            .await?;
        if n < 2 {
            return Ok(SplitOutcome::OnlyAccount);
        }
        let (new_person,): (i64,) =
            sqlx::query_as("INSERT INTO people (name, created_at) VALUES (NULL, ?) RETURNING id")
                .bind(to_ms(now))
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query("UPDATE media_accounts SET person_id = ? WHERE id = ?")
            .bind(new_person)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(SplitOutcome::Split(new_person))
    }

    async fn rename_person(&self, id: i64, name: Option<&str>) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE people SET name = ? WHERE id = ?").bind(name).bind(id).execute(&self.writer).await?;
        Ok(done.rows_affected() > 0)
    }
}

#[cfg(test)]
#[path = "people_tests.rs"]
mod tests;
