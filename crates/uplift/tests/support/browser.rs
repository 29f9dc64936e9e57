//! Headless Chromium driven through `chromedriver` with the W3C WebDriver
//! protocol over plain HTTP (ureq, no TLS). Forms are filled the way a person
//! does: fields are found by their visible `<label>`, buttons and links by
//! their text. Every failure panics with what was looked for and the text of
//! the page's `<main>`.
//!
//! Chromium and chromedriver are found at /usr/bin/chromium and
//! /usr/bin/chromedriver (Debian's `chromium` and `chromium-driver`), or where
//! UPLIFT_CHROMIUM and UPLIFT_CHROMEDRIVER say. When either is missing,
//! [`Browser::available`] prints "Browser was not tested: <reason>" and
//! returns false, unless UPLIFT_REQUIRE_BROWSER=1, when it panics.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};
use tempfile::TempDir;

use super::demo::DemoServer;

/// The key WebDriver uses for an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long a click that submits a form or follows a link may take to load the next page.
const NAVIGATION_TIMEOUT: Duration = Duration::from_secs(30);

/// One browser at a time per test binary.
static ONE_BROWSER: Mutex<()> = Mutex::new(());

/// A headless Chromium session. Chromedriver and Chromium end on drop.
pub struct Browser {
    driver: Child,
    driver_url: String,
    session: String,
    agent: ureq::Agent,
    _profile: TempDir,
    _turn: MutexGuard<'static, ()>,
}

/// A response fetched with the browser's cookies.
#[derive(Debug)]
pub struct Download {
    pub status: u16,
    pub content_type: String,
    pub content_disposition: String,
    pub bytes: Vec<u8>,
}

fn chromium_path() -> PathBuf {
    match std::env::var_os("UPLIFT_CHROMIUM") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from("/usr/bin/chromium"),
    }
}

