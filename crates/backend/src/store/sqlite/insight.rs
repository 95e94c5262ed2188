//! The Map and Alerts queries on SQLite: places grouped in SQL (coordinates rounded to two
//! decimals), incidents filtered with bound parameters and paged by (updated_at, id).

use super::SqliteStore;
use super::time::{from_ms, to_ms};
use crate::store::insight::{
    AccountChoice, Facet, IncidentCursor, IncidentFacets, IncidentFilter, IncidentListing, IncidentPage,
    IncidentStatus, InsightStore, MAX_PLACE_NAMES, PlaceFilter, PlaceRecord, PlaceTotals,
};
use crate::store::{IncidentRecord, StoreError};
use async_trait::async_trait;
use sightline_domain::ServerId;
use sightline_domain::rules::UserRef;

/// The filter shared by the place queries (binds `?1` to `?4`), as a literal so queries stay `&'static str`.
/// `?1` is always bound (the earliest time when there is no period), so the located-plays index applies.
macro_rules! place_where {
    () => {
        "p.started_at >= ?1 AND (?2 IS NULL OR p.server_id = ?2) \
         AND (?3 IS NULL OR (a.server_id = ?3 AND a.external_id = ?4))"
    };
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
    n_users: i64,
    names: String,
    last_started_at: i64,
}

#[derive(sqlx::FromRow)]
struct ListingRow {
    id: i64,
    status: String,
    occurrences: i64,
    opened_at: i64,
    updated_at: i64,
    violation_json: String,
    account_name: Option<String>,
    server_name: Option<String>,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn listing(r: ListingRow) -> Result<IncidentListing, StoreError> {
    Ok(IncidentListing {
        record: IncidentRecord {
            id: r.id,
            status: r.status,
            occurrences: u32::try_from(r.occurrences).unwrap_or(u32::MAX),
            opened_at: from_ms(r.opened_at)?,
            updated_at: from_ms(r.updated_at)?,
            violation: serde_json::from_str(&r.violation_json).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        },
        account_name: r.account_name,
        server_name: r.server_name,
    })
}

fn place(r: PlaceRow) -> Result<PlaceRecord, StoreError> {
    let mut users: Vec<String> = serde_json::from_str(&r.names).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    users.sort_by_key(|n| n.to_lowercase());
    users.truncate(MAX_PLACE_NAMES);
    Ok(PlaceRecord {
        lat: r.lat,
        lon: r.lon,
        city: r.city,
        region: r.region,
        country_code: r.country_code,
        country_name: r.country_name,
        plays: count(r.plays),
        n_users: count(r.n_users),
        users,
        last_started_at: from_ms(r.last_started_at)?,
    })
}

/// The `?1`..`?4` values of `place_where!`.
fn place_binds(f: &PlaceFilter) -> (i64, Option<i64>, Option<i64>, Option<&str>) {
    (
        f.since.map_or(i64::MIN, to_ms),
        f.server.map(|s| s.0),
        f.user.as_ref().map(|u| u.server_id.0),
        f.user.as_ref().map(|u| u.user_id.as_str()),
    )
}

/// Names that occur more than once get their server's name, so two "alice"s can be told apart.
fn disambiguate(users: &mut [Facet<UserRef>], server_names: &[String]) {
    let labels: Vec<String> = users.iter().map(|u| u.label.to_lowercase()).collect();
    for (facet, server) in users.iter_mut().zip(server_names) {
        let lower = facet.label.to_lowercase();
        if labels.iter().filter(|l| **l == lower).count() > 1 {
            facet.label = format!("{} ({server})", facet.label);
        }
    }
}

#[async_trait]
impl InsightStore for SqliteStore {
    async fn play_places(&self, filter: &PlaceFilter, limit: u32) -> Result<Vec<PlaceRecord>, StoreError> {
        let sql = concat!(
            "SELECT ROUND(p.latitude, 2) AS lat, ROUND(p.longitude, 2) AS lon, p.city, MAX(p.region) AS region, \
             p.country_code, MAX(p.country_name) AS country_name, COUNT(*) AS plays, \
             COUNT(DISTINCT p.account_id) AS n_users, json_group_array(DISTINCT a.name) AS names, \
             MAX(p.started_at) AS last_started_at \
             FROM plays p JOIN media_accounts a ON a.id = p.account_id \
             WHERE p.latitude IS NOT NULL AND p.longitude IS NOT NULL AND ",
            place_where!(),
            " GROUP BY ROUND(p.latitude, 2), ROUND(p.longitude, 2), p.city, p.country_code \
             ORDER BY plays DESC, last_started_at DESC, lat, lon LIMIT ?5"
        );
        let (since, server, user_server, user_id) = place_binds(filter);
        let rows: Vec<PlaceRow> = sqlx::query_as(sql)
            .bind(since)
            .bind(server)
            .bind(user_server)
            .bind(user_id)
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
        rows.into_iter().map(place).collect()
    }

    async fn place_totals(&self, filter: &PlaceFilter) -> Result<PlaceTotals, StoreError> {
        let sql = concat!(
            "SELECT COUNT(*), COALESCE(SUM(p.latitude IS NOT NULL AND p.longitude IS NOT NULL), 0), \
             EXISTS (SELECT 1 FROM plays WHERE latitude IS NOT NULL AND longitude IS NOT NULL) \
             FROM plays p JOIN media_accounts a ON a.id = p.account_id WHERE ",
            place_where!()
        );
        let (since, server, user_server, user_id) = place_binds(filter);
        let (plays, located, any): (i64, i64, bool) = sqlx::query_as(sql)
            .bind(since)
            .bind(server)
            .bind(user_server)
            .bind(user_id)
            .fetch_one(&self.reader)
            .await?;
        Ok(PlaceTotals { plays: count(plays), located: count(located), any_located: any })
    }

