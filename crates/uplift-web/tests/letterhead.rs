//! The organisation's letterhead: saved through the form with a PNG logo,
//! it appears (image and address lines) on the note of visit PDF, the
//! letters' PDF and Word files and the sample; bad logos and bad fields are
//! refused with GOV.UK errors and nothing saved; the API round trip; school
//! users and advisers are refused; another organisation never sees it.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{Reply, TestApp};
use uplift_domain::access::Role;
use uplift_store::audit::AuditFilter;

const ADDRESS_1: &str = "5 Invented Square";
const ADDRESS_2: &str = "London X1 1XX";
const FOOTER: &str = "Please quote our reference on every reply";

/// A 60 by 30 PNG with a graded alpha channel, made here.
fn png_logo(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        let mut data = Vec::new();
        for y in 0..height {
            for x in 0..width {
                data.extend_from_slice(&[(x * 4) as u8, (y * 8) as u8, 120, (x + y) as u8]);
            }
        }
        w.write_image_data(&data).unwrap();
    }
    out
}

fn multipart(fields: &[(&str, &str)], logo: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "XLETTERHEADBOUNDARYX";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = logo {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post(
    app: &TestApp,
    cookie: &str,
    fields: &[(&str, &str)],
    logo: Option<(&str, &[u8])>,
) -> Reply {
    let (ct, body) = multipart(fields, logo);
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri("/settings/letterhead")
            .header(header::CONTENT_TYPE, ct)
            .header(header::COOKIE, cookie)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn fields<'a>(csrf: &'a str, email: &'a str, address: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", csrf),
        ("service_name", "School Improvement Service"),
        ("address_lines", address),
        ("telephone", "020 0000 0000"),
        ("email", email),
        ("website", "invented.example"),
        ("footer", FOOTER),
    ]
}

async fn raw_get(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let res = uplift_web::router(app.state.clone())
        .oneshot(
            Request::builder()
                .uri(path)
                .header("cookie", cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    (
        status,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

/// The image XObjects of the PDF's first page: (width, height, has a soft mask).
fn first_page_images(pdf: &[u8]) -> Vec<(i64, i64, bool)> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let first = *doc.get_pages().get(&1).unwrap();
    let page = doc.get_dictionary(first).unwrap();
    let resources = page.get(b"Resources").unwrap().as_dict().unwrap();
    let Ok(xobjects) = resources.get(b"XObject") else {
        return Vec::new();
    };
    xobjects
        .as_dict()
        .unwrap()
        .iter()
        .map(|(_, r)| {
            let stream = doc
                .get_object(r.as_reference().unwrap())
                .unwrap()
                .as_stream()
                .unwrap();
            assert_eq!(
                stream.dict.get(b"Subtype").unwrap().as_name().unwrap(),
                b"Image"
            );
            (
                stream.dict.get(b"Width").unwrap().as_i64().unwrap(),
                stream.dict.get(b"Height").unwrap().as_i64().unwrap(),
                stream.dict.get(b"SMask").is_ok(),
            )
        })
        .collect()
}

fn assert_letterhead(pdf: &[u8], what: &str) {
    assert!(pdf.starts_with(b"%PDF-"), "{what} is a PDF");
    assert_eq!(
        first_page_images(pdf),
        vec![(60, 30, true)],
        "{what}: the logo"
    );
    let text = uplift_docs::inspect::pdf_text(pdf).unwrap();
    for needle in [
        ADDRESS_1,
        ADDRESS_2,
        "School Improvement Service",
        "Telephone 020 0000 0000",
        "Email schools@invented.example",
        FOOTER,
    ] {
        assert!(
            text.contains(needle),
            "{what}: {needle:?} missing from\n{text}"
        );
    }
    // The footer line is on every page.
    let pages = uplift_docs::inspect::pdf_page_count(pdf).unwrap();
    assert_eq!(text.matches(FOOTER).count(), pages, "{what}");
}

#[tokio::test]
async fn a_logo_saved_through_the_form_is_on_notes_letters_and_the_sample() {
    let app = TestApp::new().await;
    let visit = app.visits().await.own_final;
    let concern = common::concern_fixture::concern_fixture(&app).await;
    let (cookie, csrf) = app.session(Role::Lead).await;

    // Before anything is saved: the name alone, and no image.
    let page = app.get("/settings/letterhead", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(r#"enctype="multipart/form-data""#));
    assert!(page.body.contains("No letterhead has been saved yet"));
    let (_, pdf) = raw_get(&app, &format!("/visits/{visit}/note.pdf"), &cookie).await;
    assert!(first_page_images(&pdf).is_empty());

    let logo = png_logo(60, 30);
    let address = format!("{ADDRESS_1}\r\n{ADDRESS_2}");
    let r = post(
        &app,
        &cookie,
        &fields(&csrf, "schools@invented.example", &address),
        Some(("crest.png", &logo)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/settings/letterhead?saved=1");

    let saved = app.db.letterhead(app.org_id).await.unwrap().unwrap();
    assert_eq!(
        saved.text.address_lines,
        format!("{ADDRESS_1}\n{ADDRESS_2}")
    );
    assert_eq!(saved.logo.as_ref().unwrap().bytes, logo);
    assert_eq!(saved.logo.as_ref().unwrap().mime, "image/png");

    // The page: a flash, the preview with the logo, the link to the sample.
    let page = app.get("/settings/letterhead?saved=1", Some(&cookie)).await;
    assert!(page.body.contains("The letterhead has been saved."));
    assert!(page.body.contains("data:image/png;base64,"));
    assert!(page.body.contains(ADDRESS_1));
    assert!(page.body.contains("/settings/letterhead/sample.pdf"));
    assert!(page.body.contains("Remove the logo"));
    assert!(!page.body.contains("style="), "no inline styles");
    // And the letter templates page links here.
    let letters = app.get("/settings/letters", Some(&cookie)).await;
    assert!(letters.body.contains(r#"href="/settings/letterhead""#));

    // The note of visit, as the lead and as the school it was shared with.
    let (status, pdf) = raw_get(&app, &format!("/visits/{visit}/note.pdf"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_letterhead(&pdf, "note of visit");
    let (school_cookie, _) = app.session(Role::School).await;
    let (status, pdf) = raw_get(&app, &format!("/visits/{visit}/note.pdf"), &school_cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_letterhead(&pdf, "note of visit (school)");

    // A letter, as PDF and as Word.
    let letter = concern.letter_id;
    let (status, pdf) = raw_get(&app, &format!("/concern/letters/{letter}.pdf"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_letterhead(&pdf, "letter");
    let (status, docx) = raw_get(&app, &format!("/concern/letters/{letter}.docx"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let rels = uplift_docs::inspect::docx_part(&docx, "word/_rels/document.xml.rels").unwrap();
    assert!(rels.contains(r#"Target="media/logo.png""#));
    assert!(
        docx.windows(19).any(|w| w == b"word/media/logo.png"),
        "the logo is a part of the package"
    );
    let text = uplift_docs::inspect::docx_text(&docx).unwrap();
    assert!(text.contains(ADDRESS_1) && text.contains(ADDRESS_2));
    let footer = uplift_docs::inspect::docx_part(&docx, "word/footer1.xml").unwrap();
    assert!(footer.contains(FOOTER));

    // The sample.
    let (status, pdf) = raw_get(&app, "/settings/letterhead/sample.pdf", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_letterhead(&pdf, "sample");

    // The audit log has the logo's digest, not its bytes.
    let entries = app
        .db
        .audit_entries(&AuditFilter {
            organisation_id: Some(app.org_id),
            entity: Some("letterhead".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    let after = entries[0].after_json.as_deref().unwrap();
    assert!(after.contains("sha256") && after.len() < 1000, "{after}");

    // Change the text, keep the logo; then remove the logo.
    let r = post(
        &app,
        &cookie,
        &fields(&csrf, "office@invented.example", &address),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let saved = app.db.letterhead(app.org_id).await.unwrap().unwrap();
    assert_eq!(saved.text.email, "office@invented.example");
    assert!(saved.logo.is_some());
    let mut remove = fields(&csrf, "office@invented.example", &address);
    remove.push(("remove_logo", "yes"));
    let r = post(&app, &cookie, &remove, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(app
        .db
        .letterhead(app.org_id)
        .await
        .unwrap()
        .unwrap()
        .logo
        .is_none());
    let (_, pdf) = raw_get(&app, &format!("/concern/letters/{letter}.pdf"), &cookie).await;
    assert!(first_page_images(&pdf).is_empty());
    assert!(uplift_docs::inspect::pdf_text(&pdf)
        .unwrap()
        .contains(ADDRESS_1));

    // Another organisation's documents never carry it.
    let other = app
        .api(
            Method::GET,
            "/api/v1/settings/letterhead",
            Some(&app.other_admin.token),
        )
        .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.json()["service_name"], "");
    assert_eq!(other.json()["has_logo"], false);
}

#[tokio::test]
async fn bad_logos_and_fields_are_refused_and_nothing_saved() {
    let app = TestApp::new().await;
    let (cookie, csrf) = app.session(Role::Admin).await;
    let address = format!("{ADDRESS_1}\n{ADDRESS_2}");
    let good = fields(&csrf, "schools@invented.example", &address);

    let mut oversized = b"\x89PNG\r\n\x1a\n".to_vec();
    oversized.resize(1024 * 1024 + 10, 7);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "notes.png",
            b"This is a text file, not a picture".to_vec(),
            "The logo must be a PNG or JPEG image",
        ),
        ("big.png", oversized, "The logo must be 1 MB or smaller"),
        (
            "wide.png",
            png_logo(2001, 2),
            "The logo must be at most 2000 by 2000 pixels",
        ),
        (
            "cut.png",
            png_logo(60, 30)[..60].to_vec(),
            "The logo could not be read as an image",
        ),
    ];
    for (name, bytes, message) in cases {
        let r = post(&app, &cookie, &good, Some((name, &bytes))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {}", r.body);
        assert!(
            r.body.contains("govuk-error-summary"),
            "{name}: {}",
            &r.body[r.body.find("<main").unwrap_or(0)..]
        );
        assert!(
            r.body.contains(r##"<a href="#logo">"##),
            "{name}: {}",
            &r.body[r.body.find("<main").unwrap_or(0)..]
        );
        assert!(r.body.contains(r#"id="logo-error""#), "{name}");
        assert!(r.body.contains(message), "{name}: {message}\n{}", r.body);
        // What was typed is kept.
        assert!(r.body.contains(ADDRESS_1), "{name}");
        assert!(
            app.db.letterhead(app.org_id).await.unwrap().is_none(),
            "{name}"
        );
    }

    // Bad fields: an email that is not one, seven address lines, a long line.
    let seven: String = (1..=7).map(|i| format!("Line {i}\n")).collect();
    let long = "x".repeat(101);
    for (f, message) in [
        (
            fields(&csrf, "not-an-email", &address),
            "Enter an email address in the correct format",
        ),
        (
            fields(&csrf, "a@b.example", &seven),
            "Enter the address in 6 lines or fewer",
        ),
        (
            fields(&csrf, "a@b.example", &long),
            "Line 1 of the address must be 100 characters or fewer",
        ),
    ] {
        let r = post(&app, &cookie, &f, Some(("crest.png", &png_logo(10, 10)))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains(message), "{message}");
        assert!(r.body.contains("govuk-error-summary"));
        assert!(app.db.letterhead(app.org_id).await.unwrap().is_none());
    }

    // Without the CSRF token the file is not accepted.
    let mut no_token = good.clone();
    no_token.retain(|(k, _)| *k != "csrf_token");
    let r = post(
        &app,
        &cookie,
        &no_token,
        Some(("crest.png", &png_logo(10, 10))),
    )
    .await;
    assert!(
        r.status == StatusCode::FORBIDDEN || r.status == StatusCode::BAD_REQUEST,
        "{}",
        r.status
    );
    assert!(app.db.letterhead(app.org_id).await.unwrap().is_none());
}

async fn api(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    app.send(b.body(Body::from(body)).unwrap()).await
}

#[tokio::test]
async fn api_round_trip() {
    let app = TestApp::new().await;
    let token = app.user(Role::Lead).token.clone();
    let path = "/api/v1/settings/letterhead";

    let r = api(&app, Method::GET, path, &token, None, vec![]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["has_logo"], false);
    assert!(r.json()["updated_at"].is_null());

    let body = serde_json::json!({
        "service_name": "School Improvement Service",
        "address_lines": [ADDRESS_1, ADDRESS_2],
        "telephone": "020 0000 0000",
        "email": "schools@invented.example",
        "website": "invented.example",
        "footer": FOOTER,
    });
    let r = api(
        &app,
        Method::PUT,
        path,
        &token,
        Some("application/json"),
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["address_lines"][1], ADDRESS_2);

    // A bad email: 422 naming the field, nothing changed.
    let mut bad = body.clone();
    bad["email"] = "nope".into();
    let r = api(
        &app,
        Method::PUT,
        path,
        &token,
        Some("application/json"),
        bad.to_string().into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "email");

    // The logo.
    let logo_path = "/api/v1/settings/letterhead/logo";
    let logo = png_logo(60, 30);
    let r = api(
        &app,
        Method::PUT,
        logo_path,
        &token,
        Some("image/png"),
        logo.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["has_logo"], true);
    assert_eq!(j["logo_mime"], "image/png");
    assert_eq!(j["logo_size_bytes"], logo.len());
    assert_eq!(j["logo_width_px"], 60);
    assert_eq!(j["service_name"], "School Improvement Service");
    let r = api(&app, Method::GET, path, &token, None, vec![]).await;
    assert_eq!(r.json()["has_logo"], true);
    assert!(!r.body.contains("base64"), "no bytes in the JSON");

    // Refused: not an image, a mismatched type, no image type at all.
    let r = api(
        &app,
        Method::PUT,
        logo_path,
        &token,
        Some("image/png"),
        b"plain text".to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "logo");
    let r = api(
        &app,
        Method::PUT,
        logo_path,
        &token,
        Some("image/jpeg"),
        logo.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = api(
        &app,
        Method::PUT,
        logo_path,
        &token,
        Some("text/plain"),
        logo.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let stored = app.db.letterhead(app.org_id).await.unwrap().unwrap();
    assert_eq!(stored.logo.unwrap().bytes, logo);

    // Removed.
    let r = api(&app, Method::DELETE, logo_path, &token, None, vec![]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["has_logo"], false);
    assert_eq!(r.json()["telephone"], "020 0000 0000");
    assert!(app
        .db
        .letterhead(app.org_id)
        .await
        .unwrap()
        .unwrap()
        .logo
        .is_none());

    // The OpenAPI document lists the endpoints.
    let doc = app.get("/api/openapi.json", None).await;
    assert!(doc.body.contains("/api/v1/settings/letterhead/logo"));
}

#[tokio::test]
async fn school_users_and_advisers_are_refused() {
    let app = TestApp::new().await;
    for role in [Role::School, Role::Adviser] {
        let (cookie, csrf) = app.session(role).await;
        for path in ["/settings/letterhead", "/settings/letterhead/sample.pdf"] {
            let r = app.get(path, Some(&cookie)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role} {path}");
        }
        let r = post(
            &app,
            &cookie,
            &fields(&csrf, "a@b.example", ADDRESS_1),
            Some(("crest.png", &png_logo(10, 10))),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
        let token = app.user(role).token.clone();
        let r = api(
            &app,
            Method::GET,
            "/api/v1/settings/letterhead",
            &token,
            None,
            vec![],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
        let r = api(
            &app,
            Method::PUT,
            "/api/v1/settings/letterhead/logo",
            &token,
            Some("image/png"),
            png_logo(10, 10),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
        assert!(app.db.letterhead(app.org_id).await.unwrap().is_none());
    }
}

/// The form and `PUT /api/v1/settings/letterhead` go through one use case:
/// the same refused text gets the same messages on the same fields, and the
/// same good text saves the same letterhead.
#[tokio::test]
async fn the_form_and_the_api_refuse_and_save_alike() {
    use common::parity::{api_errors, send_json, summary, summary_fields};
    let app = TestApp::new().await;
    let (cookie, csrf) = app.session(Role::Lead).await;
    let token = app.user(Role::Lead).token.clone();
    let seven = "1\n2\n3\n4\n5\n6\n7";
    let long_line = format!("Town Hall\n{}", "x".repeat(101));
    for (email, address) in [
        ("si@invented", "Town Hall"),
        ("", seven),
        ("not an email", long_line.as_str()),
    ] {
        let page = post(&app, &cookie, &fields(&csrf, email, address), None).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
        let api = send_json(
            &app,
            Method::PUT,
            "/api/v1/settings/letterhead",
            &token,
            serde_json::json!({"service_name": "School Improvement Service",
                "address_lines": address.lines().collect::<Vec<_>>(), "telephone": "020 0000 0000",
                "email": email, "website": "invented.example", "footer": FOOTER}),
        )
        .await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
        let errors = api_errors(&api);
        assert!(!errors.is_empty());
        assert_eq!(
            summary(&page.body),
            errors.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>()
        );
        assert_eq!(
            summary_fields(&page.body),
            errors.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>()
        );
    }
    assert!(app.db.letterhead(app.org_id).await.unwrap().is_none());
    let page = post(
        &app,
        &cookie,
        &fields(&csrf, "si@invented.example.gov.uk", "Town Hall\nLondon"),
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let by_page = app.db.letterhead(app.org_id).await.unwrap().unwrap().text;
    let api = send_json(
        &app,
        Method::PUT,
        "/api/v1/settings/letterhead",
        &token,
        serde_json::json!({"service_name": "School Improvement Service",
            "address_lines": ["Town Hall", "London"], "telephone": "020 0000 0000",
            "email": "si@invented.example.gov.uk", "website": "invented.example", "footer": FOOTER}),
    )
    .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    assert_eq!(
        app.db.letterhead(app.org_id).await.unwrap().unwrap().text,
        by_page
    );
}
