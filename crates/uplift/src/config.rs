//! Configuration: defaults, then a config file, then environment variables,
//! then command-line options.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use uplift_store::mail::SmtpSecurity;

/// Everything an operator can set.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    /// `text` or `json`.
    pub log_format: String,
    /// A tracing filter, e.g. `info` or `uplift_web=debug,info`.
    pub log: String,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// `auto` (Secure when the request came over TLS, per X-Forwarded-Proto), `always` or `never`.
    pub cookie_secure: String,
    pub service_name: String,
    /// The SMTP relay that email notifications are handed to; empty (the
    /// default) keeps email off: messages wait in the outbox.
    pub smtp_host: String,
    /// Default: 587 with `starttls`, 465 with `tls`, 25 with `none`.
    pub smtp_port: Option<u16>,
    /// `starttls` (required; the default), `tls` (implicit TLS) or `none`
    /// (a relay on this host only, unless `smtp_allow_insecure`).
    pub smtp_security: String,
    /// PEM certificates of a CA to trust besides the Mozilla roots.
    pub smtp_ca_file: Option<PathBuf>,
    /// Allows `smtp_security = none` to another host (never with a password).
    pub smtp_allow_insecure: bool,
    /// Seconds to wait for the relay to connect (twice this for a message).
    pub smtp_timeout_secs: u64,
    /// The From address of notifications.
    pub smtp_from: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    /// The address users reach Uplift at, used for links in emails.
    pub public_url: String,
    /// The largest attachment accepted on a visit or note, in megabytes.
    pub attachment_max_mb: u64,
    /// Reverse proxies (comma-separated IP addresses or CIDR ranges) whose
    /// `X-Forwarded-For` names the client; empty: the TCP peer is the client.
    pub trusted_proxies: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://uplift.db".into(),
            bind: "127.0.0.1:8080".into(),
            log_format: "text".into(),
            log: "info".into(),
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            cookie_secure: "auto".into(),
            service_name: "Uplift".into(),
            smtp_host: String::new(),
            smtp_port: None,
            smtp_security: "starttls".into(),
            smtp_ca_file: None,
            smtp_allow_insecure: false,
            smtp_timeout_secs: 30,
            smtp_from: "Uplift <uplift@localhost>".into(),
            smtp_username: None,
            smtp_password: None,
            public_url: "http://127.0.0.1:8080".into(),
            attachment_max_mb: 10,
            trusted_proxies: String::new(),
        }
    }
}

/// Shows everything but the SMTP password.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url)
            .field("bind", &self.bind)
            .field("log_format", &self.log_format)
            .field("log", &self.log)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_absolute_hours", &self.session_absolute_hours)
            .field("cookie_secure", &self.cookie_secure)
            .field("service_name", &self.service_name)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_ca_file", &self.smtp_ca_file)
            .field("smtp_allow_insecure", &self.smtp_allow_insecure)
            .field("smtp_timeout_secs", &self.smtp_timeout_secs)
            .field("smtp_from", &self.smtp_from)
            .field("smtp_username", &self.smtp_username)
            .field(
                "smtp_password",
                &self.smtp_password.as_ref().map(|_| "<hidden>"),
            )
            .field("public_url", &self.public_url)
            .field("attachment_max_mb", &self.attachment_max_mb)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

