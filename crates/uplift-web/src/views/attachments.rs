//! What the attachments' page and API share: reading the multipart upload
//! (stopping at the size limit) and serving a file, always as a download.

use axum::extract::Multipart;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use uplift_app::visits::attachments::Upload;
use uplift_store::attachments::Attachment;

use crate::error::Problem;

/// Reads the form: `attach_to` (visit or note) and `file`, stopping once
/// the file passes `limit` bytes.
pub async fn read_upload(mut form: Multipart, limit: u64) -> Result<Upload, Problem> {
    let mut up = Upload {
        attach_to: "visit".into(),
        filename: None,
        bytes: Vec::new(),
        too_large: false,
    };
    let bad = |e: axum::extract::multipart::MultipartError| {
        Problem::BadRequest(format!("The upload could not be read: {}", e.body_text()))
    };
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("attach_to") => up.attach_to = field.text().await.map_err(bad)?,
            Some("file") => {
                up.filename = field.file_name().map(str::to_string);
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    if (up.bytes.len() + chunk.len()) as u64 > limit {
                        up.too_large = true;
                        break;
                    }
                    up.bytes.extend_from_slice(&chunk);
                }
                if up.too_large {
                    break;
                }
            }
            _ => {}
        }
    }
    Ok(up)
}

/// The response serving a file: always a download, never rendered.
pub fn download_response(att: &Attachment, bytes: Vec<u8>) -> Response {
    let ascii: String = att
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| *c != '"' && *c != '\\')
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(att.filename.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&att.content_type)
                    .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        bytes,
    )
        .into_response()
}
