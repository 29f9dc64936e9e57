//! Notifications on both backends: the inbox and the outbox written in one
//! transaction, email preferences, delivery through a real (local) SMTP
//! server speaking the protocol over TCP, retry with backoff while the mail
//! server is down, the idempotent daily sweep, and calendar feed secrets.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use uplift_domain::access::Role;
use uplift_domain::identity::Email;
use uplift_store::audit::Actor;
use uplift_store::mail::{self, SmtpSettings};
use uplift_store::notifications::{self, FeedSubject};
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::testkit::each_backend;
use uplift_store::users::{self, NewUser};
use uplift_store::Db;

/// A message the sink received: envelope and data.
#[derive(Debug, Clone, Default)]
struct Received {
    from: String,
    to: Vec<String>,
    data: String,
}

/// A tiny SMTP server on a loopback port: enough of RFC 5321 for a client to
/// deliver mail (greeting, EHLO/HELO, MAIL, RCPT, DATA with dot-stuffing,
/// RSET, NOOP, QUIT). Every message it accepts is kept.
struct SmtpSink {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let keep = received.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let keep = keep.clone();
                tokio::spawn(async move {
                    let (r, mut w) = stream.into_split();
                    let mut lines = BufReader::new(r).lines();
                    let _ = w.write_all(b"220 sink.test ESMTP ready\r\n").await;
                    let mut current = Received::default();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") {
                            b"250-sink.test greets you\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("HELO") {
                            b"250 sink.test\r\n"
                        } else if upper.starts_with("MAIL FROM:") {
                            current = Received {
                                from: line[10..].trim().to_string(),
                                ..Default::default()
                            };
                            b"250 OK\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            current.to.push(line[8..].trim().to_string());
                            b"250 OK\r\n"
                        } else if upper == "DATA" {
                            let _ = w
                                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                                .await;
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                                data.push('\n');
                            }
                            current.data = data;
                            keep.lock().unwrap().push(std::mem::take(&mut current));
                            b"250 OK: queued\r\n"
                        } else if upper == "QUIT" {
                            let _ = w.write_all(b"221 Bye\r\n").await;
                            return;
                        } else if upper == "RSET" || upper == "NOOP" {
                            b"250 OK\r\n"
                        } else {
                            b"502 Command not implemented\r\n"
                        };
                        if w.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        SmtpSink {
            port,
            received,
            task,
        }
    }

    fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback port nothing listens on.
async fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}

fn settings(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        from: "Uplift <uplift@council.example>".into(),
        username: None,
        password: None,
        base_url: "https://uplift.council.example".into(),
        timeout_secs: 5,
    }
}

struct Setup {
    org: i64,
    adviser_user: i64,
    head: i64,
    other_head: i64,
}

const OWN: i64 = 100005;
const OTHER: i64 = 100008;

async fn add_user(db: &Db, org: i64, role: Role, email: &str, school: Option<i64>) -> i64 {
    let e = Email::parse(email).unwrap();
    let mut tx = db.begin().await.unwrap();
    let u = users::create(
        &mut tx,
        &Actor::cli(),
        &NewUser {
            organisation_id: org,
            email: &e,
            name: email,
            role,
            school_urn: school,
            password_hash: "not-a-real-hash",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    u.id
}

async fn setup(db: &Db) -> Setup {
    let t = uplift_store::now();
    for (urn, name) in [
        (OWN, "Thomas Coram Centre"),
        (OTHER, "Argyle Primary School"),
    ] {
        db.execute_raw(&format!(
            "INSERT INTO schools (urn, la_code, name, created_at, updated_at) VALUES ({urn}, '202', '{name}', '{t}', '{t}')"
        ))
        .await
        .unwrap();
    }
    let mut tx = db.begin().await.unwrap();
    let org = orgs::create(
        &mut tx,
        &Actor::cli(),
        &NewOrganisation {
            slug: "camden",
            name: "Camden Council",
            kind: "local-authority",
            la_code: Some("202"),
        },
    )
    .await
    .unwrap()
    .id;
    tx.commit().await.unwrap();
    Setup {
        org,
        adviser_user: add_user(db, org, Role::Adviser, "adviser@camden.example", None).await,
        head: add_user(db, org, Role::School, "head@coram.example", Some(OWN)).await,
        other_head: add_user(db, org, Role::School, "head@argyle.example", Some(OTHER)).await,
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    db.execute_raw_text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
        .await
        .unwrap()
        .parse()
        .unwrap()
}

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
        let t = uplift_store::now();
        db.execute_raw(&format!(
            "INSERT INTO advisers (id, organisation_id, user_id, name, email, capacity_days, created_at, updated_at)
             VALUES (1, {}, {}, 'Ada Adviser', 'adviser@camden.example', 30, '{t}', '{t}')",
            s.org, s.adviser_user
        ))
        .await
        .unwrap();
        // Visit 1: planned in the past, not held (overdue). Visit 2: form requested, visit in 3 days.
        // Visit 3: note sent, response overdue. Visit 4: another school, held: nothing.
        for (id, urn, date, stage) in [
            (1, OWN, "2026-11-02", "planned"),
            (2, OWN, "2026-11-25", "self_evaluation_requested"),
            (3, OWN, "2026-10-01", "sent_to_headteacher"),
            (4, OTHER, "2026-11-02", "held"),
        ] {
            db.execute_raw(&format!(
                "INSERT INTO visits (id, organisation_id, urn, adviser_id, visit_type, academic_year, planned_date,
                     focus, stage, response_working_days, created_by, created_at, updated_at)
                 VALUES ({id}, {}, {urn}, 1, 'school_effectiveness', '2026/27', '{date}', 'Reading',
                     '{stage}', 10, 'test', '{t}', '{t}')",
                s.org
            ))
            .await
            .unwrap();
        }
        db.execute_raw(&format!(
            "INSERT INTO visit_self_evaluations (visit_id, requested_at) VALUES (2, '{t}')"
        ))
        .await
        .unwrap();
        db.execute_raw(&format!(
            "INSERT INTO visit_notes (visit_id, content, state, sent_at, response_due, created_at, updated_at)
             VALUES (3, '{{}}', 'sent', '{t}', '2026-10-15', '{t}', '{t}')"
        ))
        .await
        .unwrap();
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
