//! The school pages over HTTP on the national register, beside nginx.
//!
//! Loads the national register (`scripts/load-national.sh`: 24,442 schools,
//! 1.5 million performance rows) into a SQLite file once (kept in the target
//! folder; `UPLIFT_BENCH_DB` names another), adds Kent (local authority 886,
//! the largest) as an organisation with a lead officer and an API token,
//! starts `uplift serve` (this build's binary) and nginx (`/usr/sbin/nginx`,
//! not a daemon, on a loopback port with a temporary prefix) serving
//! byte-identical copies of the same responses, and drives
//!   profile: `GET /schools/{urn}` (a Kent secondary school),
//!   list:    `GET /schools?la=886` (Kent's school list), and
//!   API:     `GET /api/v1/schools?la=886`
//! at 1, 16 and 64 keep-alive connections (plain threads, one connection
//! each, a request at a time), printing requests per second, p50 and p99, the
//! ratio to nginx, and the targets met or missed: one client p99 < 20 ms for
//! the profile and the list; at 64 connections at least 5% of nginx's
//! throughput with p99 < 10 x p50.
//!
//! Run: `cargo bench -p uplift --bench http` (`UPLIFT_BENCH_SECS` sets the
//! seconds per run, default 3). Without `--bench` it does nothing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use uplift_store::audit::Actor;
use uplift_store::orgs::{self, NewOrganisation};
use uplift_store::Db;

const KENT: &str = "886";
const NGINX: &str = "/usr/sbin/nginx";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A child process that is ended when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One response: status and body.
fn read_response(r: &mut BufReader<TcpStream>) -> std::io::Result<(u16, Vec<u8>)> {
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = None;
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Err(std::io::Error::other("connection closed"));
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse::<usize>().ok();
            }
        }
    }
    let length = length.ok_or_else(|| std::io::Error::other("no content-length"))?;
    let mut body = vec![0; length];
    r.read_exact(&mut body)?;
    Ok((status, body))
}

