//! Delivering the email outbox over SMTP (lettre). Each message is claimed
//! on its own before it is sent, with an atomic UPDATE that sets a lease
//! (owner and expiry) only when the message is unleased or its lease has
//! expired, so two senders (several instances, or the server's background
//! task and `uplift mail send-pending`) never send the same message twice.
//! The lease is released when the attempt is recorded: sent, or failed with
//! its error and retried later with exponential backoff (1 minute, doubling,
//! at most 6 hours between attempts). A failure that says the relay itself
//! is unreachable (connection refused, a TLS handshake or certificate
//! failure, a timeout) ends the batch: the other messages are left as they
//! were, unclaimed and with no attempt counted.
//!
//! The connection is secured as `smtp_security` says: `starttls` (the
//! default: a plain connection upgraded with STARTTLS, which must succeed
//! before anything else is said, usually port 587), `tls` (TLS from the first
//! byte, usually port 465) or `none` (only for a relay on this host, or when
//! explicitly allowed; never with credentials to another host). TLS is
//! rustls with the Mozilla root certificates, plus the organisation's own CA
//! from `smtp_ca_file` when given. A TLS or certificate failure is a failed
//! attempt like any other: the message stays in the outbox with the error
//! and is retried after the backoff.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use sqlx::FromRow;

use crate::{timestamp, Db, Result, StoreError};

/// Messages are given up after this many failed attempts (about five days at
/// the longest backoff); they stay in the outbox with their last error.
pub const MAX_ATTEMPTS: i64 = 25;

/// How long a claimed message is held before another sender may try it (at
/// least; longer when the SMTP timeout allows a longer attempt).
const LEASE_SECS: i64 = 300;

/// How the connection to the relay is secured (`smtp_security`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// A plain connection upgraded with STARTTLS before anything else is
    /// sent; a server that does not offer it gets nothing.
    #[default]
    StartTls,
    /// TLS from the first byte (implicit TLS, "SMTPS").
    Tls,
    /// No encryption at all.
    None,
}

impl SmtpSecurity {
    /// The setting's values, as written in the configuration.
    pub const VALUES: &'static str = "starttls, tls or none";

    /// Reads `starttls`, `tls` or `none` (any case, surrounding spaces ignored).
    pub fn parse(s: &str) -> Option<SmtpSecurity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "starttls" => Some(SmtpSecurity::StartTls),
            "tls" => Some(SmtpSecurity::Tls),
            "none" => Some(SmtpSecurity::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::None => "none",
        }
    }

    /// The usual port: 587 (submission with STARTTLS), 465 (implicit TLS)
    /// or 25 (a local relay).
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        }
    }
}

/// True for a relay on this host: `localhost` or a loopback address.
pub fn is_local_host(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Where and how to send mail.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// The From address, e.g. `Uplift <uplift@council.example>`.
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The address of the service, prefixed to links in messages (no trailing slash).
    pub base_url: String,
    /// How long to wait for the server to accept the connection; a whole
    /// message must be handed over within twice this.
    pub timeout_secs: u64,
    pub security: SmtpSecurity,
    /// PEM certificates trusted in addition to the Mozilla roots (an
    /// organisation's internal CA).
    pub ca_file: Option<PathBuf>,
    /// Allows `none` to a host other than this one (never with credentials).
    pub allow_insecure: bool,
}

/// Never shows the password.
impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("base_url", &self.base_url)
            .field("timeout_secs", &self.timeout_secs)
            .field("security", &self.security)
            .field("ca_file", &self.ca_file)
            .field("allow_insecure", &self.allow_insecure)
            .finish()
    }
}

