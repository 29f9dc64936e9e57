//! The outbox shared by several senders, on both backends, against the local
//! SMTP server of `support/`: each message claimed on its own with a lease
//! and delivered exactly once, a live lease respected, and a batch that stops
//! at the first sign the relay is down.

mod support;

use support::*;
use uplift_store::mail;
use uplift_store::testkit::each_backend;
use uplift_store::Db;

/// Two senders at once (two instances, or `uplift mail send-pending` beside
/// `serve`: separate pools on the same database) share the outbox: each
/// message is claimed on its own and delivered exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_senders_at_once_deliver_each_message_exactly_once() {
    const N: usize = 24;
    for (db, _dir) in each_backend().await {
        let sink = SmtpSink::start_with(Mode {
            data_delay: std::time::Duration::from_millis(15),
            ..Mode::default()
        })
        .await;
        let s = setup(&db).await;
        queue_many(&db, &s, N).await;
        let now = jiff::Timestamp::now();
        let a = Db::connect(db.url()).await.unwrap();
        let b = Db::connect(db.url()).await.unwrap();
        let smtp = settings(sink.port);
        let (ra, rb) = tokio::join!(
            tokio::spawn({
                let (a, smtp) = (a.clone(), smtp.clone());
                async move { mail::send_pending(&a, &smtp, now, 100).await }
            }),
            tokio::spawn({
                let (b, smtp) = (b.clone(), smtp.clone());
                async move { mail::send_pending(&b, &smtp, now, 100).await }
            }),
        );
        let (ra, rb) = (ra.unwrap().unwrap(), rb.unwrap().unwrap());
        assert_eq!(ra.sent + rb.sent, N, "{ra:?} {rb:?}");
        assert_eq!(ra.failed + rb.failed, 0);
        let mut subjects: Vec<String> = sink
            .messages()
            .iter()
            .filter_map(|m| {
                m.data
                    .lines()
                    .find_map(|l| l.strip_prefix("Subject: ").map(str::to_string))
            })
            .collect();
        assert_eq!(subjects.len(), N, "delivered {} messages", subjects.len());
        subjects.sort();
        subjects.dedup();
        assert_eq!(subjects.len(), N, "a message was delivered twice");
        for m in db.outbox(100).await.unwrap() {
            assert!(m.sent_at.is_some(), "{m:?}");
            assert_eq!(m.attempts, 1, "{m:?}");
            assert!(
                m.lease_owner.is_none() && m.lease_expires_at.is_none(),
                "{m:?}"
            );
        }
        eprintln!(
            "{:?}: sender a sent {}, sender b sent {}",
            db.backend(),
            ra.sent,
            rb.sent
        );
        a.close().await;
        b.close().await;
    }
}

/// A message another sender holds (its lease not expired) is left alone;
/// once the lease has expired (that sender died) it is sent.
#[tokio::test]
async fn a_leased_message_waits_until_its_lease_expires() {
    let sink = SmtpSink::start().await;
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        queue_one(&db, &s).await;
        let now = jiff::Timestamp::now();
        let until = uplift_store::timestamp(after(now, 5));
        db.execute_raw(&format!(
            "UPDATE mail_outbox SET lease_owner = 'another-instance', lease_expires_at = '{until}'"
        ))
        .await
        .unwrap();
        let before = sink.messages().len();
        let r = mail::send_pending(&db, &settings(sink.port), now, 100)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed, r.waiting), (0, 0, 1));
        assert_eq!(sink.messages().len(), before);
        let r = mail::send_pending(&db, &settings(sink.port), after(now, 6), 100)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed, r.waiting), (1, 0, 0));
        assert_eq!(sink.messages().len(), before + 1);
        let m = &db.outbox(1).await.unwrap()[0];
        assert!(m.lease_owner.is_none() && m.attempts == 1, "{m:?}");
    }
}

/// With the relay down, a batch stops at the first failure: that message is
/// recorded (attempt, error, backoff) and the rest are left untouched, with
/// no attempt counted. A failure of one message (a bad address) does not
/// stop the batch.
#[tokio::test]
async fn a_batch_stops_at_the_first_sign_the_relay_is_down() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        queue_many(&db, &s, 3).await;
        let before = db.outbox(10).await.unwrap();
        let now = jiff::Timestamp::now();
        let r = mail::send_pending(&db, &settings(closed_port().await), now, 100)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed, r.waiting), (0, 1, 3));
        let why = r.relay_down.clone().expect("the batch stopped: relay down");
        assert!(why.contains("127.0.0.1"), "{why}");
        let after_drain = db.outbox(10).await.unwrap();
        // Newest first: the oldest message was tried, the two others not.
        let (tried, rest) = after_drain.split_last().unwrap();
        assert_eq!(tried.attempts, 1);
        assert!(tried.last_error.is_some() && tried.lease_owner.is_none());
        assert!(tried.next_attempt_at > before.last().unwrap().next_attempt_at);
        assert_eq!(rest, &before[..2], "the rest are untouched");

        // A message that cannot be built fails alone; the batch goes on.
        let sink = SmtpSink::start().await;
        db.execute_raw(&format!(
            "UPDATE mail_outbox SET to_address = 'not an address' WHERE id = {}",
            rest[0].id
        ))
        .await
        .unwrap();
        let r = mail::send_pending(&db, &settings(sink.port), now, 100)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed, r.waiting), (1, 1, 2), "{r:?}");
        assert!(r.relay_down.is_none());
        assert_eq!(sink.messages().len(), 1);
    }
}
