//! Notifications on both backends: the inbox and the outbox written in one
//! transaction, email preferences, delivery through a real (local) SMTP
//! server speaking the protocol over TCP, retry with backoff while the mail
//! server is down, the idempotent daily sweep, and calendar feed secrets.
//! The SMTP server here also speaks STARTTLS and implicit TLS (rustls, with a
//! CA and certificate made by each test) and AUTH PLAIN and LOGIN, so the
//! secured delivery councils need is tested against the real protocol
//! (`support/`). Leases on the outbox are tested in `outbox.rs`.

mod support;

use support::*;
use uplift_store::audit::Actor;
use uplift_store::mail::{self, SmtpSecurity, SmtpSettings};
use uplift_store::notifications::{self, FeedSubject};
use uplift_store::testkit::each_backend;
use uplift_store::Db;

#[tokio::test]
async fn inbox_and_outbox_are_written_together_or_not_at_all() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        // Rolled back: neither row.
        let mut tx = db.begin().await.unwrap();
        notifications::notify(
            &mut tx,
            s.org,
            s.head,
            notifications::NOTE_AWAITING_HEADTEACHER,
            "A note is ready",
            "Please read it.",
            Some("/visits/1"),
        )
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(count(&db, "notifications").await, 0);
        assert_eq!(count(&db, "mail_outbox").await, 0);
        // Committed: both.
        let mut tx = db.begin().await.unwrap();
        notifications::notify(
            &mut tx,
            s.org,
            s.head,
            notifications::NOTE_AWAITING_HEADTEACHER,
            "A note is ready",
            "Please read it.",
            Some("/visits/1"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.unread_notifications(s.head).await.unwrap(), 1);
        let outbox = db.outbox(10).await.unwrap();
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].to_address, "head@coram.example");
        assert!(outbox[0].sent_at.is_none());
        // Email off: the inbox only.
        let mut tx = db.begin().await.unwrap();
        notifications::set_email_enabled(&mut tx, &Actor::cli(), s.org, s.adviser_user, false)
            .await
            .unwrap();
        notifications::notify(
            &mut tx,
            s.org,
            s.adviser_user,
            notifications::VISIT_OVERDUE,
            "Visit overdue",
            "Record it.",
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(!db.email_enabled(s.adviser_user).await.unwrap());
        assert_eq!(db.unread_notifications(s.adviser_user).await.unwrap(), 1);
        assert_eq!(count(&db, "mail_outbox").await, 1);
        // Bad input changes nothing.
        let mut tx = db.begin().await.unwrap();
        let e = notifications::notify(&mut tx, s.org, s.head, "x", "  ", "body", None)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("subject"), "{e}");
        let e = notifications::notify(
            &mut tx,
            s.org,
            s.head,
            "x",
            "s",
            "b",
            Some("https://evil.example/"),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("link"), "{e}");
        drop(tx);
        // Reading: only one's own.
        let mine = db.notifications(s.head, 50).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        assert!(notifications::mark_read(&mut tx, s.other_head, mine[0].id)
            .await
            .is_err());
        notifications::mark_read(&mut tx, s.head, mine[0].id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.unread_notifications(s.head).await.unwrap(), 0);
    }
}