impl SmtpSettings {
    /// Checks the settings, so that a bad From address, an unreadable CA
    /// file or credentials that would go out in clear are reported at start
    /// (and before every drain), naming the setting.
    pub fn check(&self) -> Result<()> {
        let host = self.host.trim();
        if host.is_empty() {
            return Err(StoreError::Invalid("smtp_host is empty".into()));
        }
        self.from.parse::<Mailbox>().map_err(|e| {
            StoreError::Invalid(format!(
                "smtp_from {:?} is not an email address: {e}",
                self.from
            ))
        })?;
        if self.username.is_some() != self.password.is_some() {
            return Err(StoreError::Invalid(
                "smtp_username and smtp_password go together: set both or neither".into(),
            ));
        }
        match self.security {
            SmtpSecurity::None => {
                let local = is_local_host(host);
                if self.username.is_some() && !local {
                    return Err(StoreError::Invalid(format!(
                        "smtp_security = none would send smtp_username and smtp_password to {host} \
                         unencrypted: set smtp_security to starttls or tls"
                    )));
                }
                if !local && !self.allow_insecure {
                    return Err(StoreError::Invalid(format!(
                        "smtp_security = none sends mail unencrypted and is for a relay on this host \
                         (localhost, 127.0.0.1, ::1), not {host}: set smtp_security to starttls or tls, \
                         or smtp_allow_insecure = true for a trusted relay"
                    )));
                }
                if self.ca_file.is_some() {
                    return Err(StoreError::Invalid(
                        "smtp_ca_file is set but smtp_security = none uses no TLS".into(),
                    ));
                }
            }
            SmtpSecurity::StartTls | SmtpSecurity::Tls => {
                self.tls_parameters()?;
            }
        }
        Ok(())
    }

    /// The TLS configuration: the Mozilla roots and the certificates of
    /// `ca_file`, for the name `host`.
    fn tls_parameters(&self) -> Result<TlsParameters> {
        let mut b = TlsParameters::builder(self.host.trim().to_string())
            .certificate_store(CertificateStore::WebpkiRoots);
        if let Some(path) = &self.ca_file {
            let bad = |why: String| {
                StoreError::Invalid(format!("smtp_ca_file {}: {why}", path.display()))
            };
            let pem = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
            const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
            if !pem.windows(BEGIN.len()).any(|w| w == BEGIN) {
                return Err(bad(
                    "no PEM certificate (-----BEGIN CERTIFICATE-----) in it".into(),
                ));
            }
            let cert = Certificate::from_pem(&pem).map_err(|e| bad(e.to_string()))?;
            b = b.add_root_certificate(cert);
            return b
                .build()
                .map_err(|e| bad(format!("not a usable CA certificate: {e}")));
        }
        b.build()
            .map_err(|e| StoreError::Invalid(format!("TLS for {}: {e}", self.host.trim())))
    }

    /// `host:port (security)`, for messages.
    fn server(&self) -> String {
        format!(
            "{}:{} ({})",
            self.host.trim(),
            self.port,
            self.security.as_str()
        )
    }
}

/// One message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct OutboxMessage {
    pub id: i64,
    pub organisation_id: Option<i64>,
    pub notification_id: Option<i64>,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
    /// The sender holding the message while it tries to send it.
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<String>,
}

const COLS: &str = "id, organisation_id, notification_id, to_address, subject, body, created_at, attempts, next_attempt_at, last_error, sent_at, lease_owner, lease_expires_at";

/// What one drain did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DrainReport {
    pub sent: usize,
    pub failed: usize,
    /// Messages still waiting (to retry later, or given up) after the drain.
    pub waiting: i64,
    /// Set when the batch stopped early because the relay is unreachable:
    /// the error of the attempt that said so.
    pub relay_down: Option<String>,
}

/// The delay after the `attempts`-th failed attempt.
pub fn backoff(attempts: i64) -> jiff::SignedDuration {
    let exp = attempts.clamp(1, 20) - 1;
    let mins = 1i64.checked_shl(exp as u32).unwrap_or(i64::MAX).min(360);
    jiff::SignedDuration::from_mins(mins)
}

fn later(t: jiff::Timestamp, d: jiff::SignedDuration) -> String {
    timestamp(t.checked_add(d).unwrap_or(t))
}

impl Db {
    /// The outbox, newest first (for operators and tests).
    pub async fn outbox(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        let sql = format!("SELECT {COLS} FROM mail_outbox ORDER BY id DESC LIMIT $1");
        Ok(
            on_pool!(self.pool(), p => sqlx::query_as(&sql).bind(limit.clamp(1, 10_000)).fetch_all(p).await)?,
        )
    }

