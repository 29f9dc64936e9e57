//! Throwaway databases for tests: a fresh SQLite file, or a fresh database on a
//! private PostgreSQL server started from the system's binaries (initdb and
//! postgres on a temporary directory, listening on a loopback port).
//!
//! When PostgreSQL is not installed, [`postgres`] returns `None` and prints one
//! line saying so; with `UPLIFT_REQUIRE_POSTGRES=1` it panics instead, so CI
//! can never pass without having tested PostgreSQL.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::Db;

/// A PostgreSQL server for the life of the test process.
pub struct PgServer {
    port: u16,
    // Keeps the watchdog's stdin open; when the test process exits the pipe
    // closes and the watchdog stops the server and removes its directory.
    _watchdog: Mutex<Child>,
}

static SERVER: OnceLock<Option<PgServer>> = OnceLock::new();
static NEXT_DB: AtomicU64 = AtomicU64::new(0);

/// True when the run must test PostgreSQL (`UPLIFT_REQUIRE_POSTGRES=1`).
pub fn postgres_required() -> bool {
    std::env::var("UPLIFT_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

fn find_bin_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("UPLIFT_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    // Debian keeps the server binaries in a versioned directory; prefer the newest.
    let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("postgres").exists().then_some((v, bin))
        })
        .collect();
    dirs.sort();
    if let Some((_, d)) = dirs.pop() {
        return Some(d);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|d| d.join("initdb").exists() && d.join("postgres").exists())
}

/// The uid/gid to run the server as: ourselves, or an unprivileged user when we
/// are root (initdb refuses to run as root).
fn server_user() -> Option<(u32, u32)> {
    let euid = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(1);
    if euid != 0 {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    for wanted in ["postgres", "nobody"] {
        for line in passwd.lines() {
            let f: Vec<&str> = line.split(':').collect();
            if f.len() > 3 && f[0] == wanted {
                if let (Ok(u), Ok(g)) = (f[2].parse(), f[3].parse()) {
                    return Some((u, g));
                }
            }
        }
    }
    Some((65534, 65534))
}

fn start() -> Result<PgServer, String> {
    use std::os::unix::process::CommandExt;
    let bin =
        find_bin_dir().ok_or("PostgreSQL server binaries (initdb, postgres) are not installed")?;
    let dir = std::env::temp_dir().join(format!(
        "uplift-pg-{}-{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let user = server_user();
    if let Some((u, g)) = user {
        std::os::unix::fs::chown(&dir, Some(u), Some(g))
            .map_err(|e| format!("chown {}: {e}", dir.display()))?;
    }
    let data = dir.join("data");
    let mut initdb = Command::new(bin.join("initdb"));
    initdb
        .args(["-D"])
        .arg(&data)
        .args([
            "-U",
            "uplift",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some((u, g)) = user {
        initdb.uid(u).gid(g);
    }
    let out = initdb
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))?;
    // The watchdog runs the server and stops it when our end of its stdin closes.
    let script = format!(
        "{postgres} -D '{data}' -p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{dir}' \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
         >'{dir}/log' 2>&1 & pid=$!; echo started; cat >/dev/null; kill -INT $pid; wait $pid; rm -rf '{dir}'",
        postgres = bin.join("postgres").display(),
        data = data.display(),
        dir = dir.display(),
    );
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some((u, g)) = user {
        cmd.uid(u).gid(g);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start postgres: {e}"))?;
    if let Some(out) = child.stdout.take() {
        let mut line = String::new();
        let _ = BufReader::new(out).read_line(&mut line);
    }
    // Wait until it accepts connections.
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            return Err(format!("postgres did not start: {log}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(PgServer {
        port,
        _watchdog: Mutex::new(child),
    })
}

impl PgServer {
    fn url(&self, db: &str) -> String {
        format!("postgres://uplift@127.0.0.1:{}/{db}", self.port)
    }
}

/// The shared server, started on first use; `None` (after one line on stderr)
/// when PostgreSQL is not installed and not required.
pub fn server() -> Option<&'static PgServer> {
    SERVER
        .get_or_init(|| match start() {
            Ok(s) => Some(s),
            Err(why) => {
                if postgres_required() {
                    panic!("UPLIFT_REQUIRE_POSTGRES=1 but PostgreSQL could not be started: {why}");
                }
                let _ = writeln!(std::io::stderr(), "PostgreSQL was not tested: {why}");
                None
            }
        })
        .as_ref()
}

/// A URL for a brand-new, empty PostgreSQL database, or `None` as for [`server`].
pub async fn postgres_url() -> Option<String> {
    let server = server()?;
    let name = format!(
        "t{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::SeqCst)
    );
    let admin = Db::connect(&server.url("postgres")).await.ok()?;
    if let crate::connect::Pool::Postgres(p) = admin.pool() {
        if let Err(e) = sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(p)
            .await
        {
            panic!("cannot create test database {name}: {e}");
        }
    }
    admin.close().await;
    Some(server.url(&name))
}

/// A brand-new, migrated PostgreSQL database, or `None` as for [`server`].
pub async fn postgres() -> Option<Db> {
    let url = postgres_url().await?;
    match Db::open(&url).await {
        Ok(db) => Some(db),
        Err(e) => panic!("cannot open test database {url}: {e}"),
    }
}

/// A brand-new, migrated SQLite database in a temporary directory, which is
/// removed when the returned guard is dropped.
pub async fn sqlite() -> (Db, TempDir) {
    let dir = TempDir::new();
    let url = format!("sqlite://{}", dir.path().join("uplift.db").display());
    match Db::open(&url).await {
        Ok(db) => (db, dir),
        Err(e) => panic!("cannot open test database {url}: {e}"),
    }
}

/// A temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "uplift-test-{}-{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        if let Err(e) = std::fs::create_dir_all(&p) {
            panic!("cannot create {}: {e}", p.display());
        }
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Default for TempDir {
    fn default() -> Self {
        TempDir::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Both backends, for tests that must hold on each: SQLite always, PostgreSQL
/// when available (see [`server`]).
pub async fn each_backend() -> Vec<(Db, Option<TempDir>)> {
    let (s, dir) = sqlite().await;
    let mut v = vec![(s, Some(dir))];
    if let Some(pg) = postgres().await {
        v.push((pg, None));
    }
    v
}

/// Migrates a fresh database the way Uplift did before sqlx's migrator (up to
/// and including `up_to`): the history in `uplift_migrations (version, name,
/// applied_at)`, each migration run as one batch in its own transaction, so
/// tests can check that such a database is adopted.
pub async fn migrate_as_before_sqlx(db: &Db, up_to: i64) -> crate::Result<()> {
    const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS uplift_migrations (
        version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
    if let crate::connect::Pool::Postgres(p) = db.pool() {
        sqlx::query(CREATE_TABLE).execute(p).await?;
    }
    for m in crate::migrate::for_backend(db.backend()).iter() {
        if m.version > up_to {
            break;
        }
        let mut tx = db.begin().await?;
        if db.backend() == crate::Backend::Postgres {
            on_tx!(tx, c => sqlx::query("SELECT pg_advisory_xact_lock(7461293)").execute(&mut **c).await.map(|r| r.rows_affected()))?;
        }
        on_tx!(tx, c => sqlx::raw_sql(CREATE_TABLE).execute(&mut **c).await.map(|r| r.rows_affected()))?;
        on_tx!(tx, c => sqlx::raw_sql(&m.sql).execute(&mut **c).await.map(|r| r.rows_affected()))?;
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO uplift_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version).bind(crate::migrate::name(m)).bind(crate::now())
            .execute(&mut **c).await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
    }
    Ok(())
}
