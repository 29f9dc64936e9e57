//! The register's queries, called directly, on both backends: the school list
//! searches, filters, sorts and pages the register; a school user sees only
//! their own school (in the list and the profile); intelligence is shown only
//! to roles allowed to read it, and only the caller's organisation's own; a
//! URN not in the register is not found; a commissioner may not read schools.

mod common;

use common::{setup, ELSEWHERE, GOOD, RI};
use uplift_app::register::{filter_options, find_schools, school_profile, SchoolQuery, PAGE_SIZE};
use uplift_app::{AppError, Caller};
use uplift_domain::access::{Principal, Role};
use uplift_store::audit::Actor;
use uplift_store::register::{self, NewIntelligence, SchoolSort};
use uplift_store::testkit::each_backend;

/// Someone of the lead's organisation in another role.
fn as_role(like: &Caller, role: Role, school_urn: Option<i64>) -> Caller {
    Caller {
        principal: Principal {
            role,
            school_urn,
            ..like.principal.clone()
        },
        ..like.clone()
    }
}

fn urns(found: &uplift_app::register::Found) -> Vec<i64> {
    found.items.iter().map(|s| s.urn).collect()
}

async fn intelligence(db: &uplift_store::Db, org: i64, urn: i64, summary: &str) {
    let mut tx = db.begin().await.unwrap();
    register::add_intelligence(
        &mut tx,
        &Actor::cli(),
        &NewIntelligence {
            organisation_id: org,
            urn,
            kind: "finance",
            summary,
            source: "A phone call with the business manager",
            occurred_on: "2026-11-03",
            author_user_id: None,
            generated: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[test]
fn the_query_is_parsed_once_into_the_stores_filter() {
    let q = SchoolQuery {
        q: "  invented ".into(),
        la: "202".into(),
        phase: " ".into(),
        sort: "pupils".into(),
        order: "desc".into(),
        page: "3".into(),
        ..Default::default()
    };
    let f = q.filter();
    assert_eq!(f.q.as_deref(), Some("invented"));
    assert_eq!(f.la.as_deref(), Some("202"));
    assert_eq!(f.phase, None, "a blank filter is no filter");
    assert_eq!(f.sort, SchoolSort::NumberOnRoll);
    assert!(f.descending);
    assert_eq!((f.limit, f.offset), (PAGE_SIZE, 2 * PAGE_SIZE));
    // An unknown column sorts by name; a page that is not a whole number from 1 is the first.
    for page in ["0", "-2", "two", ""] {
        let q = SchoolQuery {
            sort: "shoe_size".into(),
            page: page.into(),
            ..Default::default()
        };
        assert_eq!(q.sort().0, "name");
        assert_eq!(q.filter().sort, SchoolSort::Name);
        assert_eq!(q.filter().offset, 0, "page {page:?}");
    }
}

#[tokio::test]
async fn the_list_searches_filters_sorts_and_pages_the_register() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let all = find_schools(&s.app, &s.lead, &SchoolQuery::default().filter())
            .await
            .unwrap();
        assert_eq!(all.total, 3);
        // By name: Good, Requires Improvement, School Elsewhere.
        assert_eq!(urns(&all), vec![GOOD, RI, ELSEWHERE]);

        let q = SchoolQuery {
            q: "good".into(),
            ..Default::default()
        };
        let good = find_schools(&s.app, &s.lead, &q.filter()).await.unwrap();
        assert_eq!((good.total, urns(&good)), (1, vec![GOOD]));

        let q = SchoolQuery {
            q: "91000".into(),
            sort: "urn".into(),
            order: "desc".into(),
            ..Default::default()
        };
        let by_urn = find_schools(&s.app, &s.lead, &q.filter()).await.unwrap();
        assert_eq!(urns(&by_urn), vec![ELSEWHERE, GOOD, RI]);

        let q = SchoolQuery {
            la: "999".into(),
            ..Default::default()
        };
        let none = find_schools(&s.app, &s.lead, &q.filter()).await.unwrap();
        assert_eq!((none.total, none.items.len()), (0, 0));

        // The second page of one a page: the total is all of them.
        let mut f = SchoolQuery::default().filter();
        f.limit = 1;
        f.offset = 1;
        let second = find_schools(&s.app, &s.lead, &f).await.unwrap();
        assert_eq!((second.total, urns(&second)), (3, vec![RI]));

        let opts = filter_options(&s.app, &s.lead).await.unwrap();
        assert_eq!(opts.phases, vec!["Primary".to_string()]);
        assert!(opts.las.iter().any(|(code, _)| code == "202"));
    }
}

#[tokio::test]
async fn a_school_user_sees_only_their_own_school() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let head = as_role(&s.lead, Role::School, Some(GOOD));
        let found = find_schools(&s.app, &head, &SchoolQuery::default().filter())
            .await
            .unwrap();
        assert_eq!((found.total, urns(&found)), (1, vec![GOOD]));
        // Their school, unless the filters exclude it.
        let q = SchoolQuery {
            q: "requires".into(),
            ..Default::default()
        };
        let other = find_schools(&s.app, &head, &q.filter()).await.unwrap();
        assert_eq!((other.total, other.items.len()), (0, 0));
        // No filter values to offer.
        let opts = filter_options(&s.app, &head).await.unwrap();
        assert!(opts.las.is_empty() && opts.phases.is_empty());
        // A school user with no school sees nothing.
        let nobody = as_role(&s.lead, Role::School, None);
        let found = find_schools(&s.app, &nobody, &SchoolQuery::default().filter())
            .await
            .unwrap();
        assert_eq!(found.total, 0);

        let own = school_profile(&s.app, &head, GOOD).await.unwrap();
        assert_eq!(own.profile.school.name, "Invented Good School");
        assert!(
            !own.read_intelligence,
            "a school user does not read intelligence"
        );
        assert!(matches!(
            school_profile(&s.app, &head, RI).await,
            Err(AppError::NotFound)
        ));
    }
}