    /// How many messages are not yet sent.
    pub async fn outbox_waiting(&self) -> Result<i64> {
        Ok(on_pool!(self.pool(), p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL").fetch_one(p).await)?)
    }

    /// Takes one due message for sending, leased to `owner` until
    /// `lease_until`: the message as it is now when this caller holds it,
    /// `None` when another sender has it (or sent it) already.
    async fn claim(
        &self,
        id: i64,
        owner: &str,
        lease_until: &str,
        now: &str,
    ) -> Result<Option<OutboxMessage>> {
        let sql = format!(
            "UPDATE mail_outbox SET lease_owner = $1, lease_expires_at = $2
             WHERE id = $3 AND sent_at IS NULL AND next_attempt_at IS NOT NULL AND next_attempt_at <= $4
               AND attempts < $5 AND (lease_expires_at IS NULL OR lease_expires_at <= $4)
             RETURNING {COLS}"
        );
        Ok(on_pool!(self.pool(), p => sqlx::query_as(&sql)
            .bind(owner).bind(lease_until).bind(id).bind(now).bind(MAX_ATTEMPTS)
            .fetch_optional(p).await)?)
    }
}

/// A name for one sender, unique enough to tell two apart in the outbox.
fn lease_owner() -> String {
    format!("pid{}-{:08x}", std::process::id(), rand::random::<u32>())
}

/// A failed attempt: what to record, and whether the relay itself is
/// unreachable (so the rest of the batch would fail the same way).
#[derive(Debug)]
struct Failure {
    error: String,
    relay_down: bool,
}

impl Failure {
    fn message(error: String) -> Failure {
        Failure {
            error,
            relay_down: false,
        }
    }
}

/// True when lettre's error says the relay could not be reached or spoken
/// to securely: connecting (refused, unreachable, no such host), the TLS
/// handshake or certificate check, STARTTLS missing, a timeout, the
/// connection dropped, or 421 (service not available). Not a refusal of one
/// message (a bad recipient, a 5xx to RCPT).
fn relay_down(e: &lettre::transport::smtp::Error) -> bool {
    use std::error::Error as _;
    use std::io::ErrorKind;
    let text = e.to_string();
    if e.is_timeout()
        || e.is_tls()
        // lettre's Kind::Connection (connecting and the TLS handshake) is not
        // public; its message is (lettre is pinned).
        || text.starts_with("Connection error")
        || text.contains("STARTTLS is not supported")
        || e.status().is_some_and(|c| c.to_string() == "421")
    {
        return true;
    }
    let mut source = e.source();
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
                    | ErrorKind::NotConnected
                    | ErrorKind::BrokenPipe
                    | ErrorKind::UnexpectedEof
                    | ErrorKind::TimedOut
                    | ErrorKind::HostUnreachable
                    | ErrorKind::NetworkUnreachable
                    | ErrorKind::AddrNotAvailable
            );
        }
        source = err.source();
    }
    false
}

fn build(settings: &SmtpSettings, m: &OutboxMessage) -> std::result::Result<Message, String> {
    let from: Mailbox = settings
        .from
        .parse()
        .map_err(|e| format!("from address: {e}"))?;
    let to: Mailbox = m
        .to_address
        .parse()
        .map_err(|e| format!("to address {:?}: {e}", m.to_address))?;
    let body = m
        .body
        .replace("{base_url}", settings.base_url.trim_end_matches('/'));
    Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| format!("message: {e}"))
}

fn transport(settings: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
    let tls = match settings.security {
        SmtpSecurity::StartTls => Tls::Required(settings.tls_parameters()?),
        SmtpSecurity::Tls => Tls::Wrapper(settings.tls_parameters()?),
        SmtpSecurity::None => Tls::None,
    };
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.trim())
        .port(settings.port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(settings.timeout_secs.max(1))));
    if let (Some(u), Some(p)) = (&settings.username, &settings.password) {
        b = b.credentials(Credentials::new(u.clone(), p.clone()));
    }
    Ok(b.build())
}

/// What to do about the usual TLS failures, for the operator reading the outbox.
fn hint(error: &str) -> &'static str {
    if error.contains("STARTTLS is not supported") {
        " (smtp_security = starttls sends nothing until the connection is encrypted; \
         use tls if the relay expects TLS from the first byte)"
    } else if error.contains("certificate") {
        " (the relay's certificate is not trusted for this name: check smtp_host, \
         or put the issuing CA in smtp_ca_file)"
    } else {
        ""
    }
}

/// Hands one message to the relay, within twice the timeout (lettre's own
/// timeout covers connecting only; this covers a server that goes quiet).
async fn deliver(
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
    settings: &SmtpSettings,
    msg: Message,
) -> std::result::Result<(), Failure> {
    let limit = attempt_limit(settings);
    match tokio::time::timeout(limit, mailer.send(msg)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => {
            let down = relay_down(&e);
            let e = e.to_string();
            Err(Failure {
                error: format!("{}: {e}{}", settings.server(), hint(&e)),
                relay_down: down,
            })
        }
        Err(_) => Err(Failure {
            error: format!(
                "{}: no answer within {} seconds",
                settings.server(),
                limit.as_secs()
            ),
            relay_down: true,
        }),
    }
}