fn chromedriver_path() -> PathBuf {
    match std::env::var_os("UPLIFT_CHROMEDRIVER") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from("/usr/bin/chromedriver"),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// Whitespace collapsed and trimmed, as the page's scripts compare text.
fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Shared page-side helpers, prepended to the scripts that look for elements.
const JS_HELPERS: &str = r#"
const norm = s => (s || '').replace(/\s+/g, ' ').trim();
const visible = e => !!(e && e.getClientRects().length) && getComputedStyle(e).visibility !== 'hidden';
const inMain = e => !!e.closest('main');
const byText = (nodes, want, textOf) => {
  const all = Array.from(nodes).filter(visible);
  let hits = all.filter(e => norm(textOf(e)) === want);
  if (!hits.length) hits = all.filter(e => norm(textOf(e)).toLowerCase() === want.toLowerCase());
  if (!hits.length) hits = all.filter(e => norm(textOf(e)).startsWith(want));
  const main = hits.filter(inMain);
  return main.length ? main : hits;
};
const scopeOf = legend => {
  if (legend === null) return {scope: document, legends: []};
  const fs = Array.from(document.querySelectorAll('fieldset')).filter(f => {
    const l = f.querySelector('legend');
    return l && norm(l.textContent) === legend;
  });
  const legends = Array.from(document.querySelectorAll('legend')).map(l => norm(l.textContent));
  return {scope: fs.length ? fs[0] : null, legends: legends};
};
const controlOf = label => {
  if (label.htmlFor) return document.getElementById(label.htmlFor);
  return label.querySelector('input, select, textarea');
};
"#;

impl Browser {
    /// Whether the browser tests can run here. When chromium or chromedriver
    /// is missing it writes "Browser was not tested: <reason>" to standard
    /// error and returns false, or panics when UPLIFT_REQUIRE_BROWSER=1.
    pub fn available() -> bool {
        let mut missing = Vec::new();
        let chromium = chromium_path();
        if !chromium.is_file() {
            missing.push(format!(
                "chromium not found at {} (install the Debian package chromium, or set UPLIFT_CHROMIUM)",
                chromium.display()
            ));
        }
        let driver = chromedriver_path();
        if !driver.is_file() {
            missing.push(format!(
                "chromedriver not found at {} (install the Debian package chromium-driver, or set UPLIFT_CHROMEDRIVER)",
                driver.display()
            ));
        }
        if missing.is_empty() {
            return true;
        }
        let why = missing.join("; ");
        if std::env::var("UPLIFT_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("UPLIFT_REQUIRE_BROWSER=1 but the browser cannot run: {why}");
        }
        // Written past the test harness's capture, like the PostgreSQL notice.
        let _ = writeln!(std::io::stderr(), "Browser was not tested: {why}");
        false
    }

    /// Starts chromedriver on a free port and a headless Chromium session.
    /// Panics when they cannot start (check [`Browser::available`] first).
    pub fn open() -> Browser {
        let turn = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
        let started = Instant::now();
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(90))
            .build();
        let profile = tempfile::tempdir().expect("a temporary directory");
        let mut last_error = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let log = profile.path().join(format!("chromedriver-{port}.log"));
            let mut driver = Command::new(chromedriver_path())
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver_path().display()));
            let driver_url = format!("http://127.0.0.1:{port}");
            let deadline = Instant::now() + Duration::from_secs(20);
            let mut ready = false;
            while Instant::now() < deadline {
                if let Ok(Some(status)) = driver.try_wait() {
                    last_error = format!(
                        "chromedriver exited ({status}): {}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                    break;
                }
                if let Ok(r) = agent.get(&format!("{driver_url}/status")).call() {
                    if let Ok(v) = r.into_json::<Value>() {
                        if v["value"]["ready"] == json!(true) {
                            ready = true;
                            break;
                        }
                    }
                }
                thread::sleep(Duration::from_millis(100));
            }
            if !ready {
                let _ = driver.kill();
                let _ = driver.wait();
                if last_error.is_empty() {
                    last_error = "chromedriver did not become ready within 20 s".into();
                }
                continue;
            }
            let user_data = profile.path().join("profile");
            let caps = json!({
                "capabilities": {
                    "alwaysMatch": {
                        "browserName": "chrome",
                        "pageLoadStrategy": "normal",
                        "timeouts": { "implicit": 0, "pageLoad": 60000, "script": 30000 },
                        "goog:chromeOptions": {
                            "binary": chromium_path().display().to_string(),
                            "args": [
                                "--headless=new",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-dev-shm-usage",
                                "--disable-extensions",
                                "--no-first-run",
                                "--window-size=1280,1024",
                                format!("--user-data-dir={}", user_data.display()),
                            ]
                        }
                    }
                }
            });
            match agent.post(&format!("{driver_url}/session")).send_json(caps) {
                Ok(r) => {
                    let v: Value = r.into_json().expect("the new session's JSON");
                    let session = v["value"]["sessionId"]
                        .as_str()
                        .unwrap_or_else(|| panic!("no sessionId in {v}"))
                        .to_string();
                    eprintln!("browser ready in {:.1} s", started.elapsed().as_secs_f64());
                    return Browser {
                        driver,
                        driver_url,
                        session,
                        agent,
                        _profile: profile,
                        _turn: turn,
                    };
                }
                Err(e) => {
                    last_error = format!(
                        "chromedriver could not start Chromium ({}): {}",
                        chromium_path().display(),
                        describe_error(e)
                    );
                    let _ = driver.kill();
                    let _ = driver.wait();
                }
            }
        }
        panic!("cannot open a headless browser: {last_error}");
    }

    // ----- WebDriver plumbing -------------------------------------------------

    fn endpoint(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self.driver_url, self.session)
    }

    fn wd_try(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let req = self.agent.request(method, &self.endpoint(path));
        let res = match body {
            Some(b) => req.send_json(b),
            None => req.call(),
        };
        match res {
            Ok(r) => {
                let v: Value = r.into_json().map_err(|e| format!("bad JSON: {e}"))?;
                Ok(v["value"].clone())
            }
            Err(e) => Err(describe_error(e)),
        }
    }

    fn wd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.wd_try(method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path} failed: {e}"))
    }

    /// Runs a script in the page (`arguments[i]` are `args`) and returns its value.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.wd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    fn try_execute(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        self.wd_try(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    fn element_id(v: &Value) -> Option<String> {
        v.get(ELEMENT_KEY)
            .and_then(|e| e.as_str())
            .map(str::to_string)
    }

    fn element_ref(id: &str) -> Value {
        json!({ ELEMENT_KEY: id })
    }

    /// Clicks an element; when `navigates`, waits until the next page has loaded.
    fn click_element(&self, id: &str, navigates: bool, what: &str) {
        if navigates {
            self.execute("window.__upliftOldPage = true;", vec![]);
        }
        let clicked = self.wd_try("POST", &format!("/element/{id}/click"), Some(json!({})));
        if let Err(e) = clicked {
            // A click that starts a navigation can race the reply; only fail
            // when the page has not changed.
            if !navigates || self.still_on_old_page() {
                self.fail(&format!("could not click {what}: {e}"));
            }
        }
        if navigates {
            self.wait_for_new_page(what);
        }
    }

    fn still_on_old_page(&self) -> bool {
        matches!(
            self.try_execute("return window.__upliftOldPage === true;", vec![]),
            Ok(Value::Bool(true))
        )
    }

    fn wait_for_new_page(&self, what: &str) {
        let deadline = Instant::now() + NAVIGATION_TIMEOUT;
        loop {
            let state = self.try_execute(
                "return [window.__upliftOldPage === true, document.readyState];",
                vec![],
            );
            if let Ok(v) = state {
                if v[0] == json!(false) && v[1] == json!("complete") {
                    return;
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "{what} did not load a new page within {} s",
                    NAVIGATION_TIMEOUT.as_secs()
                ));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Panics with the message, the current address and the text of `<main>`.
    pub fn fail(&self, message: &str) -> ! {
        let path = self
            .try_execute("return location.pathname + location.search;", vec![])
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let main = self
            .try_execute(
                "const m = document.querySelector('main') || document.body; return m ? m.innerText : '';",
                vec![],
            )
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        panic!(
            "{message}\n--- on {path}, the main text is ---\n{main}\n--- end of the main text ---"
        );
    }

    // ----- Navigation and reading -------------------------------------------

    /// Opens a URL: absolute, or a path resolved against the current page's origin.
    pub fn goto(&self, url: &str) {
        let url = self.absolute(url);
        self.wd("POST", "/url", Some(json!({ "url": url })));
    }

    fn absolute(&self, url: &str) -> String {
        if url.starts_with("http://") || url.starts_with("https://") {
            return url.to_string();
        }
        let origin = self.execute("return location.origin;", vec![]);
        match origin.as_str() {
            Some(o) if o.starts_with("http") => format!("{o}{url}"),
            _ => panic!("goto({url:?}): give a full URL before any page of the app is open"),
        }
    }

    /// The current address.
    pub fn current_url(&self) -> String {
        self.wd("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The current path (without the query string).
    pub fn current_path(&self) -> String {
        self.execute("return location.pathname;", vec![])
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The current path and query string.
    pub fn current_path_and_query(&self) -> String {
        self.execute("return location.pathname + location.search;", vec![])
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn title(&self) -> String {
        self.wd("GET", "/title", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn html(&self) -> String {
        self.execute("return document.documentElement.outerHTML;", vec![])
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The text of the page as rendered (`document.body.innerText`).
    pub fn page_text(&self) -> String {
        self.execute(
            "return document.body ? document.body.innerText : '';",
            vec![],
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// The text of `<main>` as rendered.
    pub fn main_text(&self) -> String {
        self.execute(
            "const m = document.querySelector('main'); return m ? m.innerText : '';",
            vec![],
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// The text of the first `<h1>`.
    pub fn heading(&self) -> String {
        self.execute(
            "const h = document.querySelector('h1'); return h ? h.innerText : '';",
            vec![],
        )
        .as_str()
        .map(norm)
        .unwrap_or_default()
    }

    /// The GOV.UK error summary's text, if the page has one.
    pub fn error_summary(&self) -> Option<String> {
        self.execute(
            "const e = document.querySelector('.govuk-error-summary'); return e ? e.innerText : null;",
            vec![],
        )
        .as_str()
        .map(str::to_string)
    }

    /// The GOV.UK success banner's text, if the page has one.
    pub fn notification(&self) -> Option<String> {
        self.execute(
            "const e = document.querySelector('.govuk-notification-banner'); return e ? e.innerText : null;",
            vec![],
        )
        .as_str()
        .map(str::to_string)
    }

    /// Panics (with the main text) unless the page text contains `text`.
    pub fn assert_text(&self, text: &str) {
        let page = self.page_text();
        if !norm(&page).contains(&norm(text)) {
            self.fail(&format!("expected the page to say {text:?}"));
        }
    }

    /// Panics unless the page text does not contain `text`.
    pub fn assert_no_text(&self, text: &str) {
        let page = self.page_text();
        if norm(&page).contains(&norm(text)) {
            self.fail(&format!("expected the page not to say {text:?}"));
        }
    }

    /// Panics unless the page is the "Page not found" error page (404).
    pub fn assert_not_found(&self) {
        let page = self.page_text();
        if !(page.contains("Page not found") && page.contains("Error code: 404")) {
            self.fail("expected the 404 page (Page not found, Error code: 404)");
        }
    }

    /// Saves a PNG of the viewport.
    pub fn screenshot(&self, path: impl AsRef<Path>) {
        let data = self.wd("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .expect("the screenshot is base64");
        std::fs::write(path.as_ref(), png)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.as_ref().display()));
    }

    /// The browser's cookies as a `Cookie` header value.
    pub fn cookie_header(&self) -> String {
        let cookies = self.wd("GET", "/cookie", None);
        cookies
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|c| {
                        format!(
                            "{}={}",
                            c["name"].as_str().unwrap_or_default(),
                            c["value"].as_str().unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    }

    /// Fetches a URL (absolute, or a path on the current origin) with the
    /// browser's cookies, whatever the status.
    pub fn download(&self, url: &str) -> Download {
        let url = self.absolute(url);
        let res = self
            .agent
            .get(&url)
            .set("Cookie", &self.cookie_header())
            .call();
        let r = match res {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("cannot fetch {url}: {e}"),
        };
        let status = r.status();
        let content_type = r.header("Content-Type").unwrap_or_default().to_string();
        let content_disposition = r
            .header("Content-Disposition")
            .unwrap_or_default()
            .to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut r.into_reader(), &mut bytes)
            .unwrap_or_else(|e| panic!("cannot read {url}: {e}"));
        Download {
            status,
            content_type,
            content_disposition,
            bytes,
        }
    }

    /// Fetches a URL with the browser's cookies (e.g. a PDF); panics unless it answers 200.
    pub fn download_bytes(&self, url: &str) -> Vec<u8> {
        let d = self.download(url);
        if d.status != 200 {
            panic!(
                "{url} answered {} ({}): {}",
                d.status,
                d.content_type,
                String::from_utf8_lossy(&d.bytes[..d.bytes.len().min(2000)])
            );
        }
        d.bytes
    }

    // ----- Finding and using the page's controls ----------------------------

    /// The form control whose label reads `label`, optionally inside the fieldset whose legend reads `legend`.
    fn control(&self, legend: Option<&str>, label: &str, kinds: &str) -> String {
        let script = format!(
            "{JS_HELPERS}
            const [want, legend, kinds] = [arguments[0], arguments[1], arguments[2]];
            const s = scopeOf(legend);
            if (!s.scope) return {{error: 'no fieldset with the legend ' + JSON.stringify(legend), choices: s.legends}};
            const labels = Array.from(s.scope.querySelectorAll('label'));
            const fits = e => e && e.matches(kinds) && e.type !== 'hidden';
            let hits = labels.filter(l => norm(l.textContent) === want && fits(controlOf(l)));
            if (!hits.length) hits = labels.filter(l => norm(l.textContent).toLowerCase() === want.toLowerCase() && fits(controlOf(l)));
            if (!hits.length) hits = labels.filter(l => norm(l.textContent).startsWith(want) && fits(controlOf(l)));
            const choices = labels.filter(l => fits(controlOf(l))).map(l => norm(l.textContent));
            if (!hits.length) return {{error: 'no field labelled ' + JSON.stringify(want), choices: choices}};
            const main = hits.filter(inMain);
            if (main.length) hits = main;
            if (hits.length > 1) return {{error: hits.length + ' fields are labelled ' + JSON.stringify(want) + ' (name the fieldset legend)', choices: choices}};
            return {{element: controlOf(hits[0])}};"
        );
        let legend_arg = legend.map(|l| json!(norm(l))).unwrap_or(Value::Null);
        let v = self.execute(&script, vec![json!(norm(label)), legend_arg, json!(kinds)]);
        match Self::element_id(&v["element"]) {
            Some(id) => id,
            None => self.fail(&format!(
                "{}; the labels there are {}",
                v["error"].as_str().unwrap_or("no such field"),
                v["choices"]
            )),
        }
    }

    fn type_into(&self, id: &str, value: &str, what: &str) {
        if let Err(e) = self.wd_try("POST", &format!("/element/{id}/clear"), Some(json!({}))) {
            self.fail(&format!("could not clear {what}: {e}"));
        }
        if !value.is_empty() {
            if let Err(e) = self.wd_try(
                "POST",
                &format!("/element/{id}/value"),
                Some(json!({ "text": value })),
            ) {
                self.fail(&format!("could not type into {what}: {e}"));
            }
        }
    }

    /// Types `value` into the text input or textarea labelled `label` (replacing what it held).
    pub fn fill(&self, label: &str, value: &str) {
        let id = self.control(None, label, "input, textarea");
        self.type_into(&id, value, &format!("the field {label:?}"));
    }

    /// Like [`fill`](Self::fill), for a field inside the fieldset whose legend reads `legend`.
    pub fn fill_in(&self, legend: &str, label: &str, value: &str) {
        let id = self.control(Some(legend), label, "input, textarea");
        self.type_into(&id, value, &format!("the field {label:?} in {legend:?}"));
    }

    /// Fills the GOV.UK date input whose legend reads `legend` with an ISO date (YYYY-MM-DD).
    pub fn fill_date(&self, legend: &str, iso: &str) {
        let parts: Vec<&str> = iso.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            panic!("fill_date wants YYYY-MM-DD, not {iso:?}");
        };
        let strip = |s: &str| s.trim_start_matches('0').to_string();
        self.fill_in(legend, "Day", &strip(d));
        self.fill_in(legend, "Month", &strip(m));
        self.fill_in(legend, "Year", y);
    }

    fn choose_option(&self, id: &str, option: &str, what: &str) {
        let v = self.execute(
            "const [sel, want] = [arguments[0], arguments[1]];
             const norm = s => (s || '').replace(/\\s+/g, ' ').trim();
             const opts = Array.from(sel.options);
             let hit = opts.find(o => norm(o.text) === want)
                 || opts.find(o => norm(o.text).toLowerCase() === want.toLowerCase())
                 || opts.find(o => norm(o.text).startsWith(want))
                 || opts.find(o => norm(o.text).includes(want));
             return hit ? {element: hit} : {choices: opts.map(o => norm(o.text))};",
            vec![Self::element_ref(id), json!(norm(option))],
        );
        match Self::element_id(&v["element"]) {
            Some(opt) => self.click_element(&opt, false, &format!("{option:?} in {what}")),
            None => self.fail(&format!(
                "{what} has no option {option:?}; its options are {}",
                v["choices"]
            )),
        }
    }

    /// Chooses the option reading `option` in the drop-down labelled `label`.
    pub fn select(&self, label: &str, option: &str) {
        let id = self.control(None, label, "select");
        self.choose_option(&id, option, &format!("the list {label:?}"));
    }

    /// Like [`select`](Self::select), inside the fieldset whose legend reads `legend`.
    pub fn select_in(&self, legend: &str, label: &str, option: &str) {
        let id = self.control(Some(legend), label, "select");
        self.choose_option(&id, option, &format!("the list {label:?} in {legend:?}"));
    }

    fn set_checked(&self, id: &str, want: bool, what: &str) {
        let checked = self.wd("GET", &format!("/element/{id}/selected"), None);
        if checked != json!(want) {
            self.click_element(id, false, what);
        }
        let now = self.wd("GET", &format!("/element/{id}/selected"), None);
        if now != json!(want) {
            self.fail(&format!(
                "{what} did not become {}",
                if want { "checked" } else { "unchecked" }
            ));
        }
    }

    /// Ticks the checkbox, or chooses the radio button, labelled `label`.
    pub fn check(&self, label: &str) {
        let id = self.control(None, label, "input[type=checkbox], input[type=radio]");
        self.set_checked(&id, true, &format!("the option {label:?}"));
    }

    /// Like [`check`](Self::check), inside the fieldset whose legend reads
    /// `legend` (when several questions share an answer such as "Yes").
    pub fn check_in(&self, legend: &str, label: &str) {
        let id = self.control(
            Some(legend),
            label,
            "input[type=checkbox], input[type=radio]",
        );
        self.set_checked(&id, true, &format!("the option {label:?} in {legend:?}"));
    }

    /// Unticks the checkbox labelled `label`.
    pub fn uncheck(&self, label: &str) {
        let id = self.control(None, label, "input[type=checkbox]");
        self.set_checked(&id, false, &format!("the checkbox {label:?}"));
    }

    /// The value now in the field labelled `label`.
    pub fn value_of(&self, label: &str) -> String {
        let id = self.control(None, label, "input, textarea, select");
        self.execute("return arguments[0].value;", vec![Self::element_ref(&id)])
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The value now in the field labelled `label` inside the fieldset whose legend reads `legend`.
    pub fn value_in(&self, legend: &str, label: &str) -> String {
        let id = self.control(Some(legend), label, "input, textarea, select");
        self.execute("return arguments[0].value;", vec![Self::element_ref(&id)])
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Clicks the button reading `text` (a `<button>`, a submit input or a
    /// link styled as a button), preferring one inside `<main>`, and waits for
    /// the page it leads to.
    pub fn click_button(&self, text: &str) {
        let v = self.execute(
            &format!(
                "{JS_HELPERS}
                const want = arguments[0];
                const nodes = document.querySelectorAll('button, input[type=submit], input[type=button], a[role=button]');
                const textOf = e => e.tagName === 'INPUT' ? e.value : e.textContent;
                const hits = byText(nodes, want, textOf);
                if (!hits.length) return {{choices: Array.from(nodes).filter(visible).map(e => norm(textOf(e)))}};
                const e = hits[0];
                const navigates = e.tagName === 'A' || (e.type === 'submit' && !!e.form);
                return {{element: e, navigates: navigates}};"
            ),
            vec![json!(norm(text))],
        );
        match Self::element_id(&v["element"]) {
            Some(id) => self.click_element(
                &id,
                v["navigates"] == json!(true),
                &format!("the button {text:?}"),
            ),
            None => self.fail(&format!(
                "no button reads {text:?}; the buttons are {}",
                v["choices"]
            )),
        }
    }

    /// Follows the link reading `text`, preferring one inside `<main>`.
    pub fn click_link(&self, text: &str) {
        let v = self.execute(
            &format!(
                "{JS_HELPERS}
                const want = arguments[0];
                const nodes = document.querySelectorAll('a[href]');
                const hits = byText(nodes, want, e => e.textContent);
                if (!hits.length) return {{choices: Array.from(nodes).filter(visible).map(e => norm(e.textContent))}};
                const e = hits[0];
                const href = e.getAttribute('href') || '';
                return {{element: e, navigates: !href.startsWith('#')}};"
            ),
            vec![json!(norm(text))],
        );
        match Self::element_id(&v["element"]) {
            Some(id) => self.click_element(
                &id,
                v["navigates"] == json!(true),
                &format!("the link {text:?}"),
            ),
            None => self.fail(&format!(
                "no link reads {text:?}; the links are {}",
                v["choices"]
            )),
        }
    }

    /// The `href` of the link reading `text` (e.g. a PDF to download).
    pub fn link_href(&self, text: &str) -> String {
        let v = self.execute(
            &format!(
                "{JS_HELPERS}
                const hits = byText(document.querySelectorAll('a[href]'), arguments[0], e => e.textContent);
                return hits.length ? hits[0].href : null;"
            ),
            vec![json!(norm(text))],
        );
        match v.as_str() {
            Some(h) => h.to_string(),
            None => self.fail(&format!("no link reads {text:?}")),
        }
    }

    /// Every link's text and absolute `href` on the page.
    pub fn links(&self) -> Vec<(String, String)> {
        let v = self.execute(
            "const norm = s => (s || '').replace(/\\s+/g, ' ').trim();
             return Array.from(document.querySelectorAll('a[href]')).map(a => [norm(a.textContent), a.href]);",
            vec![],
        );
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        (
                            p[0].as_str().unwrap_or_default().to_string(),
                            p[1].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    // ----- Signing in and out -----------------------------------------------

    /// Signs in with the demo account of `role` through the sign-in form
    /// (signing out first if someone is signed in) and checks it worked.
    pub fn sign_in(&self, app: &DemoServer, role: &str) {
        self.goto(&app.url("/"));
        if self.current_path() != "/sign-in" {
            self.sign_out();
        }
        self.goto(&app.url("/sign-in"));
        self.fill("Email address", &app.email(role));
        self.fill("Password", &app.password(role));
        self.click_button("Sign in");
        if self.current_path() == "/sign-in" || self.error_summary().is_some() {
            self.fail(&format!("signing in as the demo {role} failed"));
        }
    }

    /// Signs out with the "Sign out" button in the menu (from the home page
    /// when the current page has no menu, as error pages do not).
    pub fn sign_out(&self) {
        let has_button = self.execute(
            "return Array.from(document.querySelectorAll('button')).some(b => b.textContent.trim() === 'Sign out');",
            vec![],
        );
        if has_button != json!(true) {
            self.goto("/");
        }
        self.click_button("Sign out");
        if self.current_path() != "/sign-in" {
            self.fail("signing out should lead to the sign-in page");
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self
            .agent
            .delete(&format!("{}/session/{}", self.driver_url, self.session))
            .call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn describe_error(e: ureq::Error) -> String {
    match e {
        ureq::Error::Status(code, r) => {
            let body = r.into_string().unwrap_or_default();
            match serde_json::from_str::<Value>(&body) {
                Ok(v) => format!(
                    "{code} {}: {}",
                    v["value"]["error"].as_str().unwrap_or_default(),
                    v["value"]["message"]
                        .as_str()
                        .unwrap_or_default()
                        .lines()
                        .next()
                        .unwrap_or_default()
                ),
                Err(_) => format!("{code}: {body}"),
            }
        }
        other => other.to_string(),
    }
}