    async fn streaming_accounts(&self) -> Result<Vec<AccountChoice>, StoreError> {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT a.server_id, a.external_id, a.name, s.name FROM media_accounts a \
             JOIN media_servers s ON s.id = a.server_id \
             WHERE EXISTS (SELECT 1 FROM plays p WHERE p.account_id = a.id) \
             ORDER BY a.name COLLATE NOCASE, s.name COLLATE NOCASE, a.external_id",
        )
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(server, user_id, name, server_name)| AccountChoice {
                user: UserRef { server_id: ServerId(server), user_id },
                name,
                server_name,
            })
            .collect())
    }

    async fn incident_page(
        &self,
        filter: &IncidentFilter,
        after: Option<IncidentCursor>,
        limit: u32,
    ) -> Result<IncidentPage, StoreError> {
        let wants = |s: IncidentStatus| filter.statuses.is_empty() || filter.statuses.contains(&s);
        let rows: Vec<ListingRow> = sqlx::query_as(
            "SELECT i.id, i.status, i.occurrences, i.opened_at, i.updated_at, i.violation_json, \
             a.name AS account_name, s.name AS server_name FROM incidents i \
             LEFT JOIN media_accounts a ON a.server_id = i.server_id AND a.external_id = i.user_id \
             LEFT JOIN media_servers s ON s.id = i.server_id \
             WHERE ((?1 AND i.status = 'open') OR (?2 AND i.status = 'acknowledged') \
                    OR (?3 AND i.status = 'dismissed')) \
             AND (?4 IS NULL OR i.severity = ?4) \
             AND (?5 IS NULL OR (i.server_id = ?5 AND i.user_id = ?6)) \
             AND (?7 IS NULL OR i.rule_id = ?7) \
             AND (?8 IS NULL OR i.updated_at < ?8 OR (i.updated_at = ?8 AND i.id < ?9)) \
             ORDER BY i.updated_at DESC, i.id DESC LIMIT ?10",
        )
        .bind(wants(IncidentStatus::Open))
        .bind(wants(IncidentStatus::Acknowledged))
        .bind(wants(IncidentStatus::Dismissed))
        .bind(filter.severity.map(|s| s.as_str()))
        .bind(filter.user.as_ref().map(|u| u.server_id.0))
        .bind(filter.user.as_ref().map(|u| u.user_id.as_str()))
        .bind(filter.rule_id.as_deref())
        .bind(after.map(|c| to_ms(c.updated_at)))
        .bind(after.map(|c| c.id))
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.reader)
        .await?;
        let mut items = rows.into_iter().map(listing).collect::<Result<Vec<_>, _>>()?;
        let more = items.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next = if more {
            items.last().map(|l| IncidentCursor { updated_at: l.record.updated_at, id: l.record.id })
        } else {
            None
        };
        Ok(IncidentPage { items, next })
    }

    async fn incident_listing(&self, id: i64) -> Result<Option<IncidentListing>, StoreError> {
        let row: Option<ListingRow> = sqlx::query_as(
            "SELECT i.id, i.status, i.occurrences, i.opened_at, i.updated_at, i.violation_json, \
             a.name AS account_name, s.name AS server_name FROM incidents i \
             LEFT JOIN media_accounts a ON a.server_id = i.server_id AND a.external_id = i.user_id \
             LEFT JOIN media_servers s ON s.id = i.server_id WHERE i.id = ?",
        )
        .bind(id)
        .fetch_optional(&self.reader)
        .await?;
        row.map(listing).transpose()
    }

    async fn incident_facets(&self) -> Result<IncidentFacets, StoreError> {
        let mut facets = IncidentFacets::default();
        let statuses: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM incidents GROUP BY status").fetch_all(&self.reader).await?;
        for (status, n) in statuses {
            match IncidentStatus::parse(&status) {
                Some(IncidentStatus::Open) => facets.open = count(n),
                Some(IncidentStatus::Acknowledged) => facets.acknowledged = count(n),
                Some(IncidentStatus::Dismissed) => facets.dismissed = count(n),
                None => {}
            }
        }
        let users: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT i.server_id, i.user_id, COALESCE(a.name, i.user_id), COALESCE(s.name, ''), COUNT(*) \
             FROM incidents i \
             LEFT JOIN media_accounts a ON a.server_id = i.server_id AND a.external_id = i.user_id \
             LEFT JOIN media_servers s ON s.id = i.server_id \
             GROUP BY i.server_id, i.user_id ORDER BY 3 COLLATE NOCASE, 4 COLLATE NOCASE, i.user_id",
        )
        .fetch_all(&self.reader)
        .await?;
        let server_names: Vec<String> = users.iter().map(|u| u.3.clone()).collect();
        facets.users = users
            .into_iter()
            .map(|(server, user_id, label, _, n)| Facet {
                value: UserRef { server_id: ServerId(server), user_id },
                label,
                count: count(n),
            })
            .collect();
        disambiguate(&mut facets.users, &server_names);
        let rules: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT i.rule_id, COALESCE(json_extract(r.rule_json, '$.name'), \
             MAX(json_extract(i.violation_json, '$.rule_name')), i.rule_id) AS label, COUNT(*) \
             FROM incidents i LEFT JOIN rules r ON r.id = i.rule_id \
             GROUP BY i.rule_id ORDER BY label COLLATE NOCASE, i.rule_id",
        )
        .fetch_all(&self.reader)
        .await?;
        facets.rules = rules.into_iter().map(|(value, label, n)| Facet { value, label, count: count(n) }).collect();
        Ok(facets)
    }
}

#[cfg(test)]
#[path = "insight_tests.rs"]
mod tests;
