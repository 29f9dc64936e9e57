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
        Ok(())
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
    }
}
