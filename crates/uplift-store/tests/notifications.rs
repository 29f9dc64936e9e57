//! Notifications on both backends: the inbox and the outbox written in one
//! transaction, email preferences, delivery through a real (local) SMTP
//! server speaking the protocol over TCP, retry with backoff while the mail
//! server is down, the idempotent daily sweep, and calendar feed secrets.
//! The SMTP server here also speaks STARTTLS and implicit TLS (rustls, with a
//! CA and certificate made by each test) and AUTH PLAIN and LOGIN, so the
//! secured delivery councils need is tested against the real protocol.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;
use uplift_domain::access::Role;
use uplift_domain::identity::Email;
use uplift_store::audit::Actor;
use uplift_store::mail::{self, SmtpSecurity, SmtpSettings};
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

/// Credentials a client gave, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Login {
    mechanism: String,
    username: String,
    password: String,
    encrypted: bool,
}

/// What the sink saw, in order, across connections: each command's verb
/// (`EHLO`, `STARTTLS`, `AUTH`, `MAIL`…) and whether it came over TLS, and
/// `TLS` / `TLS FAILED: …` when a handshake completed or failed.
#[derive(Debug, Default)]
struct Seen {
    received: Vec<Received>,
    events: Vec<(String, bool)>,
    logins: Vec<Login>,
}

/// How the sink secures connections and what it offers.
#[derive(Clone, Default)]
struct Mode {
    /// Offer STARTTLS on plain connections, with this certificate.
    starttls: Option<Arc<ServerConfig>>,
    /// TLS from the first byte, with this certificate.
    implicit: Option<Arc<ServerConfig>>,
    /// AUTH mechanisms offered; none: no AUTH.
    auth: Vec<&'static str>,
    /// Accept connections and never answer.
    silent: bool,
    /// How long to take over each message before accepting it.
    data_delay: std::time::Duration,
}

/// A tiny SMTP server on a loopback port: enough of RFC 5321 for a client to
/// deliver mail (greeting, EHLO/HELO, MAIL, RCPT, DATA with dot-stuffing,
/// RSET, NOOP, QUIT), plus STARTTLS (RFC 3207), implicit TLS (RFC 8314) and
/// AUTH PLAIN / LOGIN (RFC 4954) when asked. Every message it accepts is kept.
struct SmtpSink {
    port: u16,
    seen: Arc<Mutex<Seen>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    async fn start() -> SmtpSink {
        SmtpSink::start_with(Mode::default()).await
    }

    async fn start_with(mode: Mode) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let keep = seen.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(connection(stream, keep.clone(), mode.clone()));
            }
        });
        SmtpSink { port, seen, task }
    }

    fn messages(&self) -> Vec<Received> {
        self.seen.lock().unwrap().received.clone()
    }

    fn logins(&self) -> Vec<Login> {
        self.seen.lock().unwrap().logins.clone()
    }

    fn events(&self) -> Vec<(String, bool)> {
        self.seen.lock().unwrap().events.clone()
    }

    /// Where the first event with this verb is.
    fn first(&self, verb: &str) -> Option<usize> {
        self.events().iter().position(|(v, _)| v == verb)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn note(seen: &Mutex<Seen>, event: impl Into<String>, encrypted: bool) {
    seen.lock().unwrap().events.push((event.into(), encrypted));
}

/// One client connection: TLS first when implicit, then the conversation,
/// then (after STARTTLS) the handshake and the conversation again.
async fn connection(stream: TcpStream, seen: Arc<Mutex<Seen>>, mode: Mode) {
    if mode.silent {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        return;
    }
    if let Some(config) = mode.implicit.clone() {
        match TlsAcceptor::from(config).accept(stream).await {
            Ok(tls) => {
                note(&seen, "TLS", true);
                let mut conn = BufReader::new(tls);
                if conn
                    .write_all(b"220 sink.test ESMTP ready\r\n")
                    .await
                    .is_ok()
                {
                    let _ = converse(&mut conn, &seen, &mode, true).await;
                }
            }
            Err(e) => note(&seen, format!("TLS FAILED: {e}"), false),
        }
        return;
    }
    let mut conn = BufReader::new(stream);
    if conn
        .write_all(b"220 sink.test ESMTP ready\r\n")
        .await
        .is_err()
    {
        return;
    }
    let Some(config) = mode.starttls.clone() else {
        let _ = converse(&mut conn, &seen, &mode, false).await;
        return;
    };
    if let Ok(true) = converse(&mut conn, &seen, &mode, false).await {
        match TlsAcceptor::from(config).accept(conn.into_inner()).await {
            Ok(tls) => {
                note(&seen, "TLS", true);
                let mut conn = BufReader::new(tls);
                let _ = converse(&mut conn, &seen, &mode, true).await;
            }
            Err(e) => note(&seen, format!("TLS FAILED: {e}"), false),
        }
    }
}

async fn read_line<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut BufReader<S>,
) -> std::io::Result<Option<String>> {
    let mut line = String::new();
    if conn.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()))
}

