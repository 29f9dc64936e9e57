//! The meeting use cases, called directly, on both backends: every refusal
//! names its field, nothing is saved when refused, and what is given is
//! saved.

mod common;

use common::{count, setup, ELSEWHERE, GOOD};
use jiff::civil::date;
use uplift_app::meetings::{self, MeetingCreated, NewMeetingInput, ScheduleInput, SetTermDates};
use uplift_app::AppError;
use uplift_store::testkit::each_backend;

fn fields(e: &AppError) -> Vec<(&str, &str)> {
    e.fields()
        .iter()
        .map(|f| (f.field.as_str(), f.message.as_str()))
        .collect()
}

fn meeting(kind: &str, on: Option<jiff::civil::Date>) -> NewMeetingInput {
    NewMeetingInput {
        kind: kind.into(),
        date: on,
        ..Default::default()
    }
}

#[tokio::test]
async fn a_meeting_is_refused_naming_each_field_and_created_when_right() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let e = meetings::create_meeting(
            &s.app,
            &s.lead,
            NewMeetingInput {
                kind: "tea_party".into(),
                date: None,
                title: "x".repeat(201),
                urn: "abc".into(),
                location: String::new(),
                confirmed: false,
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(
            fields(&e),
            vec![
                ("kind", "Select the kind of meeting"),
                ("date", "Enter the date of the meeting"),
                ("title", "The title must be 200 characters or fewer"),
                ("urn", "Enter the school's URN as a number"),
            ]
        );
        // Another council's school is not one of ours.
        let e = meetings::create_meeting(
            &s.app,
            &s.lead,
            NewMeetingInput {
                urn: ELSEWHERE.to_string(),
                ..meeting("schools_review_group", Some(date(2026, 12, 8)))
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(
            fields(&e),
            vec![(
                "urn",
                format!("URN {ELSEWHERE} is not one of your organisation's schools").as_str()
            )]
        );
        assert_eq!(count(&db, "meetings").await, 0);
        // Christmas Day is warned about and kept only when confirmed.
        let christmas = meeting("schools_review_group", Some(date(2026, 12, 25)));
        match meetings::create_meeting(&s.app, &s.lead, christmas.clone())
            .await
            .expect("checked")
        {
            MeetingCreated::Unconfirmed(w) => {
                assert!(w.iter().any(|w| w.contains("bank holiday")), "{w:?}")
            }
            MeetingCreated::Created(_) => panic!("created without confirming"),
        }
        assert_eq!(count(&db, "meetings").await, 0);
        let kept = meetings::create_meeting(
            &s.app,
            &s.lead,
            NewMeetingInput {
                confirmed: true,
                ..christmas
            },
        )
        .await
        .expect("created");
        let MeetingCreated::Created(m) = kept else {
            panic!("not created")
        };
        assert_eq!(m.meeting_date.get(..10), Some("2026-12-25"));
        assert_eq!(count(&db, "meetings").await, 1);
        // A panel member may read meetings but not create them.
        let e = meetings::create_meeting(
            &s.app,
            &s.panel,
            meeting("schools_review_group", Some(date(2026, 12, 8))),
        )
        .await
        .expect_err("forbidden");
        assert!(matches!(e, AppError::Forbidden), "{e:?}");
    }
}

#[tokio::test]
async fn attendees_minutes_and_status_name_their_fields() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let MeetingCreated::Created(m) = meetings::create_meeting(
            &s.app,
            &s.lead,
            meeting("schools_review_group", Some(date(2026, 12, 8))),
        )
        .await
        .expect("created") else {
            panic!("warned")
        };
        let e = meetings::set_attendees(
            &s.app,
            &s.lead,
            m.id,
            &[
                ("Ada Chair".into(), "Chair".into()),
                (" ".into(), "x".repeat(201)),
            ],
        )
        .await
        .expect_err("refused");
        assert_eq!(
            fields(&e),
            vec![
                ("attendees[1].name", "Enter the attendee's name"),
                (
                    "attendees[1].role",
                    "The role must be 200 characters or fewer"
                ),
            ]
        );
        assert_eq!(count(&db, "meeting_attendees").await, 0);
        let now = meetings::set_attendees(
            &s.app,
            &s.lead,
            m.id,
            &[("Ada Chair".into(), "Chair".into())],
        )
        .await
        .expect("set");
        assert_eq!(now.len(), 1);
        // Setting the same list again keeps the attendee.
        let again = meetings::set_attendees(
            &s.app,
            &s.lead,
            m.id,
            &[("Ada Chair".into(), "Chair".into())],
        )
        .await
        .expect("set");
        assert_eq!(again[0].id, now[0].id);

        let e = meetings::add_minute(&s.app, &s.lead, m.id, &ELSEWHERE.to_string(), " ")
            .await
            .expect_err("refused");
        assert_eq!(
            fields(&e),
            vec![
                ("urn", "Select an item of the agenda, or General"),
                ("minute", "Enter the minute"),
            ]
        );
        let x = meetings::add_minute(&s.app, &s.lead, m.id, &GOOD.to_string(), "Discussed")
            .await
            .expect("minuted");
        assert_eq!(x.urn, Some(GOOD));

        let e = meetings::set_status(&s.app, &s.lead, m.id, "postponed")
            .await
            .expect_err("refused");
        assert_eq!(fields(&e), vec![("status", "Select the meeting's status")]);
        // Held before its date (today is 2 December 2026): refused on the status.
        let e = meetings::set_status(&s.app, &s.lead, m.id, "held")
            .await
            .expect_err("refused");
        assert_eq!(e.fields()[0].field, "status");
        assert!(
            e.fields()[0]
                .message
                .starts_with("The status cannot be changed"),
            "{e:?}"
        );
        let c = meetings::set_status(&s.app, &s.lead, m.id, "cancelled")
            .await
            .expect("cancelled");
        assert_eq!(c.status, "cancelled");
        // Another organisation's meeting does not exist for the caller.
        let e = meetings::add_minute(&s.app, &s.lead, m.id + 1000, "", "Hello")
            .await
            .expect_err("not found");
        assert!(matches!(e, AppError::NotFound), "{e:?}");
    }
}

#[tokio::test]
async fn a_schedule_and_term_dates_are_refused_naming_the_field() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let e = meetings::schedule_meetings(
            &s.app,
            &s.lead,
            ScheduleInput {
                kind: "school_performance_board".into(),
                year: "2026".into(),
                weekday: "sunday".into(),
                week: "9".into(),
                create: true,
            },
        )
        .await
        .expect_err("refused");
        let names: Vec<&str> = e.fields().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, vec!["kind", "year", "weekday", "week"]);
        let preview = meetings::schedule_meetings(
            &s.app,
            &s.lead,
            ScheduleInput {
                kind: "schools_review_group".into(),
                year: "2026/27".into(),
                weekday: "tuesday".into(),
                week: "3".into(),
                create: false,
            },
        )
        .await
        .expect("previewed");
        assert!(!preview.dates.is_empty());
        assert!(preview.created.is_empty());
        assert_eq!(count(&db, "meetings").await, 0);

        let e = meetings::set_term_dates(
            &s.app,
            &s.lead,
            SetTermDates {
                year: "2026/27".into(),
                ..Default::default()
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(e.fields().len(), 6, "{e:?}");
        assert_eq!(e.fields()[0].field, "autumn1_start");
        let e = meetings::set_term_dates(&s.app, &s.lead, SetTermDates::default())
            .await
            .expect_err("refused");
        assert_eq!(fields(&e), vec![("year", "Select the academic year")]);
    }
}