impl Config {
    /// Loads the configuration. `file` is the --config option; without it,
    /// `uplift.toml` in the working directory is read when present.
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let mut c = match file {
            Some(f) => Self::from_file(f)?,
            None if Path::new("uplift.toml").exists() => Self::from_file(Path::new("uplift.toml"))?,
            None => Config::default(),
        };
        let set = |target: &mut String, key: &str| {
            if let Some(v) = env(key) {
                *target = v;
            }
        };
        set(&mut c.database_url, "DATABASE_URL");
        set(&mut c.bind, "UPLIFT_BIND");
        set(&mut c.log_format, "UPLIFT_LOG_FORMAT");
        set(&mut c.log, "UPLIFT_LOG");
        set(&mut c.cookie_secure, "UPLIFT_COOKIE_SECURE");
        set(&mut c.service_name, "UPLIFT_SERVICE_NAME");
        set(&mut c.smtp_host, "UPLIFT_SMTP_HOST");
        set(&mut c.smtp_from, "UPLIFT_SMTP_FROM");
        set(&mut c.public_url, "UPLIFT_PUBLIC_URL");
        set(&mut c.trusted_proxies, "UPLIFT_TRUSTED_PROXIES");
        if let Some(v) = env("UPLIFT_SMTP_USERNAME") {
            c.smtp_username = Some(v);
        }
        if let Some(v) = env("UPLIFT_SMTP_PASSWORD") {
            c.smtp_password = Some(v);
        }
        if let Some(v) = env("UPLIFT_SMTP_PORT") {
            c.smtp_port = Some(
                v.parse()
                    .with_context(|| format!("UPLIFT_SMTP_PORT={v:?} is not a port number"))?,
            );
        }
        if let Some(v) = env("UPLIFT_SMTP_SECURITY") {
            if SmtpSecurity::parse(&v).is_none() {
                bail!(
                    "UPLIFT_SMTP_SECURITY={v:?} is not one of {}",
                    SmtpSecurity::VALUES
                );
            }
            c.smtp_security = v;
        }
        if let Some(v) = env("UPLIFT_SMTP_CA_FILE") {
            c.smtp_ca_file = (!v.trim().is_empty()).then(|| PathBuf::from(v));
        }
        if let Some(v) = env("UPLIFT_SMTP_ALLOW_INSECURE") {
            c.smtp_allow_insecure = match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" | "" => false,
                _ => bail!("UPLIFT_SMTP_ALLOW_INSECURE={v:?} is not true or false"),
            };
        }
        if let Some(v) = env("UPLIFT_SMTP_TIMEOUT_SECS") {
            c.smtp_timeout_secs = v.parse().with_context(|| {
                format!("UPLIFT_SMTP_TIMEOUT_SECS={v:?} is not a whole number of seconds")
            })?;
        }
        if let Some(v) = env("UPLIFT_ATTACHMENT_MAX_MB") {
            c.attachment_max_mb = v
                .parse()
                .with_context(|| format!("UPLIFT_ATTACHMENT_MAX_MB={v:?} is not a whole number"))?;
        }
        for (key, target) in [
            ("UPLIFT_SESSION_IDLE_MINUTES", &mut c.session_idle_minutes),
            (
                "UPLIFT_SESSION_ABSOLUTE_HOURS",
                &mut c.session_absolute_hours,
            ),
        ] {
            if let Some(v) = env(key) {
                *target = v
                    .parse()
                    .with_context(|| format!("{key}={v:?} is not a whole number"))?;
            }
        }
        c.check()?;
        Ok(c)
    }

    fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{}: {}",
                path.display(),
                e.to_string().lines().collect::<Vec<_>>().join(" ")
            )
        })
    }

    fn check(&self) -> Result<()> {
        if !["text", "json"].contains(&self.log_format.as_str()) {
            bail!("log_format must be text or json, not {:?}", self.log_format);
        }
        if !["auto", "always", "never"].contains(&self.cookie_secure.as_str()) {
            bail!(
                "cookie_secure must be auto, always or never, not {:?}",
                self.cookie_secure
            );
        }
        if self.session_idle_minutes < 1 || self.session_absolute_hours < 1 {
            bail!("session lifetimes must be at least one minute and one hour");
        }
        if self.attachment_max_mb < 1 || self.attachment_max_mb > 100 {
            bail!(
                "attachment_max_mb must be between 1 and 100, not {}",
                self.attachment_max_mb
            );
        }
        self.trusted_proxies()?;
        if SmtpSecurity::parse(&self.smtp_security).is_none() {
            bail!(
                "smtp_security must be {}, not {:?}",
                SmtpSecurity::VALUES,
                self.smtp_security
            );
        }
        if !(1..=300).contains(&self.smtp_timeout_secs) {
            bail!(
                "smtp_timeout_secs must be between 1 and 300, not {}",
                self.smtp_timeout_secs
            );
        }
        if self.smtp_port == Some(0) {
            bail!("smtp_port must be a port number from 1 to 65535, not 0");
        }
        if let Some(smtp) = self.smtp() {
            smtp.check().map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        Ok(())
    }

    /// The reverse proxies trusted to name the client.
    pub fn trusted_proxies(&self) -> Result<uplift_web::TrustedProxies> {
        uplift_web::TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))
    }

    /// The SMTP settings, when email is configured (smtp_host set).
    pub fn smtp(&self) -> Option<uplift_store::mail::SmtpSettings> {
        if self.smtp_host.trim().is_empty() {
            return None;
        }
        // Checked in `check`; the default stands only for a value never loaded.
        let security = SmtpSecurity::parse(&self.smtp_security).unwrap_or_default();
        Some(uplift_store::mail::SmtpSettings {
            host: self.smtp_host.trim().to_string(),
            port: self.smtp_port.unwrap_or(security.default_port()),
            from: self.smtp_from.clone(),
            username: self.smtp_username.clone().filter(|u| !u.is_empty()),
            password: self.smtp_password.clone().filter(|p| !p.is_empty()),
            base_url: self.public_url.trim_end_matches('/').to_string(),
            timeout_secs: self.smtp_timeout_secs,
            security,
            ca_file: self.smtp_ca_file.clone(),
            allow_insecure: self.smtp_allow_insecure,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_then_file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("u.toml");
        std::fs::write(&f, "bind = \"0.0.0.0:9000\"\nlog_format = \"json\"\n").unwrap();
        let c = Config::load(Some(&f), |_| None).unwrap();
        assert_eq!(c.bind, "0.0.0.0:9000");
        assert_eq!(c.log_format, "json");
        assert_eq!(c.database_url, "sqlite://uplift.db");
        let c = Config::load(Some(&f), |k| {
            (k == "UPLIFT_BIND").then(|| "127.0.0.1:1".to_string())
        })
        .unwrap();
        assert_eq!(c.bind, "127.0.0.1:1");
    }

    #[test]
    fn bad_configuration_is_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("u.toml");
        std::fs::write(&f, "bnd = 1\n").unwrap();
        let e = Config::load(Some(&f), |_| None).unwrap_err().to_string();
        assert!(e.contains("u.toml") && e.contains("bnd"), "{e}");
        let e = Config::load(None, |k| {
            (k == "UPLIFT_SESSION_IDLE_MINUTES").then(|| "ten".into())
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("UPLIFT_SESSION_IDLE_MINUTES"), "{e}");
        assert!(Config::load(Some(Path::new("/nonexistent/u.toml")), |_| None).is_err());
        let e = Config::load(None, |k| (k == "UPLIFT_SMTP_HOST").then(|| "mail".into()))
            .map(|c| c.smtp())
            .unwrap();
        assert_eq!(e.map(|s| s.port), Some(587));
        std::fs::write(&f, "smtp_host = \"mail\"\nsmtp_from = \"not an address\"\n").unwrap();
        let e = Config::load(Some(&f), |_| None).unwrap_err().to_string();
        assert!(e.contains("smtp_from"), "{e}");
        assert!(Config::default().smtp().is_none());
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn smtp_security_defaults_to_required_starttls_on_587() {
        let c = Config::load(None, env_of(&[("UPLIFT_SMTP_HOST", "smtp.office365.com")])).unwrap();
        let s = c.smtp().unwrap();
        assert_eq!(s.security, SmtpSecurity::StartTls);
        assert_eq!(s.port, 587);
        assert_eq!(s.timeout_secs, 30);
        assert!(s.ca_file.is_none() && !s.allow_insecure);
    }

    #[test]
    fn smtp_security_from_the_file_then_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("council-ca.pem");
        // A real certificate is needed only when it is used: the store's
        // tests make one; here the file is checked for being PEM.
        std::fs::write(&ca, "not yet").unwrap();
        let f = dir.path().join("u.toml");
        std::fs::write(
            &f,
            "smtp_host = \"smtp.gmail.com\"\nsmtp_security = \"tls\"\nsmtp_timeout_secs = 10\n\
             smtp_username = \"uplift@council.example\"\nsmtp_password = \"s3cret-pw\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&f), |_| None).unwrap();
        let s = c.smtp().unwrap();
        assert_eq!(
            (s.security, s.port, s.timeout_secs),
            (SmtpSecurity::Tls, 465, 10)
        );
        assert_eq!(s.password.as_deref(), Some("s3cret-pw"));
        // Never in Debug output.
        assert!(!format!("{c:?}").contains("s3cret-pw"));
        assert!(!format!("{s:?}").contains("s3cret-pw"));
        // The environment wins; an explicit port wins over the default.
        let c = Config::load(
            Some(&f),
            env_of(&[
                ("UPLIFT_SMTP_SECURITY", "STARTTLS"),
                ("UPLIFT_SMTP_PORT", "25"),
            ]),
        )
        .unwrap();
        let s = c.smtp().unwrap();
        assert_eq!((s.security, s.port), (SmtpSecurity::StartTls, 25));
        // The CA file is read and must hold a certificate.
        let e = Config::load(
            Some(&f),
            env_of(&[("UPLIFT_SMTP_CA_FILE", ca.to_str().unwrap())]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("smtp_ca_file") && e.contains("council-ca.pem"),
            "{e}"
        );
        std::fs::write(
            &f,
            "smtp_host = \"127.0.0.1\"\nsmtp_security = \"none\"\nsmtp_ca_file = \"/nonexistent/ca.pem\"\n",
        )
        .unwrap();
        let e = Config::load(Some(&f), |_| None).unwrap_err().to_string();
        assert!(e.contains("smtp_ca_file"), "{e}");
    }

    #[test]
    fn plain_smtp_is_for_a_local_relay_and_never_carries_a_password_elsewhere() {
        // A relay on this host: fine, on port 25.
        let c = Config::load(
            None,
            env_of(&[
                ("UPLIFT_SMTP_HOST", "localhost"),
                ("UPLIFT_SMTP_SECURITY", "none"),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.smtp().map(|s| (s.security, s.port)),
            Some((SmtpSecurity::None, 25))
        );
        // Another host: only when explicitly allowed.
        let remote = [
            ("UPLIFT_SMTP_HOST", "relay.council.example"),
            ("UPLIFT_SMTP_SECURITY", "none"),
        ];
        let e = Config::load(None, env_of(&remote)).unwrap_err().to_string();
        assert!(
            e.contains("smtp_security") && e.contains("smtp_allow_insecure"),
            "{e}"
        );
        let mut allowed = remote.to_vec();
        allowed.push(("UPLIFT_SMTP_ALLOW_INSECURE", "true"));
        assert!(Config::load(None, env_of(&allowed)).is_ok());
        // A password over it: refused even when allowed, naming the setting.
        allowed.push(("UPLIFT_SMTP_USERNAME", "uplift"));
        allowed.push(("UPLIFT_SMTP_PASSWORD", "s3cret-pw"));
        let e = Config::load(None, env_of(&allowed))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("smtp_security = none") && e.contains("smtp_password"),
            "{e}"
        );
        assert!(!e.contains("s3cret-pw"), "{e}");
    }

    #[test]
    fn trusted_proxies_come_from_the_file_or_the_environment() {
        assert!(Config::default().trusted_proxies().unwrap().is_empty());
        let c = Config::load(
            None,
            env_of(&[("UPLIFT_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.10")]),
        )
        .unwrap();
        let t = c.trusted_proxies().unwrap();
        assert_eq!(
            t,
            uplift_web::TrustedProxies::parse("10.0.0.0/8,192.0.2.10").unwrap()
        );
        assert!(!t.is_empty());
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("u.toml");
        std::fs::write(&f, "trusted_proxies = \"127.0.0.1, ::1\"\n").unwrap();
        assert!(!Config::load(Some(&f), |_| None)
            .unwrap()
            .trusted_proxies()
            .unwrap()
            .is_empty());
        let e = Config::load(None, env_of(&[("UPLIFT_TRUSTED_PROXIES", "10.0.0.0/40")]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("trusted_proxies") && e.contains("10.0.0.0/40"),
            "{e}"
        );
        let e = Config::load(
            None,
            env_of(&[("UPLIFT_TRUSTED_PROXIES", "proxy.internal")]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("trusted_proxies") && e.contains("proxy.internal"),
            "{e}"
        );
    }

    #[test]
    fn bad_smtp_values_are_named() {
        let e = Config::load(None, env_of(&[("UPLIFT_SMTP_SECURITY", "ssl")]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("UPLIFT_SMTP_SECURITY") && e.contains("\"ssl\""),
            "{e}"
        );
        let e = Config::load(None, env_of(&[("UPLIFT_SMTP_ALLOW_INSECURE", "perhaps")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("UPLIFT_SMTP_ALLOW_INSECURE"), "{e}");
        let e = Config::load(None, env_of(&[("UPLIFT_SMTP_TIMEOUT_SECS", "soon")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("UPLIFT_SMTP_TIMEOUT_SECS"), "{e}");
        let e = Config::load(None, env_of(&[("UPLIFT_SMTP_TIMEOUT_SECS", "0")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("smtp_timeout_secs"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("u.toml");
        std::fs::write(&f, "smtp_security = \"STARTSSL\"\n").unwrap();
        let e = Config::load(Some(&f), |_| None).unwrap_err().to_string();
        assert!(e.contains("smtp_security") && e.contains("STARTSSL"), "{e}");
        std::fs::write(&f, "smtp_allow_insecure = \"yes\"\n").unwrap();
        let e = Config::load(Some(&f), |_| None).unwrap_err().to_string();
        assert!(e.contains("smtp_allow_insecure"), "{e}");
        std::fs::write(&f, "smtp_security = \"tls\"\nsmtp_port = 0\n").unwrap();
        let e = Config::load(Some(&f), |_| None).unwrap_err().to_string();
        assert!(e.contains("smtp_port"), "{e}");
    }
}