fn unbase64(s: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The SMTP conversation on one (plain or TLS) stream. True when the client
/// asked for STARTTLS and was told to go ahead.
async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut BufReader<S>,
    seen: &Mutex<Seen>,
    mode: &Mode,
    encrypted: bool,
) -> std::io::Result<bool> {
    let mut current = Received::default();
    while let Some(line) = read_line(conn).await? {
        let upper = line.to_ascii_uppercase();
        let verb = upper.split_whitespace().next().unwrap_or("").to_string();
        note(seen, verb.clone(), encrypted);
        let reply: Vec<u8> = if verb == "EHLO" {
            let mut r = String::from("250-sink.test greets you\r\n");
            if mode.starttls.is_some() && !encrypted {
                r.push_str("250-STARTTLS\r\n");
            }
            if !mode.auth.is_empty() {
                r.push_str(&format!("250-AUTH {}\r\n", mode.auth.join(" ")));
            }
            r.push_str("250 8BITMIME\r\n");
            r.into_bytes()
        } else if verb == "HELO" {
            b"250 sink.test\r\n".to_vec()
        } else if verb == "STARTTLS" {
            if mode.starttls.is_some() && !encrypted {
                conn.write_all(b"220 2.0.0 Ready to start TLS\r\n").await?;
                return Ok(true);
            }
            b"502 5.5.1 STARTTLS not available\r\n".to_vec()
        } else if verb == "AUTH" {
            let mut words = line.split_whitespace().skip(1);
            let mechanism = words.next().unwrap_or("").to_ascii_uppercase();
            let initial = words.next().map(str::to_string);
            if !mode.auth.contains(&mechanism.as_str()) {
                b"504 5.5.4 Unrecognized authentication type\r\n".to_vec()
            } else if mechanism == "PLAIN" {
                let response = match initial {
                    Some(r) => r,
                    None => {
                        conn.write_all(b"334 \r\n").await?;
                        read_line(conn).await?.unwrap_or_default()
                    }
                };
                let decoded = unbase64(&response);
                let mut parts = decoded.split('\0').skip(1);
                let username = parts.next().unwrap_or("").to_string();
                let password = parts.next().unwrap_or("").to_string();
                seen.lock().unwrap().logins.push(Login {
                    mechanism,
                    username,
                    password,
                    encrypted,
                });
                b"235 2.7.0 Authentication successful\r\n".to_vec()
            } else {
                // LOGIN: "Username:" and "Password:", each in base64.
                conn.write_all(b"334 VXNlcm5hbWU6\r\n").await?;
                let username = unbase64(&read_line(conn).await?.unwrap_or_default());
                conn.write_all(b"334 UGFzc3dvcmQ6\r\n").await?;
                let password = unbase64(&read_line(conn).await?.unwrap_or_default());
                seen.lock().unwrap().logins.push(Login {
                    mechanism,
                    username,
                    password,
                    encrypted,
                });
                b"235 2.7.0 Authentication successful\r\n".to_vec()
            }
        } else if upper.starts_with("MAIL FROM:") {
            current = Received {
                from: line[10..].trim().to_string(),
                ..Default::default()
            };
            b"250 OK\r\n".to_vec()
        } else if upper.starts_with("RCPT TO:") {
            current.to.push(line[8..].trim().to_string());
            b"250 OK\r\n".to_vec()
        } else if upper == "DATA" {
            conn.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = String::new();
            while let Some(l) = read_line(conn).await? {
                if l == "." {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                data.push('\n');
            }
            current.data = data;
            tokio::time::sleep(mode.data_delay).await;
            seen.lock()
                .unwrap()
                .received
                .push(std::mem::take(&mut current));
            b"250 OK: queued\r\n".to_vec()
        } else if upper == "QUIT" {
            conn.write_all(b"221 Bye\r\n").await?;
            return Ok(false);
        } else if upper == "RSET" || upper == "NOOP" {
            b"250 OK\r\n".to_vec()
        } else {
            b"502 Command not implemented\r\n".to_vec()
        };
        conn.write_all(&reply).await?;
        conn.flush().await?;
    }
    Ok(false)
}

/// A council's internal CA (made now) and a server certificate it issued for
/// `127.0.0.1` and `localhost`: the CA in PEM, and the server's TLS setup.
struct Pki {
    ca_pem: String,
    server: Arc<ServerConfig>,
}

fn make_pki(name: &str) -> Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose,
    };
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, name);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = leaf.signed_by(&key, &ca).unwrap();
    let server =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .unwrap();
    Pki {
        ca_pem: ca.pem(),
        server: Arc::new(server),
    }
}