fn request(path: &str, token: Option<&str>) -> Vec<u8> {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Accept: */*\r\n\r\n").into_bytes()
}

fn get(port: u16, req: &[u8]) -> (u16, Vec<u8>) {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut w = s.try_clone().expect("clone");
    let mut r = BufReader::new(s);
    w.write_all(req).expect("write");
    read_response(&mut r).expect("response")
}

#[derive(Debug, Clone, Copy)]
struct Stats {
    rps: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

/// `conns` connections, each sending `req` one at a time for `secs`.
fn drive(port: u16, req: &[u8], expect_len: usize, conns: usize, secs: f64) -> Stats {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    let results: Vec<(Vec<u32>, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..conns)
            .map(|_| {
                scope.spawn(move || {
                    let mut lat = Vec::with_capacity(4096);
                    let mut errors = 0;
                    let Ok(s) = TcpStream::connect(("127.0.0.1", port)) else {
                        return (lat, 1);
                    };
                    let _ = s.set_nodelay(true);
                    let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
                    let Ok(mut w) = s.try_clone() else {
                        return (lat, 1);
                    };
                    let mut r = BufReader::with_capacity(64 * 1024, s);
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        if w.write_all(req).is_err() {
                            errors += 1;
                            break;
                        }
                        match read_response(&mut r) {
                            Ok((200, body)) if body.len() == expect_len => {
                                lat.push(t.elapsed().as_micros() as u32)
                            }
                            Ok(_) => errors += 1,
                            Err(_) => {
                                errors += 1;
                                break;
                            }
                        }
                    }
                    (lat, errors)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    let errors = results.iter().map(|r| r.1).sum();
    let mut all: Vec<u32> = results.into_iter().flat_map(|r| r.0).collect();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map(|us| Duration::from_micros(u64::from(*us)))
            .unwrap_or(Duration::MAX)
    };
    Stats {
        rps: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
        errors,
    }
}

fn wait_for(port: u16, what: &str) {
    let t = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if t.elapsed() > Duration::from_secs(120) {
            panic!("{what} did not start listening on {port}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The national register, loaded once by the script.
fn national_db(root: &Path, bin: &Path) -> PathBuf {
    let path = std::env::var("UPLIFT_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            let target = std::env::var("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|_| root.join("target"));
            target.join("bench-national.db")
        });
    if !path.exists() {
        let partial = path.with_extension("loading.db");
        let _ = std::fs::remove_file(&partial);
        eprintln!("loading the national register into {} ...", path.display());
        let ok = Command::new("sh")
            .arg(root.join("scripts/load-national.sh"))
            .arg(format!("sqlite://{}", partial.display()))
            .env("UPLIFT", bin)
            .status()
            .expect("run scripts/load-national.sh")
            .success();
        assert!(ok, "scripts/load-national.sh failed");
        std::fs::rename(&partial, &path).expect("rename");
        for ext in ["loading.db-wal", "loading.db-shm"] {
            let _ = std::fs::remove_file(path.with_extension(ext));
        }
    }
    path
}

/// Kent with its schools, a lead officer and a new API token for them.
async fn kent_token(url: &str) -> String {
    let db = Db::open(url).await.expect("open");
    let org = match db
        .organisations()
        .await
        .expect("orgs")
        .into_iter()
        .find(|o| o.slug == "kent")
    {
        Some(o) => o,
        None => {
            let mut tx = db.begin().await.expect("tx");
            let o = orgs::create(
                &mut tx,
                &Actor::cli(),
                &NewOrganisation {
                    slug: "kent",
                    name: "Kent County Council",
                    kind: "local-authority",
                    la_code: Some(KENT),
                },
            )
            .await
            .expect("org");
            uplift_store::register::add_authority_to_estate(&mut tx, &Actor::cli(), o.id, KENT)
                .await
                .expect("estate");
            tx.commit().await.expect("commit");
            o
        }
    };
    let email = "bench-lead@example.invalid";
    let find = format!("SELECT CAST(id AS TEXT) FROM users WHERE email = '{email}'");
    let mut id = db.execute_raw_text(&find).await.unwrap_or_default();
    if id.trim().is_empty() {
        let t = uplift_store::now();
        db.execute_raw(&format!(
            "INSERT INTO users (organisation_id, email, name, role, password_hash, active, created_at, updated_at)
             VALUES ({}, '{email}', 'Benchmark Lead', 'lead', 'not-a-password-hash', TRUE, '{t}', '{t}')",
            org.id
        ))
        .await
        .expect("user");
        id = db.execute_raw_text(&find).await.expect("user id");
    }
    let id: i64 = id.trim().parse().expect("user id");
    let user = db.user(id).await.expect("user").expect("user");
    let mut tx = db.begin().await.expect("tx");
    let (_, token) = uplift_store::tokens::create(&mut tx, &Actor::cli(), &user, "benchmark", None)
        .await
        .expect("token");
    tx.commit().await.expect("commit");
    db.close().await;
    token
}

fn nginx(dir: &Path, port: u16) -> Running {
    for d in ["logs", "tmp"] {
        std::fs::create_dir_all(dir.join(d)).expect("nginx dirs");
    }
    let conf = format!(
        "daemon off;\nworker_processes auto;\npid {d}/nginx.pid;\nerror_log {d}/logs/error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/tmp;\n  proxy_temp_path {d}/tmp;\n\
         fastcgi_temp_path {d}/tmp;\n  uwsgi_temp_path {d}/tmp;\n  scgi_temp_path {d}/tmp;\n\
         keepalive_requests 1000000;\n  types {{ text/html html; application/json json; }}\n\
         server {{ listen 127.0.0.1:{port}; root {d}/www; }}\n}}\n",
        d = dir.display()
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).expect("nginx.conf");
    let child = Command::new(NGINX)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&path)
        .arg("-e")
        .arg(dir.join("logs/error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start nginx");
    let running = Running(child);
    wait_for(port, "nginx");
    running
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_uplift"));
    if !Path::new(NGINX).exists() {
        eprintln!("{NGINX} is not installed: nothing to compare with");
        return;
    }
    let secs: f64 = std::env::var("UPLIFT_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let db_path = national_db(&root, &bin);
    let url = format!("sqlite://{}", db_path.display());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let token = rt.block_on(kent_token(&url));
    drop(rt);

    let port = free_port();
    let server = Running(
        Command::new(&bin)
            .arg("--database-url")
            .arg(&url)
            .arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start uplift serve"),
    );
    wait_for(port, "uplift serve");

    // A Kent secondary school (the profile with the most records).
    let (status, body) = get(
        port,
        &request(
            &format!("/api/v1/schools?la={KENT}&phase=Secondary&limit=1"),
            Some(&token),
        ),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let list: serde_json::Value = serde_json::from_slice(&body).expect("json");
    let urn = list["items"][0]["urn"].as_i64().expect("a Kent school");
    let pages = [
        ("profile", format!("/schools/{urn}"), "profile.html"),
        ("list", format!("/schools?la={KENT}"), "list.html"),
        ("API", format!("/api/v1/schools?la={KENT}"), "api.json"),
    ];
    let www = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(www.path().join("www")).expect("www");
    let mut bodies = Vec::new();
    for (name, path, file) in &pages {
        let req = request(path, Some(&token));
        // The first view may place the estate.
        let (status, body) = get(port, &req);
        assert_eq!(status, 200, "{name}: {}", String::from_utf8_lossy(&body));
        let (_, again) = get(port, &req);
        assert_eq!(body, again, "{name}: the same response each time");
        std::fs::write(www.path().join("www").join(file), &body).expect("save");
        bodies.push(body.len());
    }
    let nginx_port = free_port();
    let _nginx = nginx(www.path(), nginx_port);
    for ((name, _, file), len) in pages.iter().zip(&bodies) {
        let (status, body) = get(nginx_port, &request(&format!("/{file}"), None));
        assert_eq!((status, body.len()), (200, *len), "nginx serves the {name}");
    }

    println!(
        "national register: {}; Kent ({KENT}); profile of URN {urn}; {secs} s a run",
        db_path.display()
    );
    println!(
        "{:<8} {:>5} {:>10} {:>9} {:>9} {:>11} {:>9} {:>9} {:>8} {:>7}",
        "page",
        "conns",
        "req/s",
        "p50 ms",
        "p99 ms",
        "nginx r/s",
        "ngx p50",
        "ngx p99",
        "ratio",
        "errors"
    );
    let mut missed = Vec::new();
    let mut met = Vec::new();
    for ((name, path, file), len) in pages.iter().zip(&bodies) {
        let req = request(path, Some(&token));
        let nreq = request(&format!("/{file}"), None);
        drive(port, &req, *len, 4, 0.5);
        for conns in [1, 16, 64] {
            let u = drive(port, &req, *len, conns, secs);
            let n = drive(nginx_port, &nreq, *len, conns, secs);
            let ratio = 100.0 * u.rps / n.rps;
            println!(
                "{:<8} {:>5} {:>10.1} {:>9} {:>9} {:>11.1} {:>9} {:>9} {:>7.2}% {:>7}",
                name,
                conns,
                u.rps,
                ms(u.p50),
                ms(u.p99),
                n.rps,
                ms(n.p50),
                ms(n.p99),
                ratio,
                u.errors
            );
            if conns == 1 && *name != "API" {
                let t = format!("{name}: one client p99 {} ms < 20 ms", ms(u.p99));
                if u.p99 < Duration::from_millis(20) {
                    met.push(t)
                } else {
                    missed.push(t)
                }
            }
            if conns == 64 {
                let t = format!("{name}: 64 connections at {ratio:.2}% of nginx >= 5%");
                if ratio >= 5.0 {
                    met.push(t)
                } else {
                    missed.push(t)
                }
                let t = format!(
                    "{name}: 64 connections p99 {} ms < 10 x p50 ({} ms)",
                    ms(u.p99),
                    ms(u.p50 * 10)
                );
                if u.p99 < u.p50 * 10 {
                    met.push(t)
                } else {
                    missed.push(t)
                }
            }
            if u.errors > 0 {
                missed.push(format!(
                    "{name}: {} errors at {conns} connections",
                    u.errors
                ));
            }
        }
    }
    for t in &met {
        println!("met:    {t}");
    }
    for t in &missed {
        println!("MISSED: {t}");
    }
    drop(server);
}
