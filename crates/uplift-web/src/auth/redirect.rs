//! Where to send someone after they sign in: a path on this site, or `/`.
//! The one check for every redirect target taken from input.

/// `candidate` (already percent-decoded, as a form or query string is) when
/// it is a local path: it starts with a single `/` (not `//` or `/\`, which
/// browsers read as another host) and holds only visible ASCII, so no
/// control character (browsers drop tabs and line breaks, turning `/\t/host`
/// into `//host`), no space and no backslash anywhere. Anything else is `/`.
/// A real path reaches here percent-encoded, so nothing real is lost.
pub fn local_path(candidate: Option<&str>) -> String {
    match candidate {
        Some(p) if is_local_path(p) => p.to_string(),
        _ => "/".into(),
    }
}

fn is_local_path(p: &str) -> bool {
    let b = p.as_bytes();
    b.first() == Some(&b'/')
        && !matches!(b.get(1), Some(b'/') | Some(b'\\'))
        && b.iter().all(|c| c.is_ascii_graphic() && *c != b'\\')
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_pass() {
        for ok in [
            "/",
            "/audit?x=1",
            "/schools/100005#intelligence",
            "/a/b%2F%2Fc",
        ] {
            assert_eq!(local_path(Some(ok)), ok);
        }
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "/x\\y",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nLocation: x",
            "\n",
            "/ /x",
            "/caf\u{e9}",
            "/\u{85}/evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local_path(None), "/");
    }
}