#[tokio::test]
async fn mail_reaches_a_real_smtp_server_and_waits_while_it_is_down() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let mut tx = db.begin().await.unwrap();
        notifications::notify(
            &mut tx,
            s.org,
            s.head,
            notifications::NOTE_AWAITING_HEADTEACHER,
            "A note of visit to Thomas Coram Centre is ready for you",
            "Mark it accurate or respond with comments.",
            Some("/visits/7"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        // The mail server is down: the message stays, with the error, for later.
        let now = jiff::Timestamp::now();
        let down = settings(closed_port().await);
        let r = mail::send_pending(&db, &down, now, 100).await.unwrap();
        assert_eq!((r.sent, r.failed, r.waiting), (0, 1, 1));
        let m = &db.outbox(10).await.unwrap()[0];
        assert_eq!(m.attempts, 1);
        assert!(m.last_error.is_some());
        assert!(m.sent_at.is_none());
        let next = m.next_attempt_at.clone().unwrap();
        assert!(next > uplift_store::timestamp(now), "{next}");
        // Not retried before its time, even with the server back.
        let sink = SmtpSink::start().await;
        let up = settings(sink.port);
        let r = mail::send_pending(&db, &up, now, 100).await.unwrap();
        assert_eq!((r.sent, r.failed, r.waiting), (0, 0, 1));
        assert!(sink.messages().is_empty());
        // Retried once the backoff has passed: delivered.
        let later = now.checked_add(jiff::SignedDuration::from_mins(2)).unwrap();
        let r = mail::send_pending(&db, &up, later, 100).await.unwrap();
        assert_eq!((r.sent, r.failed, r.waiting), (1, 0, 0));
        let got = sink.messages();
        assert_eq!(got.len(), 1);
        assert!(
            got[0].from.contains("uplift@council.example"),
            "{:?}",
            got[0]
        );
        assert_eq!(got[0].to, vec!["<head@coram.example>".to_string()]);
        assert!(got[0]
            .data
            .contains("Subject: A note of visit to Thomas Coram Centre is ready for you"));
        assert!(
            got[0]
                .data
                .contains("https://uplift.council.example/visits/7"),
            "{}",
            got[0].data
        );
        let m = &db.outbox(10).await.unwrap()[0];
        assert!(m.sent_at.is_some());
        assert_eq!(m.attempts, 2);
        // Sent once only.
        let r = mail::send_pending(&db, &up, later, 100).await.unwrap();
        assert_eq!((r.sent, r.failed), (0, 0));
        assert_eq!(sink.messages().len(), 1);
    }
}

#[tokio::test]
async fn the_daily_sweep_notifies_each_event_once() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        sweep_fixture(&db, &s).await;
        let today = jiff::civil::date(2026, 11, 22);
        let mut tx = db.begin().await.unwrap();
        let r = notifications::sweep(&mut tx, today).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(r.visits_overdue, 1);
        assert_eq!(r.forms_due, 1);
        assert_eq!(r.responses_overdue, 1);
        assert_eq!(db.unread_notifications(s.adviser_user).await.unwrap(), 1);
        assert_eq!(db.unread_notifications(s.head).await.unwrap(), 2);
        assert_eq!(db.unread_notifications(s.other_head).await.unwrap(), 0);
        // Again, the next day: nobody is notified twice.
        let mut tx = db.begin().await.unwrap();
        let r = notifications::sweep(&mut tx, today.tomorrow().unwrap())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(r.total(), 0);
        assert_eq!(count(&db, "notifications").await, 3);
        // A note sent to the headteacher notifies the school's users only.
        let mut tx = db.begin().await.unwrap();
        let n =
            notifications::note_awaiting_headteacher(&mut tx, s.org, OWN, 3, Some("2026-12-04"))
                .await
                .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(n, 1);
        let inbox = db.notifications(s.head, 10).await.unwrap();
        assert_eq!(inbox[0].kind, notifications::NOTE_AWAITING_HEADTEACHER);
        assert!(inbox[0].body.contains("2026-12-04"));
        assert_eq!(db.unread_notifications(s.other_head).await.unwrap(), 0);
    }
}