#[tokio::test]
async fn the_profile_shows_intelligence_only_to_those_who_may_read_it() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let org = s.lead.organisation_id();
        intelligence(&db, org, RI, "Deficit budget forecast").await;

        let p = school_profile(&s.app, &s.lead, RI).await.unwrap();
        assert!(p.read_intelligence);
        assert_eq!(p.profile.school.urn, RI);
        assert_eq!(p.profile.head_name.as_deref(), Some("Ada Head"));
        assert_eq!(p.profile.graded_inspections.len(), 1);
        let summaries: Vec<&str> = p
            .profile
            .intelligence
            .iter()
            .map(|i| i.summary.as_str())
            .collect();
        assert_eq!(summaries, vec!["Deficit budget forecast"]);

        // A school user of that school sees its profile, without intelligence.
        let head = as_role(&s.lead, Role::School, Some(RI));
        let p = school_profile(&s.app, &head, RI).await.unwrap();
        assert!(!p.read_intelligence);
        assert!(p.profile.intelligence.is_empty());

        // Another organisation's officers do not read this organisation's items.
        let stranger = Caller {
            principal: Principal {
                organisation_id: org + 1,
                ..s.lead.principal.clone()
            },
            ..s.lead.clone()
        };
        let p = school_profile(&s.app, &stranger, RI).await.unwrap();
        assert!(p.profile.intelligence.is_empty());
    }
}

#[tokio::test]
async fn unknown_schools_are_not_found_and_commissioners_are_refused() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        assert!(matches!(
            school_profile(&s.app, &s.lead, 123).await,
            Err(AppError::NotFound)
        ));
        let commissioner = as_role(&s.lead, Role::Commissioner, None);
        assert!(matches!(
            school_profile(&s.app, &commissioner, RI).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            find_schools(&s.app, &commissioner, &SchoolQuery::default().filter()).await,
            Err(AppError::Forbidden)
        ));
    }
}
