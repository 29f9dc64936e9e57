//! The web crate's layering, read from its source: the JSON API and the
//! shared views never reach into a page module (nor call a page handler),
//! and pages never reach into the API. Both go through `uplift-app`.

use std::path::{Path, PathBuf};

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(sources(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

/// Lines of code (not comments) under `dir` that mention `needle`.
fn uses(dir: &str, needle: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let files = sources(&root);
    assert!(!files.is_empty(), "no sources under {}", root.display());
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if code.contains(needle) {
                found.push(format!("{}:{}: {}", f.display(), i + 1, code));
            }
        }
    }
    found
}

#[test]
fn the_api_and_the_views_import_no_page_module() {
    for dir in ["api", "views"] {
        let found = uses(dir, "pages::");
        assert!(
            found.is_empty(),
            "{dir} reaches into pages:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn pages_import_nothing_from_the_api() {
    let found = uses("pages", "api::");
    assert!(
        found.is_empty(),
        "pages reach into the API:\n{}",
        found.join("\n")
    );
}