#[tokio::test]
async fn calendar_feed_secrets_are_hashed_and_revocable() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let mut tx = db.begin().await.unwrap();
        let (feed, secret) = notifications::create_feed(
            &mut tx,
            &Actor::cli(),
            s.org,
            s.head,
            FeedSubject::School(OWN),
            "My school's visits",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(notifications::feed_secret_well_formed(&secret));
        // Only the hash is stored.
        let stored = db
            .execute_raw_text("SELECT secret_hash FROM calendar_feeds")
            .await
            .unwrap();
        assert!(!stored.contains(&secret[4..]));
        let found = db.feed_by_secret(&secret).await.unwrap().unwrap();
        assert_eq!(found.id, feed.id);
        assert_eq!(found.school_urn, Some(OWN));
        assert!(db.feed_by_secret("cal_0000").await.unwrap().is_none());
        // Another user cannot revoke it; its owner can.
        let mut tx = db.begin().await.unwrap();
        assert!(
            notifications::revoke_feed(&mut tx, &Actor::cli(), s.other_head, feed.id)
                .await
                .is_err()
        );
        notifications::revoke_feed(&mut tx, &Actor::cli(), s.head, feed.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(db.feed_by_secret(&secret).await.unwrap().is_none());
        assert!(db.calendar_feeds(s.head).await.unwrap()[0]
            .revoked_at
            .is_some());
    }
}

#[tokio::test]
async fn starttls_upgrades_before_authenticating_and_trusts_the_councils_ca() {
    let pki = make_pki("Camden Council internal CA");
    let sink = SmtpSink::start_with(Mode {
        starttls: Some(pki.server.clone()),
        auth: vec!["PLAIN", "LOGIN"],
        ..Mode::default()
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        queue_one(&db, &s).await;
        let before = sink.messages().len();
        let smtp = secure(
            sink.port,
            SmtpSecurity::StartTls,
            Some(ca_file(tmp.path(), &pki)),
        );
        let r = mail::send_pending(&db, &smtp, jiff::Timestamp::now(), 100)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed, r.waiting), (1, 0, 0));
        let got = sink.messages();
        assert_eq!(got.len(), before + 1);
        let m = got.last().unwrap();
        assert_eq!(m.to, vec!["<head@coram.example>".to_string()]);
        assert!(m
            .data
            .contains("Subject: A note of visit to Thomas Coram Centre is ready for you"));
        let sent = &db.outbox(10).await.unwrap()[0];
        assert!(sent.sent_at.is_some() && sent.last_error.is_none());
    }
    // STARTTLS, then the handshake, then AUTH; nothing but EHLO and STARTTLS in clear.
    let starttls = sink.first("STARTTLS").unwrap();
    let tls = sink.first("TLS").unwrap();
    let auth = sink.first("AUTH").unwrap();
    assert!(starttls < tls && tls < auth, "{:?}", sink.events());
    for (verb, encrypted) in sink.events() {
        assert!(
            encrypted || ["EHLO", "STARTTLS"].contains(&verb.as_str()),
            "{verb} sent in clear: {:?}",
            sink.events()
        );
    }
    let logins = sink.logins();
    assert_eq!(logins.len(), 2, "once per backend");
    assert_eq!(
        logins[0],
        Login {
            mechanism: "PLAIN".into(),
            username: USERNAME.into(),
            password: PASSWORD.into(),
            encrypted: true,
        }
    );
}