/// Writes the CA to a PEM file in `dir`, as an operator would for `smtp_ca_file`.
fn ca_file(dir: &std::path::Path, pki: &Pki) -> PathBuf {
    let path = dir.join("council-ca.pem");
    std::fs::write(&path, &pki.ca_pem).unwrap();
    path
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
        // A relay on this host: plain SMTP is allowed.
        security: SmtpSecurity::None,
        ca_file: None,
        allow_insecure: false,
    }
}

const USERNAME: &str = "uplift@council.example";
const PASSWORD: &str = "correct horse: battery staple £1";

/// Settings for a TLS relay on this host, with credentials.
fn secure(port: u16, security: SmtpSecurity, ca: Option<PathBuf>) -> SmtpSettings {
    SmtpSettings {
        security,
        ca_file: ca,
        username: Some(USERNAME.into()),
        password: Some(PASSWORD.into()),
        ..settings(port)
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

/// Visit 1: planned in the past, not held (overdue). Visit 2: form requested,
/// visit in 3 days. Visit 3: note sent, response overdue. Visit 4: another
/// school, held: nothing. Swept on 2026-11-22: three notifications.
async fn sweep_fixture(db: &Db, s: &Setup) {
    let t = uplift_store::now();
    db.execute_raw(&format!(
        "INSERT INTO advisers (id, organisation_id, user_id, name, email, capacity_days, created_at, updated_at)
         VALUES (1, {}, {}, 'Ada Adviser', 'adviser@camden.example', 30, '{t}', '{t}')",
        s.org, s.adviser_user
    ))
    .await
    .unwrap();
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

/// Puts one email for the headteacher in the outbox.
async fn queue_one(db: &Db, s: &Setup) {
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
}

fn after(t: jiff::Timestamp, mins: i64) -> jiff::Timestamp {
    t.checked_add(jiff::SignedDuration::from_mins(mins))
        .unwrap()
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

/// Puts `n` emails for the headteacher in the outbox, subjects "Message 0"…
async fn queue_many(db: &Db, s: &Setup, n: usize) {
    let mut tx = db.begin().await.unwrap();
    for i in 0..n {
        notifications::notify(
            &mut tx,
            s.org,
            s.head,
            notifications::NOTE_AWAITING_HEADTEACHER,
            &format!("Message {i}"),
            "Mark it accurate or respond with comments.",
            Some("/visits/7"),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

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
