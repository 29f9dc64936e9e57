//! The school register: the search and list page (with its CSV download);
//! the school profile page and its intelligence form are in [`profile`].
//!
//! The store does the searching ([`uplift_store::Db::schools`]): one count and one
//! page per request. A school user sees only their own school, in the list, the
//! CSV, the profile and the API; any other school is "not found".

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{context, Value};
use uplift_app::register::{filter_options, find_schools, own_school_only, SchoolQuery, PAGE_SIZE};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::render::render;

pub mod profile;

pub use profile::{add_intelligence, profile};

/// Rows fetched per query when writing the CSV.
const CSV_BATCH: i64 = 1000;
/// The tag on everything the demo invented.
pub const GENERATED_LABEL: &str = "Generated (demo data)";

/// The columns the list can be sorted by: (query value, heading, numeric), in
/// the order of [`SORT_KEYS`].
pub const SORTABLE: &[(&str, &str, bool)] = &[
    ("name", "Name", false),
    ("urn", "URN", true),
    ("phase", "Phase", false),
    ("type", "Type", false),
    ("status", "Status", false),
    ("la", "Local authority", false),
    ("pupils", "Pupils", true),
];

/// The query string for these filters with another sort, order or page.
fn query_string(q: &SchoolQuery, sort: &str, order: &str, page: Option<i64>) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &q.q),
        ("la", &q.la),
        ("phase", &q.phase),
        ("type", &q.type_name),
        ("status", &q.status),
        ("trust", &q.trust),
    ] {
        if !v.trim().is_empty() {
            s.append_pair(k, v.trim());
        }
    }
    if sort != "name" || order == "desc" {
        s.append_pair("sort", sort);
    }
    if order == "desc" {
        s.append_pair("order", "desc");
    }
    if let Some(p) = page.filter(|p| *p > 1) {
        s.append_pair("page", &p.to_string());
    }
    s.finish()
}

pub(crate) fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn options(values: &[String], any: &str) -> Vec<Value> {
    std::iter::once(context! { value => "", text => any })
        .chain(
            values
                .iter()
                .map(|v| context! { value => v.clone(), text => v.clone() }),
        )
        .collect()
}

/// The numbered pages to offer: the first, the last, and those around the current one.
fn page_links(q: &SchoolQuery, current: i64, last: i64) -> Vec<Value> {
    let (sort, _, desc) = q.sort();
    let order = if desc { "desc" } else { "asc" };
    let mut out = Vec::new();
    let mut prev_shown = 0;
    for n in 1..=last {
        if n == 1 || n == last || (n - current).abs() <= 1 {
            if n - prev_shown > 1 {
                out.push(context! { ellipsis => true });
            }
            out.push(context! {
                number => n,
                href => format!("/schools?{}", query_string(q, sort, order, Some(n))),
                current => n == current,
            });
            prev_shown = n;
        }
    }
    out
}

