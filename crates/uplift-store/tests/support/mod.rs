//! What the notification and outbox tests share: a tiny SMTP server on a
//! loopback port (plain, STARTTLS or implicit TLS, with AUTH PLAIN and LOGIN,
//! and a CA and certificate made by each test), SMTP settings for it, and an
//! organisation with an adviser and two headteachers.

#![allow(dead_code)]

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
use uplift_store::mail::{SmtpSecurity, SmtpSettings};
use uplift_store::notifications;
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::users::{self, NewUser};
use uplift_store::Db;

/// A message the sink received: envelope and data.
#[derive(Debug, Clone, Default)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

/// Credentials a client gave, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub mechanism: String,
    pub username: String,
    pub password: String,
    pub encrypted: bool,
}

/// What the sink saw, in order, across connections: each command's verb
/// (`EHLO`, `STARTTLS`, `AUTH`, `MAIL`…) and whether it came over TLS, and
/// `TLS` / `TLS FAILED: …` when a handshake completed or failed.
#[derive(Debug, Default)]
pub struct Seen {
    pub received: Vec<Received>,
    pub events: Vec<(String, bool)>,
    pub logins: Vec<Login>,
}

/// How the sink secures connections and what it offers.
#[derive(Clone, Default)]
pub struct Mode {
    /// Offer STARTTLS on plain connections, with this certificate.
    pub starttls: Option<Arc<ServerConfig>>,
    /// TLS from the first byte, with this certificate.
    pub implicit: Option<Arc<ServerConfig>>,
    /// AUTH mechanisms offered; none: no AUTH.
    pub auth: Vec<&'static str>,
    /// Accept connections and never answer.
    pub silent: bool,
    /// How long to take over each message before accepting it.
    pub data_delay: std::time::Duration,
}

/// A tiny SMTP server on a loopback port: enough of RFC 5321 for a client to
/// deliver mail (greeting, EHLO/HELO, MAIL, RCPT, DATA with dot-stuffing,
/// RSET, NOOP, QUIT), plus STARTTLS (RFC 3207), implicit TLS (RFC 8314) and
/// AUTH PLAIN / LOGIN (RFC 4954) when asked. Every message it accepts is kept.
pub struct SmtpSink {
    pub port: u16,
    pub seen: Arc<Mutex<Seen>>,
    pub task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        SmtpSink::start_with(Mode::default()).await
    }

    pub async fn start_with(mode: Mode) -> SmtpSink {
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

    pub fn messages(&self) -> Vec<Received> {
        self.seen.lock().unwrap().received.clone()
    }

    pub fn logins(&self) -> Vec<Login> {
        self.seen.lock().unwrap().logins.clone()
    }

    pub fn events(&self) -> Vec<(String, bool)> {
        self.seen.lock().unwrap().events.clone()
    }

    /// Where the first event with this verb is.
    pub fn first(&self, verb: &str) -> Option<usize> {
        self.events().iter().position(|(v, _)| v == verb)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn note(seen: &Mutex<Seen>, event: impl Into<String>, encrypted: bool) {
    seen.lock().unwrap().events.push((event.into(), encrypted));
}

/// One client connection: TLS first when implicit, then the conversation,
/// then (after STARTTLS) the handshake and the conversation again.
pub async fn connection(stream: TcpStream, seen: Arc<Mutex<Seen>>, mode: Mode) {
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

pub async fn read_line<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut BufReader<S>,
) -> std::io::Result<Option<String>> {
    let mut line = String::new();
    if conn.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()))
}

pub fn unbase64(s: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The SMTP conversation on one (plain or TLS) stream. True when the client
/// asked for STARTTLS and was told to go ahead.
pub async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
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
pub struct Pki {
    pub ca_pem: String,
    pub server: Arc<ServerConfig>,
}

pub fn make_pki(name: &str) -> Pki {
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
pub fn ca_file(dir: &std::path::Path, pki: &Pki) -> PathBuf {
    let path = dir.join("council-ca.pem");
    std::fs::write(&path, &pki.ca_pem).unwrap();
    path
}

/// A loopback port nothing listens on.
pub async fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}

pub fn settings(port: u16) -> SmtpSettings {
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

pub const USERNAME: &str = "uplift@council.example";
pub const PASSWORD: &str = "correct horse: battery staple £1";

/// Settings for a TLS relay on this host, with credentials.
pub fn secure(port: u16, security: SmtpSecurity, ca: Option<PathBuf>) -> SmtpSettings {
    SmtpSettings {
        security,
        ca_file: ca,
        username: Some(USERNAME.into()),
        password: Some(PASSWORD.into()),
        ..settings(port)
    }
}

pub struct Setup {
    pub org: i64,
    pub adviser_user: i64,
    pub head: i64,
    pub other_head: i64,
}

pub const OWN: i64 = 100005;
pub const OTHER: i64 = 100008;

pub async fn add_user(db: &Db, org: i64, role: Role, email: &str, school: Option<i64>) -> i64 {
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

pub async fn setup(db: &Db) -> Setup {
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

pub async fn count(db: &Db, table: &str) -> i64 {
    db.execute_raw_text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
        .await
        .unwrap()
        .parse()
        .unwrap()
}

/// Visit 1: planned in the past, not held (overdue). Visit 2: form requested,
/// visit in 3 days. Visit 3: note sent, response overdue. Visit 4: another
/// school, held: nothing. Swept on 2026-11-22: three notifications.
pub async fn sweep_fixture(db: &Db, s: &Setup) {
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

/// Puts one email for the headteacher in the outbox.
pub async fn queue_one(db: &Db, s: &Setup) {
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

pub fn after(t: jiff::Timestamp, mins: i64) -> jiff::Timestamp {
    t.checked_add(jiff::SignedDuration::from_mins(mins))
        .unwrap()
}

/// Puts `n` emails for the headteacher in the outbox, subjects "Message 0"…
pub async fn queue_many(db: &Db, s: &Setup, n: usize) {
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
