//! The letterhead use cases, called directly on both backends: text and logo
//! saved together and audited, every problem named on its field with nothing
//! saved, a logo whose bytes are not the type it was sent as refused, and
//! only those who manage templates may change it.

mod common;

use common::{count, setup};
use uplift_app::letterhead::{document_letterhead, letterhead, save_letterhead, LogoInput};
use uplift_app::AppError;
use uplift_docs::ImageKind;
use uplift_store::letterhead::LetterheadText;
use uplift_store::testkit::each_backend;

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(&vec![200u8; (width * height * 3) as usize])
            .unwrap();
    }
    out
}

fn text() -> LetterheadText {
    LetterheadText {
        service_name: "School Improvement Service".into(),
        address_lines: "Town Hall\nJudd Street\nLondon WC1H 9JE".into(),
        telephone: "020 7974 4444".into(),
        email: "si@invented.example.gov.uk".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn text_and_logo_are_saved_and_documents_print_them() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let org = s.lead.organisation_id();
        let saved = save_letterhead(
            &s.app,
            &s.lead,
            Some(&text()),
            LogoInput::Upload {
                bytes: png(60, 30),
                declared: Some(ImageKind::Png),
            },
        )
        .await
        .unwrap();
        assert_eq!(saved.logo.as_ref().map(|l| l.width_px), Some(60));
        let doc = document_letterhead(&s.app, org, "Invented Council")
            .await
            .unwrap();
        assert_eq!(
            doc.lines,
            [
                "School Improvement Service",
                "Town Hall",
                "Judd Street",
                "London WC1H 9JE",
                "Telephone 020 7974 4444",
                "Email si@invented.example.gov.uk"
            ]
        );
        assert!(doc.logo.is_some());
        // A logo upload alone keeps the text; removing keeps it too.
        let removed = save_letterhead(&s.app, &s.lead, None, LogoInput::Remove)
            .await
            .unwrap();
        assert_eq!(removed.text, saved.text);
        assert!(removed.logo.is_none());
        assert_eq!(count(&db, "audit_log WHERE entity = 'letterhead'").await, 2);
    }
}

#[tokio::test]
async fn every_problem_is_named_and_nothing_saved() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        let mut bad = text();
        bad.email = "si@invented".into();
        bad.footer = "x".repeat(301);
        let e = save_letterhead(
            &s.app,
            &s.lead,
            Some(&bad),
            LogoInput::Upload {
                bytes: b"GIF89a not a png".to_vec(),
                declared: None,
            },
        )
        .await
        .unwrap_err();
        let fields: Vec<&str> = e.fields().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["email", "footer", "logo"]);
        // A PNG sent as a JPEG is refused on the logo.
        let e = save_letterhead(
            &s.app,
            &s.lead,
            None,
            LogoInput::Upload {
                bytes: png(10, 10),
                declared: Some(ImageKind::Jpeg),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            e.fields()[0].message,
            "The file is a PNG image but was sent as a JPEG image"
        );
        assert_eq!(count(&db, "organisation_letterheads").await, 0);
        assert_eq!(count(&db, "audit_log WHERE entity = 'letterhead'").await, 0);
    }
}

#[tokio::test]
async fn only_those_who_manage_templates_change_it() {
    for (db, _dir) in each_backend().await {
        let s = setup(&db).await;
        assert!(matches!(
            save_letterhead(&s.app, &s.panel, Some(&text()), LogoInput::Keep).await,
            Err(AppError::Forbidden) | Err(AppError::NotFound)
        ));
        assert!(matches!(
            letterhead(&s.app, &s.panel).await,
            Err(AppError::Forbidden) | Err(AppError::NotFound)
        ));
        assert_eq!(count(&db, "organisation_letterheads").await, 0);
    }
}