/// `GET /schools`: the filter form, the sortable list and pagination.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SchoolQuery>,
) -> Result<Response, PageError> {
    let filter = q.filter();
    let caller = user.caller();
    let found = find_schools(&state.app, &caller, &filter).await?;
    let (total, rows) = (found.total, found.items);
    let opts = filter_options(&state.app, &caller).await?;
    let (sort_key, _, desc) = q.sort();
    let head: Vec<Value> = SORTABLE
        .iter()
        .map(|(key, text, numeric)| {
            let current = *key == sort_key;
            let next_order = if current && !desc { "desc" } else { "asc" };
            let sort = match (current, desc) {
                (true, false) => "ascending",
                (true, true) => "descending",
                _ => "none",
            };
            context! {
                text => *text,
                numeric => *numeric,
                href => format!("/schools?{}", query_string(&q, key, next_order, None)),
                sort => sort,
            }
        })
        .collect();
    let table_rows: Vec<Value> = rows
        .iter()
        .map(|s| {
            let la = match &s.la_name {
                Some(n) => format!("{n} ({})", s.la_code),
                None => s.la_code.clone(),
            };
            let pupils = s.number_on_roll.map(|n| n.to_string()).unwrap_or_default();
            Value::from(vec![
                context! { text => s.name.clone(), href => format!("/schools/{}", s.urn) },
                context! { text => s.urn.to_string(), numeric => true },
                Value::from(opt(&s.phase)),
                Value::from(opt(&s.type_name)),
                Value::from(opt(&s.status)),
                Value::from(la),
                context! { text => pupils, numeric => true },
            ])
        })
        .collect();
    let page = q.page();
    let last = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let order = if desc { "desc" } else { "asc" };
    let prev = (page > 1).then(|| {
        format!(
            "/schools?{}",
            query_string(&q, sort_key, order, Some(page - 1))
        )
    });
    let next = (page < last).then(|| {
        format!(
            "/schools?{}",
            query_string(&q, sort_key, order, Some(page + 1))
        )
    });
    let la_options: Vec<Value> = std::iter::once(context! { value => "", text => "Any" })
        .chain(opts.las.iter().map(|(code, name)| {
            let text = match name {
                Some(n) => format!("{n} ({code})"),
                None => code.clone(),
            };
            context! { value => code.clone(), text => text }
        }))
        .collect();
    let first_shown = if rows.is_empty() {
        0
    } else {
        filter.offset + 1
    };
    let last_shown = filter.offset + rows.len() as i64;
    let csv_query = query_string(&q, sort_key, order, None);
    let sort_text = SORTABLE
        .iter()
        .find(|(k, _, _)| *k == sort_key)
        .map(|(_, t, _)| *t)
        .unwrap_or("Name");
    render(
        &state,
        Some(&user),
        "/schools",
        "schools.html",
        "Schools",
        context! {
            filters => context! {
                q => q.q.clone(), la => q.la.clone(), phase => q.phase.clone(),
                type => q.type_name.clone(), status => q.status.clone(), trust => q.trust.clone(),
                sort => sort_key, order => order,
            },
            own_school_only => own_school_only(&caller).is_some(),
            la_options => la_options,
            phase_options => options(&opts.phases, "Any"),
            type_options => options(&opts.types, "Any"),
            status_options => options(&opts.statuses, "Any"),
            head => head,
            rows => table_rows,
            total => total,
            first_shown => first_shown,
            last_shown => last_shown,
            caption => format!(
                "Schools, sorted by {} ({})",
                sort_text.to_lowercase(),
                if desc { "descending" } else { "ascending" }
            ),
            csv_href => if csv_query.is_empty() { "/schools.csv".to_string() } else { format!("/schools.csv?{csv_query}") },
            pages => if last > 1 { page_links(&q, page, last) } else { Vec::new() },
            prev_href => prev,
            next_href => next,
        },
    )
}

const CSV_HEADER: &[&str] = &[
    "URN",
    "Name",
    "LA code",
    "Local authority",
    "Phase",
    "Type",
    "Status",
    "Maintained or academy",
    "Trust",
    "Pupils",
    "Town",
    "Postcode",
];

fn csv_line(out: &mut String, fields: &[String]) {
    uplift_docs::csv::write_row(out, fields);
}

/// `GET /schools.csv`: every school matching the filters (not just one page).
pub async fn csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SchoolQuery>,
) -> Result<Response, PageError> {
    let caller = user.caller();
    let mut filter = q.filter();
    filter.limit = CSV_BATCH;
    filter.offset = 0;
    let mut out = String::new();
    csv_line(
        &mut out,
        &CSV_HEADER.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    loop {
        let found = find_schools(&state.app, &caller, &filter).await?;
        let (total, rows) = (found.total, found.items);
        let n = rows.len() as i64;
        for s in rows {
            csv_line(
                &mut out,
                &[
                    s.urn.to_string(),
                    s.name,
                    s.la_code,
                    opt(&s.la_name),
                    opt(&s.phase),
                    opt(&s.type_name),
                    opt(&s.status),
                    opt(&s.governance),
                    opt(&s.trust),
                    s.number_on_roll.map(|n| n.to_string()).unwrap_or_default(),
                    opt(&s.town),
                    opt(&s.postcode),
                ],
            );
        }
        filter.offset += n;
        if n < CSV_BATCH || filter.offset >= total {
            break;
        }
    }
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"schools.csv\""),
            ),
        ],
        out,
    )
        .into_response())
}

// ---------------------------------------------------------------------------
// Shown on the list and the profile.

/// `2024-05-23` → `23 May 2024`; anything else as it is.
pub fn show_date(s: &str) -> String {
    let d = s.get(..10).unwrap_or(s);
    match d.parse::<jiff::civil::Date>() {
        Ok(d) => d.strftime("%-d %B %Y").to_string(),
        Err(_) => s.to_string(),
    }
}

pub(crate) fn show_opt_date(s: &Option<String>) -> String {
    s.as_deref().map(show_date).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sortable_headings_are_the_sort_keys() {
        let keys: Vec<&str> = SORTABLE.iter().map(|(k, _, _)| *k).collect();
        assert_eq!(keys, uplift_app::register::SORT_KEYS);
    }
}
