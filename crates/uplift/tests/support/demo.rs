//! The built `uplift` binary serving the demo authority, as a new user runs it:
//! `uplift --database-url sqlite://<tempdir>/uplift.db serve --demo --bind 127.0.0.1:0`.
//! The sign-ins printed by `serve --demo` are read from its standard output.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// One demo account as printed by `serve --demo`.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub role: String,
    pub email: String,
    pub password: String,
}

/// A running `uplift serve --demo` on a fresh SQLite database. Killed on drop.
pub struct DemoServer {
    child: Child,
    base_url: String,
    accounts: Vec<DemoAccount>,
    database_url: String,
    output: Arc<Mutex<String>>,
    dir: TempDir,
}

impl DemoServer {
    /// Starts the binary on a free port of 127.0.0.1, reads the demo sign-ins
    /// and waits until `/health` answers.
    pub fn start() -> DemoServer {
        let started = Instant::now();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let database_url = format!("sqlite://{}", dir.path().join("uplift.db").display());
        let mut child = Command::new(env!("CARGO_BIN_EXE_uplift"))
            .args([
                "--database-url",
                &database_url,
                "serve",
                "--demo",
                "--bind",
                "127.0.0.1:0",
            ])
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .env_remove("UPLIFT_CONFIG")
            .env_remove("UPLIFT_BIND")
            .env_remove("UPLIFT_COOKIE_SECURE")
            .env("UPLIFT_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the uplift binary");
        let output = Arc::new(Mutex::new(String::new()));
        // Standard error (logs) is kept to show when a test fails.
        let stderr = child.stderr.take().expect("piped stderr");
        let err_out = Arc::clone(&output);
        thread::spawn(move || {
            let mut r = BufReader::new(stderr);
            let mut line = String::new();
            while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                lock(&err_out).push_str(&line);
                line.clear();
            }
        });
        // Standard output: the demo sign-ins, then the address it serves on.
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let out = Arc::clone(&output);
        thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            let mut line = String::new();
            while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                lock(&out).push_str(&line);
                let _ = tx.send(line.clone());
                line.clear();
            }
            let mut rest = String::new();
            let _ = r.read_to_string(&mut rest);
        });
        let mut accounts = Vec::new();
        let mut in_sign_ins = false;
        let base_url;
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match rx.recv_timeout(left) {
                Ok(l) => l,
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "`uplift serve --demo` did not say where it serves within 180 s:\n{}",
                        lock(&output)
                    );
                }
            };
            if line.starts_with("Demo sign-in") {
                in_sign_ins = true;
                continue;
            }
            if let Some(rest) = line.strip_prefix("Uplift is serving on ") {
                let url = rest.split_whitespace().next().unwrap_or_default();
                base_url = url.trim_end_matches('/').to_string();
                break;
            }
            if in_sign_ins {
                let parts: Vec<&str> = line.split_whitespace().collect();
                match parts.as_slice() {
                    [role, email, password] if email.contains('@') => accounts.push(DemoAccount {
                        role: role.to_string(),
                        email: email.to_string(),
                        password: password.to_string(),
                    }),
                    _ => in_sign_ins = false,
                }
            }
        }
        assert!(
            !accounts.is_empty(),
            "`uplift serve --demo` printed no demo sign-ins:\n{}",
            lock(&output)
        );
        let server = DemoServer {
            child,
            base_url,
            accounts,
            database_url,
            output,
            dir,
        };
        server.wait_healthy();
        eprintln!(
            "demo server ready at {} in {:.1} s",
            server.base_url,
            started.elapsed().as_secs_f64()
        );
        server
    }

    fn wait_healthy(&self) {
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(5))
            .build();
        let url = self.url("/health");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = agent.get(&url).call() {
                if r.status() == 200 {
                    return;
                }
            }
            if Instant::now() > deadline {
                panic!("{url} did not answer 200 within 30 s:\n{}", self.log());
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base URL followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The demo account of a role (`admin`, `lead`, `adviser`, `panel`, `school`,
    /// `commissioner`, `traded`).
    pub fn account(&self, role: &str) -> &DemoAccount {
        self.accounts
            .iter()
            .find(|a| a.role == role)
            .unwrap_or_else(|| {
                let roles: Vec<&str> = self.accounts.iter().map(|a| a.role.as_str()).collect();
                panic!("no demo account for the role {role:?}; the demo has {roles:?}")
            })
    }

    /// The roles that have a demo account, in the order printed.
    pub fn roles(&self) -> Vec<String> {
        self.accounts.iter().map(|a| a.role.clone()).collect()
    }

    pub fn password(&self, role: &str) -> String {
        self.account(role).password.clone()
    }

    pub fn email(&self, role: &str) -> String {
        self.account(role).email.clone()
    }

    /// The server's database, e.g. to run another `uplift` command on it.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// A scratch directory that lives as long as the server.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Everything the server printed so far (standard output and error).
    pub fn log(&self) -> String {
        lock(&self.output).clone()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!(
                "--- the last lines uplift printed ---\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
    }
}

fn lock(m: &Mutex<String>) -> std::sync::MutexGuard<'_, String> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