#[tokio::test]
async fn a_server_without_starttls_gets_nothing_and_the_message_waits() {
    let pki = make_pki("Camden Council internal CA");
    // Offers AUTH in clear, but no STARTTLS.
    let sink = SmtpSink::start_with(Mode {
        auth: vec!["PLAIN", "LOGIN"],
        ..Mode::default()
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        queue_one(&db, &s).await;
        let now = jiff::Timestamp::now();
        let smtp = secure(
            sink.port,
            SmtpSecurity::StartTls,
            Some(ca_file(tmp.path(), &pki)),
        );
        let r = mail::send_pending(&db, &smtp, now, 100).await.unwrap();
        assert_eq!((r.sent, r.failed, r.waiting), (0, 1, 1));
        let m = &db.outbox(10).await.unwrap()[0];
        assert_eq!(m.attempts, 1);
        assert!(m.sent_at.is_none());
        let e = m.last_error.clone().unwrap();
        assert!(e.contains("STARTTLS"), "{e}");
        assert!(!e.contains(PASSWORD), "{e}");
        assert!(m.next_attempt_at.clone().unwrap() > uplift_store::timestamp(now));
    }
    assert!(sink.messages().is_empty());
    assert!(sink.logins().is_empty());
    assert!(sink.first("AUTH").is_none() && sink.first("MAIL").is_none());
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_failed_attempt_retried_later() {
    let pki = make_pki("Camden Council internal CA");
    let sink = SmtpSink::start_with(Mode {
        starttls: Some(pki.server.clone()),
        auth: vec!["PLAIN", "LOGIN"],
        ..Mode::default()
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        queue_one(&db, &s).await;
        let now = jiff::Timestamp::now();
        // The council's CA is not trusted: the Mozilla roots alone.
        let untrusted = secure(sink.port, SmtpSecurity::StartTls, None);
        let r = mail::send_pending(&db, &untrusted, now, 100).await.unwrap();
        assert_eq!((r.sent, r.failed, r.waiting), (0, 1, 1));
        let m = &db.outbox(10).await.unwrap()[0];
        let e = m.last_error.clone().unwrap();
        assert!(e.to_lowercase().contains("certificate"), "{e}");
        assert_eq!(m.attempts, 1);
        // Another CA's file does not help either.
        let other = tmp.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        let wrong = secure(
            sink.port,
            SmtpSecurity::StartTls,
            Some(ca_file(&other, &make_pki("Somebody else's CA"))),
        );
        let r = mail::send_pending(&db, &wrong, after(now, 2), 100)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed), (0, 1));
        assert_eq!(db.outbox(10).await.unwrap()[0].attempts, 2);
        // Not retried before its time, even once the CA is trusted.
        let trusted = secure(
            sink.port,
            SmtpSecurity::StartTls,
            Some(ca_file(tmp.path(), &pki)),
        );
        let r = mail::send_pending(&db, &trusted, after(now, 2), 100)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed, r.waiting), (0, 0, 1));
        // After the backoff: delivered.
        let r = mail::send_pending(&db, &trusted, after(now, 10), 100)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed, r.waiting), (1, 0, 0));
        let m = &db.outbox(10).await.unwrap()[0];
        assert_eq!(m.attempts, 3);
        assert!(m.last_error.is_none() && m.sent_at.is_some());
    }
    assert_eq!(sink.messages().len(), 2, "once per backend");
    // The failed handshakes never reached AUTH: credentials only ever over TLS.
    assert!(sink
        .events()
        .iter()
        .any(|(v, _)| v.starts_with("TLS FAILED")));
    assert!(sink.logins().iter().all(|l| l.encrypted));
    assert_eq!(sink.logins().len(), 2);
}

#[tokio::test]
async fn implicit_tls_delivers_with_auth_login() {
    let pki = make_pki("Camden Council internal CA");
    let sink = SmtpSink::start_with(Mode {
        implicit: Some(pki.server.clone()),
        auth: vec!["LOGIN"],
        ..Mode::default()
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        queue_one(&db, &s).await;
        let smtp = secure(
            sink.port,
            SmtpSecurity::Tls,
            Some(ca_file(tmp.path(), &pki)),
        );
        let r = mail::send_pending(&db, &smtp, jiff::Timestamp::now(), 100)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed, r.waiting), (1, 0, 0));
    }
    assert_eq!(sink.messages().len(), 2);
    let events = sink.events();
    assert_eq!(events[0], ("TLS".to_string(), true), "{events:?}");
    assert!(events.iter().all(|(_, encrypted)| *encrypted), "{events:?}");
    assert!(sink.first("STARTTLS").is_none());
    assert_eq!(
        sink.logins()[0],
        Login {
            mechanism: "LOGIN".into(),
            username: USERNAME.into(),
            password: PASSWORD.into(),
            encrypted: true,
        }
    );
}

