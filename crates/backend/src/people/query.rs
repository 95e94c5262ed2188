//! The Users list as people ask for it: parameters checked field by field (search text, order,
//! page), and the pure matching, ordering and paging of people summaries.

use super::{PeopleError, PersonSummary};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The longest search text.
pub const MAX_SEARCH: usize = 100;
/// The largest page.
pub const MAX_PER_PAGE: u32 = 200;
/// The page size when none is asked for.
pub const DEFAULT_PER_PAGE: u32 = 50;

/// The order of the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeopleSort {
    /// Most recently seen first; never seen last.
    #[default]
    LastSeen,
    /// Most plays first.
    Plays,
    /// Lowest trust first (the people to look at).
    Trust,
    /// A to Z.
    Name,
}

impl PeopleSort {
    pub const ALL: [Self; 4] = [Self::LastSeen, Self::Plays, Self::Trust, Self::Name];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LastSeen => "last_seen",
            Self::Plays => "plays",
            Self::Trust => "trust",
            Self::Name => "name",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::LastSeen => "Last seen",
            Self::Plays => "Most plays",
            Self::Trust => "Lowest trust",
            Self::Name => "Name",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The parameters as given (`GET /api/v1/users`, the Users page's URL); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListParams {
    pub q: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// A checked list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Lower-cased search text, when given.
    pub search: Option<String>,
    pub sort: PeopleSort,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self { search: None, sort: PeopleSort::default(), page: 1, per_page: DEFAULT_PER_PAGE }
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> PeopleError {
    PeopleError::Invalid { field, message: message.into() }
}

fn number(field: &'static str, value: Option<&String>, default: u32, max: u32) -> Result<u32, PeopleError> {
    let Some(v) = value.map(|v| v.trim()).filter(|v| !v.is_empty()) else { return Ok(default) };
    v.parse::<u32>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| invalid(field, format!("must be a whole number from 1 to {max}")))
}

impl ListParams {
    /// Checks every parameter; the first bad one is the error.
    pub fn parse(&self) -> Result<ListQuery, PeopleError> {
        let search = match self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            None => None,
            Some(q) if q.chars().count() > MAX_SEARCH || q.chars().any(char::is_control) => {
                return Err(invalid("q", format!("at most {MAX_SEARCH} characters, no control characters")));
            }
            Some(q) => Some(q.to_lowercase()),
        };
        let sort = match self.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => PeopleSort::default(),
            Some(s) => {
                PeopleSort::parse(s).ok_or_else(|| invalid("sort", "must be last_seen, plays, trust or name"))?
            }
        };
        let page = number("page", self.page.as_ref(), 1, 100_000)?;
        let per_page = number("per_page", self.per_page.as_ref(), DEFAULT_PER_PAGE, MAX_PER_PAGE)?;
        Ok(ListQuery { search, sort, page, per_page })
    }
}

/// Whether the person's name or one of their account names contains `search` (lower-case).
#[must_use]
pub fn matches(person: &PersonSummary, search: &str) -> bool {
    person.name.to_lowercase().contains(search)
        || person.accounts.iter().any(|a| a.name.to_lowercase().contains(search) || a.user_id.to_lowercase() == search)
}

fn by_name(a: &PersonSummary, b: &PersonSummary) -> Ordering {
    a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id))
}

/// Orders people for `sort`; ties go by name, then id.
pub fn sort(people: &mut [PersonSummary], sort: PeopleSort) {
    match sort {
        // `None < Some`, so comparing b to a puts the never seen last.
        PeopleSort::LastSeen => people.sort_by(|a, b| b.last_seen_at.cmp(&a.last_seen_at).then_with(|| by_name(a, b))),
        PeopleSort::Plays => people.sort_by(|a, b| b.plays.cmp(&a.plays).then_with(|| by_name(a, b))),
        PeopleSort::Trust => people.sort_by(|a, b| {
            a.trust.cmp(&b.trust).then(b.last_seen_at.cmp(&a.last_seen_at)).then_with(|| by_name(a, b))
        }),
        PeopleSort::Name => people.sort_by(by_name),
    }
}

/// Page `page` (1-based) of `per_page`, and how many pages there are (at least one).
#[must_use]
pub fn page_of(people: Vec<PersonSummary>, page: u32, per_page: u32) -> (Vec<PersonSummary>, u32) {
    let per = usize::try_from(per_page.max(1)).unwrap_or(usize::MAX);
    let pages = u32::try_from(people.len().div_ceil(per)).unwrap_or(u32::MAX).max(1);
    let skip = usize::try_from(page.saturating_sub(1)).unwrap_or(usize::MAX).saturating_mul(per);
    (people.into_iter().skip(skip).take(per).collect(), pages)
}
