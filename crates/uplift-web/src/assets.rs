//! Front-end assets built from govuk-frontend at compile time.
//!
//! `build.rs` fetches govuk-frontend with npm (from the lockfile in `frontend/`), compiles our
//! Sass (Arial, no GDS Transport, no crown) and embeds the results here. Serve them under
//! `/assets/{path}`; link to them with [`url`], which adds a content hash so that responses can
//! be cached for ever (`Cache-Control: public, max-age=31536000, immutable` when the request has
//! the current `v`).

/// One embedded file served under `/assets/`.
#[derive(Debug)]
pub struct Asset {
    /// The path after `/assets/`, e.g. `uplift.css`.
    pub path: &'static str,
    pub bytes: &'static [u8],
    /// The `Content-Type` header value.
    pub content_type: &'static str,
    /// A hash of `bytes`, used as the `v` query parameter of the asset's URL.
    pub version: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/assets_gen.rs"));

/// The asset at `path` (without the `/assets/` prefix or any query string).
pub fn lookup(path: &str) -> Option<&'static Asset> {
    ASSETS
        .binary_search_by(|asset| asset.path.cmp(path))
        .ok()
        .map(|index| &ASSETS[index])
}

/// Every embedded asset, sorted by path.
pub fn all() -> &'static [Asset] {
    ASSETS
}

/// The cache-busting URL of an asset, e.g. `/assets/uplift.css?v=1a2b…`, or `None` if unknown.
pub fn url(path: &str) -> Option<String> {
    lookup(path).map(|asset| format!("/assets/{}?v={}", asset.path, asset.version))
}

/// The content hash of the stylesheet (`/assets/uplift.css?v={CSS_VERSION}`).
pub const CSS_VERSION: &str = version_of("uplift.css");

/// The content hash of our script (`/assets/uplift.js?v={JS_VERSION}`).
pub const JS_VERSION: &str = version_of("uplift.js");

const fn version_of(path: &str) -> &'static str {
    let mut i = 0;
    while i < ASSETS.len() {
        if const_str_eq(ASSETS[i].path, path) {
            return ASSETS[i].version;
        }
        i += 1;
    }
    panic!("asset missing from the generated table");
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(path: &str) -> &'static str {
        let asset = lookup(path).unwrap_or_else(|| panic!("{path} is not embedded"));
        std::str::from_utf8(asset.bytes).expect("text asset is UTF-8")
    }

    #[test]
    fn stylesheet_is_govuk_frontend_without_gds_transport() {
        let css = text("uplift.css");
        assert_eq!(
            lookup("uplift.css").unwrap().content_type,
            "text/css; charset=utf-8"
        );
        for class in [
            ".govuk-header",
            ".govuk-service-navigation",
            ".govuk-button",
            ".govuk-tag--red",
        ] {
            assert!(css.contains(class), "stylesheet lacks {class}");
        }
        assert!(css.contains("font-family:arial,sans-serif"));
        assert!(!css.contains("GDS Transport"));
        assert!(!css.contains("@font-face"));
        assert!(
            !css.contains("govuk-crest"),
            "the footer crest must not be referenced"
        );
        assert!(!css.contains("/fonts/"), "no font files are served");
        assert!(
            css.contains(".uplift-link-button"),
            "our own rules are compiled in"
        );
    }

    #[test]
    fn scripts_are_modules_and_imports_are_versioned() {
        let govuk = text("govuk-frontend.min.js");
        assert!(govuk.contains("export{") && govuk.contains("initAll"));
        assert!(
            !govuk.contains("sourceMappingURL"),
            "the source map is not served"
        );
        let ours = text("uplift.js");
        assert!(ours.contains("govuk-frontend-supported"));
        assert!(ours.contains("initAll()"));
        let versioned = format!(
            "./govuk-frontend.min.js?v={}",
            lookup("govuk-frontend.min.js").unwrap().version
        );
        assert!(ours.contains(&versioned), "uplift.js imports {versioned}");
        assert_eq!(
            lookup("uplift.js").unwrap().content_type,
            "text/javascript; charset=utf-8"
        );
    }

    #[test]
    fn favicon_is_ours_and_no_crown_is_shipped() {
        let favicon = text("favicon.svg");
        assert!(favicon.starts_with("<svg") && favicon.contains("Uplift"));
        for asset in all() {
            let name = asset.path.to_ascii_lowercase();
            assert!(
                !name.contains("crest") && !name.contains("crown") && !name.contains("govuk-icon")
            );
            assert!(!name.ends_with(".woff") && !name.ends_with(".woff2"));
        }
    }

    #[test]
    fn lookup_and_urls() {
        assert!(lookup("nope.css").is_none());
        assert!(
            lookup("/assets/uplift.css").is_none(),
            "paths are given without the prefix"
        );
        assert_eq!(
            url("uplift.css").unwrap(),
            format!("/assets/uplift.css?v={CSS_VERSION}")
        );
        assert_eq!(
            url("uplift.js").unwrap(),
            format!("/assets/uplift.js?v={JS_VERSION}")
        );
        assert_eq!(CSS_VERSION.len(), 16);
        assert!(
            all().windows(2).all(|w| w[0].path < w[1].path),
            "sorted for binary search"
        );
    }
}