#[tokio::test]
async fn plain_smtp_with_a_password_to_another_host_is_a_configuration_error() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        queue_one(&db, &s).await;
        let before = db.outbox(10).await.unwrap()[0].clone();
        let mut smtp = SmtpSettings {
            host: "relay.council.example".into(),
            ..secure(25, SmtpSecurity::None, None)
        };
        for allow_insecure in [false, true] {
            smtp.allow_insecure = allow_insecure;
            let e = mail::send_pending(&db, &smtp, jiff::Timestamp::now(), 100)
                .await
                .unwrap_err()
                .to_string();
            assert!(e.contains("smtp_security"), "{e}");
            assert!(e.contains("smtp_password"), "{e}");
            assert!(!e.contains(PASSWORD), "{e}");
            // Nothing tried, nothing recorded: the message waits as it was.
            assert_eq!(db.outbox(10).await.unwrap()[0], before);
        }
        // Without credentials, and explicitly allowed: a trusted relay may be plain.
        smtp.username = None;
        smtp.password = None;
        assert!(smtp.check().is_ok());
        smtp.allow_insecure = false;
        let e = smtp.check().unwrap_err().to_string();
        assert!(e.contains("smtp_allow_insecure"), "{e}");
    }
}

#[tokio::test]
async fn a_server_that_goes_quiet_times_out_and_the_message_waits() {
    let sink = SmtpSink::start_with(Mode {
        silent: true,
        ..Mode::default()
    })
    .await;
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        queue_one(&db, &s).await;
        let smtp = SmtpSettings {
            timeout_secs: 1,
            ..settings(sink.port)
        };
        let started = std::time::Instant::now();
        let r = mail::send_pending(&db, &smtp, jiff::Timestamp::now(), 100)
            .await
            .unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        assert_eq!((r.sent, r.failed, r.waiting), (0, 1, 1));
        let e = db.outbox(10).await.unwrap()[0].last_error.clone().unwrap();
        assert!(e.contains("no answer within 2 seconds"), "{e}");
    }
}

/// Two instances sweeping the same day at once (separate pools): the day's
/// run is claimed in job_runs, so one does the work and the other skips.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_sweeps_at_once_for_the_same_day_do_the_work_once() {
    use uplift_store::jobs;
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        sweep_fixture(&db, &s).await;
        let today = jiff::civil::date(2026, 11, 22);
        let a = Db::connect(db.url()).await.unwrap();
        let b = Db::connect(db.url()).await.unwrap();
        let (ra, rb) = tokio::join!(
            tokio::spawn({
                let a = a.clone();
                async move { a.daily_sweep(today, "instance-a").await }
            }),
            tokio::spawn({
                let b = b.clone();
                async move { b.daily_sweep(today, "instance-b").await }
            }),
        );
        let (ra, rb) = (ra.unwrap().unwrap(), rb.unwrap().unwrap());
        let (done, skipped) = match (&ra, &rb) {
            (Some(r), None) => (r, "instance-b"),
            (None, Some(r)) => (r, "instance-a"),
            other => panic!(
                "{:?}: exactly one sweep should run: {other:?}",
                db.backend()
            ),
        };
        assert_eq!(done.total(), 3);
        assert_eq!(count(&db, "notifications").await, 3);
        let runs = db.job_runs(jobs::SWEEP, 10).await.unwrap();
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!(runs[0].run_date, "2026-11-22");
        assert_ne!(runs[0].owner, skipped);
        assert!(runs[0].finished_at.is_some());
        assert!(runs[0]
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("\"visits_overdue\":1"));
        assert!(db.daily_run_done(jobs::SWEEP, today).await.unwrap());
        // Later the same day: nothing. The next day: its own run.
        assert_eq!(db.daily_sweep(today, "instance-a").await.unwrap(), None);
        let next = db
            .daily_sweep(today.tomorrow().unwrap(), "instance-b")
            .await
            .unwrap();
        assert_eq!(next.map(|r| r.total()), Some(0));
        a.close().await;
        b.close().await;
    }
}