/// The longest one attempt may take: twice the connection timeout.
fn attempt_limit(settings: &SmtpSettings) -> Duration {
    Duration::from_secs(settings.timeout_secs.max(1).saturating_mul(2))
}

/// How long a claim holds a message: longer than any attempt can take.
fn lease_length(settings: &SmtpSettings) -> jiff::SignedDuration {
    let attempt = i64::try_from(attempt_limit(settings).as_secs()).unwrap_or(i64::MAX / 2);
    jiff::SignedDuration::from_secs(LEASE_SECS.max(attempt.saturating_add(60)))
}

/// Sends every message due at `now` (oldest first, at most `limit`), each
/// claimed on its own (see the module's notes); a failure (connection, TLS,
/// certificate, authentication, refusal) is recorded on the message and
/// retried after [`backoff`], and a failure that says the relay is
/// unreachable ends the batch ([`DrainReport::relay_down`]). Settings that
/// fail [`SmtpSettings::check`] are an error and leave the outbox untouched.
pub async fn send_pending(
    db: &Db,
    settings: &SmtpSettings,
    now: jiff::Timestamp,
    limit: i64,
) -> Result<DrainReport> {
    settings.check()?;
    let now_s = timestamp(now);
    let due: Vec<i64> = on_pool!(db.pool(), p => sqlx::query_scalar(
        "SELECT id FROM mail_outbox
         WHERE sent_at IS NULL AND next_attempt_at IS NOT NULL AND next_attempt_at <= $1 AND attempts < $2
           AND (lease_expires_at IS NULL OR lease_expires_at <= $1)
         ORDER BY id LIMIT $3")
        .bind(&now_s).bind(MAX_ATTEMPTS).bind(limit.clamp(1, 10_000)).fetch_all(p).await)?;
    let mut report = DrainReport::default();
    if due.is_empty() {
        report.waiting = db.outbox_waiting().await?;
        return Ok(report);
    }
    let mailer = transport(settings)?;
    let owner = lease_owner();
    let lease_until = later(now, lease_length(settings));
    for id in due {
        let Some(m) = db.claim(id, &owner, &lease_until, &now_s).await? else {
            continue;
        };
        let outcome = match build(settings, &m) {
            Ok(msg) => deliver(&mailer, settings, msg).await,
            Err(e) => Err(Failure::message(e)),
        };
        let attempts = m.attempts + 1;
        match outcome {
            Ok(()) => {
                // Recorded as sent even if the lease ran out meanwhile: it was sent.
                on_pool!(db.pool(), p => sqlx::query(
                    "UPDATE mail_outbox SET sent_at = $1, attempts = $2, last_error = NULL, next_attempt_at = NULL,
                         lease_owner = NULL, lease_expires_at = NULL
                     WHERE id = $3")
                    .bind(&now_s).bind(attempts).bind(m.id).execute(p).await.map(|r| r.rows_affected()))?;
                report.sent += 1;
            }
            Err(f) => {
                let next = (attempts < MAX_ATTEMPTS).then(|| later(now, backoff(attempts)));
                let e: String = f.error.chars().take(1000).collect();
                tracing::warn!(message = m.id, attempts, relay_down = f.relay_down, error = %e, "email not sent; will retry");
                let n = on_pool!(db.pool(), p => sqlx::query(
                    "UPDATE mail_outbox SET attempts = $1, last_error = $2, next_attempt_at = $3,
                         lease_owner = NULL, lease_expires_at = NULL
                     WHERE id = $4 AND lease_owner = $5 AND sent_at IS NULL")
                    .bind(attempts).bind(&e).bind(next).bind(m.id).bind(&owner)
                    .execute(p).await.map(|r| r.rows_affected()))?;
                if n == 0 {
                    tracing::warn!(
                        message = m.id,
                        "the lease on this email ran out during the attempt; another sender has it"
                    );
                }
                report.failed += 1;
                if f.relay_down {
                    report.relay_down = Some(e);
                    break;
                }
            }
        }
    }
    report.waiting = db.outbox_waiting().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), jiff::SignedDuration::from_mins(1));
        assert_eq!(backoff(2), jiff::SignedDuration::from_mins(2));
        assert_eq!(backoff(5), jiff::SignedDuration::from_mins(16));
        assert_eq!(backoff(10), jiff::SignedDuration::from_mins(360));
        assert_eq!(backoff(99), jiff::SignedDuration::from_mins(360));
    }

    fn settings(host: &str, security: SmtpSecurity) -> SmtpSettings {
        SmtpSettings {
            host: host.into(),
            port: security.default_port(),
            from: "Uplift <uplift@council.example>".into(),
            username: None,
            password: None,
            base_url: "https://uplift.council.example".into(),
            timeout_secs: 30,
            security,
            ca_file: None,
            allow_insecure: false,
        }
    }

    #[test]
    fn security_values_and_local_hosts() {
        assert_eq!(
            SmtpSecurity::parse(" STARTTLS "),
            Some(SmtpSecurity::StartTls)
        );
        assert_eq!(SmtpSecurity::parse("tls"), Some(SmtpSecurity::Tls));
        assert_eq!(SmtpSecurity::parse("none"), Some(SmtpSecurity::None));
        assert_eq!(SmtpSecurity::parse("ssl"), None);
        assert_eq!(SmtpSecurity::default(), SmtpSecurity::StartTls);
        for h in [
            "localhost",
            "LocalHost",
            "127.0.0.1",
            "127.0.0.53",
            "::1",
            "[::1]",
        ] {
            assert!(is_local_host(h), "{h}");
        }
        for h in [
            "mail.council.example",
            "10.0.0.5",
            "localhost.example",
            "192.168.1.1",
        ] {
            assert!(!is_local_host(h), "{h}");
        }
    }

    #[test]
    fn plain_smtp_only_locally_and_never_with_a_password_to_another_host() {
        assert!(settings("127.0.0.1", SmtpSecurity::None).check().is_ok());
        let mut s = settings("relay.council.example", SmtpSecurity::None);
        let e = s.check().unwrap_err().to_string();
        assert!(
            e.contains("smtp_security") && e.contains("smtp_allow_insecure"),
            "{e}"
        );
        s.allow_insecure = true;
        assert!(s.check().is_ok());
        s.username = Some("uplift".into());
        s.password = Some("hunter2-secret".into());
        let e = s.check().unwrap_err().to_string();
        assert!(
            e.contains("smtp_security = none") && e.contains("smtp_password"),
            "{e}"
        );
        assert!(!e.contains("hunter2"), "{e}");
        // On this host, credentials never leave the machine.
        let mut local = settings("localhost", SmtpSecurity::None);
        local.username = Some("uplift".into());
        local.password = Some("pw".into());
        assert!(local.check().is_ok());
        local.password = None;
        let e = local.check().unwrap_err().to_string();
        assert!(e.contains("smtp_username and smtp_password"), "{e}");
        // TLS to anywhere is fine; the password never shows in Debug.
        let mut tls = settings("smtp.office365.com", SmtpSecurity::StartTls);
        tls.username = Some("uplift@council.example".into());
        tls.password = Some("hunter2-secret".into());
        assert!(tls.check().is_ok());
        assert!(!format!("{tls:?}").contains("hunter2"));
        assert!(settings("smtp.gmail.com", SmtpSecurity::Tls)
            .check()
            .is_ok());
    }

    #[test]
    fn a_bad_ca_file_is_named() {
        let dir = std::env::temp_dir().join(format!("uplift-mail-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut s = settings("mail.council.example", SmtpSecurity::StartTls);
        s.ca_file = Some(dir.join("missing.pem"));
        let e = s.check().unwrap_err().to_string();
        assert!(
            e.contains("smtp_ca_file") && e.contains("missing.pem"),
            "{e}"
        );
        let junk = dir.join("junk.pem");
        std::fs::write(&junk, "not a certificate").unwrap();
        s.ca_file = Some(junk);
        let e = s.check().unwrap_err().to_string();
        assert!(
            e.contains("smtp_ca_file") && e.contains("BEGIN CERTIFICATE"),
            "{e}"
        );
        let broken = dir.join("broken.pem");
        std::fs::write(
            &broken,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        s.ca_file = Some(broken);
        let e = s.check().unwrap_err().to_string();
        assert!(e.contains("smtp_ca_file"), "{e}");
        let mut none = settings("localhost", SmtpSecurity::None);
        none.ca_file = Some(dir.join("any.pem"));
        assert!(none
            .check()
            .unwrap_err()
            .to_string()
            .contains("smtp_ca_file"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
