//! Configuration: defaults, then a config file, then environment variables,
//! then command-line options.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// Everything an operator can set.
#[derive(Debug, Clone, Deserialize, PartialEq)]
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
    pub smtp_port: u16,
    /// The From address of notifications.
    pub smtp_from: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    /// The address users reach Uplift at, used for links in emails.
    pub public_url: String,
    /// The largest attachment accepted on a visit or note, in megabytes.
    pub attachment_max_mb: u64,
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
            smtp_port: 25,
            smtp_from: "Uplift <uplift@localhost>".into(),
            smtp_username: None,
            smtp_password: None,
            public_url: "http://127.0.0.1:8080".into(),
            attachment_max_mb: 10,
        }
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
        if let Some(v) = env("UPLIFT_SMTP_USERNAME") {
            c.smtp_username = Some(v);
        }
        if let Some(v) = env("UPLIFT_SMTP_PASSWORD") {
            c.smtp_password = Some(v);
        }
        if let Some(v) = env("UPLIFT_SMTP_PORT") {
            c.smtp_port = v
                .parse()
                .with_context(|| format!("UPLIFT_SMTP_PORT={v:?} is not a port number"))?;
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
        if let Some(smtp) = self.smtp() {
            smtp.check().map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        Ok(())
    }

    /// The SMTP settings, when email is configured (smtp_host set).
    pub fn smtp(&self) -> Option<uplift_store::mail::SmtpSettings> {
        if self.smtp_host.trim().is_empty() {
            return None;
        }
        Some(uplift_store::mail::SmtpSettings {
            host: self.smtp_host.trim().to_string(),
            port: self.smtp_port,
            from: self.smtp_from.clone(),
            username: self.smtp_username.clone(),
            password: self.smtp_password.clone(),
            base_url: self.public_url.trim_end_matches('/').to_string(),
            timeout_secs: 20,
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
        assert_eq!(e.map(|s| s.port), Some(25));
        std::fs::write(&f, "smtp_host = \"mail\"\nsmtp_from = \"not an address\"\n").unwrap();
        let e = Config::load(Some(&f), |_| None).unwrap_err().to_string();
        assert!(e.contains("smtp_from"), "{e}");
        assert!(Config::default().smtp().is_none());
    }
}
