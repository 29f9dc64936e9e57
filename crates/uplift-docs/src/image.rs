//! Logos: recognised by their bytes, checked when uploaded
//! ([`validate_logo`]) and prepared for the PDF when rendered.
//!
//! A JPEG goes into the PDF as it is (DCTDecode): only its frame header is
//! read, for the size and the number of colour components. Greyscale and
//! colour (YCbCr/RGB) JPEGs, baseline or progressive, are accepted; CMYK,
//! 12-bit, lossless and arithmetic-coded ones are refused. A PNG is decoded
//! with the `png` crate and written as 8-bit RGB (or grey) with its alpha
//! channel, if any, as a soft mask.

use std::fmt;
use std::io::Cursor;

use serde::Serialize;

/// The largest logo accepted, in bytes.
pub const MAX_LOGO_BYTES: usize = 1024 * 1024;
/// The widest and tallest logo accepted, in pixels.
pub const MAX_LOGO_PX: u32 = 2000;

/// The two kinds of image a letterhead can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ImageKind {
    Png,
    Jpeg,
}

impl ImageKind {
    pub fn mime(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
        }
    }

    pub fn from_mime(mime: &str) -> Option<ImageKind> {
        match mime.trim().to_ascii_lowercase().as_str() {
            "image/png" => Some(ImageKind::Png),
            "image/jpeg" | "image/jpg" => Some(ImageKind::Jpeg),
            _ => None,
        }
    }

    pub(crate) fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpeg",
        }
    }

    /// The kind the bytes are, by their magic numbers.
    pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageKind::Jpeg)
        } else {
            None
        }
    }
}

/// An organisation's logo, printed at the top left of the first page.
#[derive(Clone, PartialEq, Serialize)]
pub struct Logo {
    pub kind: ImageKind,
    #[serde(skip)]
    pub bytes: Vec<u8>,
    pub width_px: u32,
    pub height_px: u32,
}

impl fmt::Debug for Logo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logo")
            .field("kind", &self.kind)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .field("width_px", &self.width_px)
            .field("height_px", &self.height_px)
            .finish()
    }
}

/// Why a logo was refused. The message is written for the upload form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoError {
    Empty,
    NotAnImage,
    TooLarge,
    TooManyPixels { width: u32, height: u32 },
    Corrupt(String),
    Cmyk,
    Unsupported(&'static str),
}

impl fmt::Display for LogoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogoError::Empty => write!(f, "The selected logo is empty"),
            LogoError::NotAnImage => write!(f, "The logo must be a PNG or JPEG image"),
            LogoError::TooLarge => write!(f, "The logo must be 1 MB or smaller"),
            LogoError::TooManyPixels { width, height } => write!(
                f,
                "The logo must be at most {MAX_LOGO_PX} by {MAX_LOGO_PX} pixels (it is {width} by {height})"
            ),
            LogoError::Corrupt(why) => {
                write!(f, "The logo could not be read as an image ({why})")
            }
            LogoError::Cmyk => write!(
                f,
                "The logo is a CMYK JPEG: save it as an RGB JPEG or a PNG and upload it again"
            ),
            LogoError::Unsupported(what) => write!(
                f,
                "The logo is a {what} JPEG: save it as a standard JPEG or a PNG and upload it again"
            ),
        }
    }
}

impl std::error::Error for LogoError {}

/// Checks an uploaded logo: a PNG or JPEG by its bytes, at most
/// [`MAX_LOGO_BYTES`] and [`MAX_LOGO_PX`] square, and readable (a PNG is
/// decoded in full). Returns the logo ready for a [`crate::Letterhead`].
pub fn validate_logo(bytes: &[u8]) -> Result<Logo, LogoError> {
    if bytes.is_empty() {
        return Err(LogoError::Empty);
    }
    let kind = ImageKind::sniff(bytes).ok_or(LogoError::NotAnImage)?;
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(LogoError::TooLarge);
    }
    let (width, height) = match kind {
        ImageKind::Jpeg => {
            let info = jpeg_info(bytes)?;
            (info.width, info.height)
        }
        ImageKind::Png => {
            let img = decode_png(bytes)?;
            (img.width, img.height)
        }
    };
    Ok(Logo {
        kind,
        bytes: bytes.to_vec(),
        width_px: width,
        height_px: height,
    })
}

/// What the PDF needs of a JPEG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JpegInfo {
    pub width: u32,
    pub height: u32,
    /// 1 (grey) or 3 (colour).
    pub components: u8,
}

/// Reads a JPEG's frame header (SOF) and checks that scan data and the end
/// marker follow.
pub(crate) fn jpeg_info(bytes: &[u8]) -> Result<JpegInfo, LogoError> {
    let corrupt = |why: &str| LogoError::Corrupt(why.to_string());
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Err(LogoError::NotAnImage);
    }
    let mut at = 2usize;
    let mut frame: Option<JpegInfo> = None;
    loop {
        // A marker: 0xFF, optional fill bytes 0xFF, then the code.
        if bytes.get(at) != Some(&0xFF) {
            return Err(corrupt("a JPEG marker was expected"));
        }
        while bytes.get(at) == Some(&0xFF) {
            at += 1;
        }
        let code = *bytes.get(at).ok_or_else(|| corrupt("it ends too early"))?;
        at += 1;
        match code {
            0x01 | 0xD0..=0xD7 => continue,
            0xD8 => return Err(corrupt("a second start-of-image marker")),
            0xD9 => return Err(corrupt("it ends before any image data")),
            _ => {}
        }
        let len = match (bytes.get(at), bytes.get(at + 1)) {
            (Some(&a), Some(&b)) => usize::from(u16::from_be_bytes([a, b])),
            _ => return Err(corrupt("it ends too early")),
        };
        if len < 2 || at + len > bytes.len() {
            return Err(corrupt("a segment runs past the end of the file"));
        }
        let data = &bytes[at + 2..at + len];
        match code {
            0xC0..=0xCF if !matches!(code, 0xC4 | 0xC8 | 0xCC) => {
                if frame.is_some() {
                    return Err(corrupt("more than one frame header"));
                }
                match code {
                    0xC0..=0xC2 => {}
                    0xC3 | 0xC7 | 0xCB | 0xCF => return Err(LogoError::Unsupported("lossless")),
                    _ => return Err(LogoError::Unsupported("arithmetic-coded or hierarchical")),
                }
                if data.len() < 6 {
                    return Err(corrupt("its frame header is too short"));
                }
                if data[0] != 8 {
                    return Err(LogoError::Unsupported("12-bit"));
                }
                let height = u32::from(u16::from_be_bytes([data[1], data[2]]));
                let width = u32::from(u16::from_be_bytes([data[3], data[4]]));
                let components = data[5];
                if width == 0 || height == 0 {
                    return Err(corrupt("it has no width or height"));
                }
                if data.len() < 6 + 3 * usize::from(components) {
                    return Err(corrupt("its frame header is too short"));
                }
                match components {
                    1 | 3 => {}
                    4 => return Err(LogoError::Cmyk),
                    _ => return Err(corrupt("an unusual number of colour components")),
                }
                frame = Some(JpegInfo {
                    width,
                    height,
                    components,
                });
            }
            0xDA => {
                let info = frame.ok_or_else(|| corrupt("image data before the frame header"))?;
                // Entropy-coded data follows; the file must end with EOI.
                let rest = &bytes[at + len..];
                if !rest.windows(2).any(|w| w == [0xFF, 0xD9]) {
                    return Err(corrupt("it is cut short (no end-of-image marker)"));
                }
                return Ok(info);
            }
            _ => {}
        }
        at += len;
    }
}

/// A decoded PNG: 8-bit samples, colour (RGB or grey) and alpha apart.
pub(crate) struct Pixels {
    pub width: u32,
    pub height: u32,
    pub grey: bool,
    pub color: Vec<u8>,
    pub alpha: Option<Vec<u8>>,
}

pub(crate) fn decode_png(bytes: &[u8]) -> Result<Pixels, LogoError> {
    let corrupt = |e: png::DecodingError| LogoError::Corrupt(e.to_string());
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: 4 * (MAX_LOGO_PX as usize) * (MAX_LOGO_PX as usize) + (1 << 20),
        },
    );
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    // Check the size before decoding anything.
    let mut reader = decoder.read_info().map_err(|e| match e {
        png::DecodingError::LimitsExceeded => LogoError::TooManyPixels {
            width: 0,
            height: 0,
        },
        e => corrupt(e),
    })?;
    let (width, height) = reader.info().size();
    if width > MAX_LOGO_PX || height > MAX_LOGO_PX {
        return Err(LogoError::TooManyPixels { width, height });
    }
    if width == 0 || height == 0 {
        return Err(LogoError::Corrupt("it has no width or height".into()));
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| LogoError::Corrupt("it is too large to decode".into()))?;
    let mut buf = vec![0u8; size];
    let out = reader.next_frame(&mut buf).map_err(corrupt)?;
    buf.truncate(out.buffer_size());
    if out.bit_depth != png::BitDepth::Eight {
        return Err(LogoError::Corrupt("an unexpected bit depth".into()));
    }
    let pixels = (width as usize) * (height as usize);
    let (channels, grey, has_alpha) = match out.color_type {
        png::ColorType::Grayscale => (1, true, false),
        png::ColorType::GrayscaleAlpha => (2, true, true),
        png::ColorType::Rgb => (3, false, false),
        png::ColorType::Rgba => (4, false, true),
        png::ColorType::Indexed => {
            return Err(LogoError::Corrupt(
                "its palette could not be expanded".into(),
            ))
        }
    };
    // Rows may be padded only when bit depths below 8 remain; with EXPAND
    // they do not, so the buffer is exactly pixels × channels.
    if buf.len() < pixels * channels {
        return Err(LogoError::Corrupt(
            "it has fewer pixels than it says".into(),
        ));
    }
    let colour_channels = if grey { 1 } else { 3 };
    let mut color = Vec::with_capacity(pixels * colour_channels);
    let mut alpha = if has_alpha {
        Some(Vec::with_capacity(pixels))
    } else {
        None
    };
    for px in buf.chunks_exact(channels).take(pixels) {
        color.extend_from_slice(&px[..colour_channels]);
        if let Some(a) = alpha.as_mut() {
            a.push(px[colour_channels]);
        }
    }
    // A fully opaque alpha channel needs no mask.
    if alpha.as_ref().is_some_and(|a| a.iter().all(|&v| v == 255)) {
        alpha = None;
    }
    Ok(Pixels {
        width,
        height,
        grey,
        color,
        alpha,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG's markers only (no real scan data): enough for the header
    /// reader, which never decodes the picture.
    fn jpeg_markers(sof: u8, components: u8) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x4A, 0x46];
        let mut sof_data = vec![8, 0x00, 0x10, 0x00, 0x20, components];
        for i in 0..components {
            sof_data.extend_from_slice(&[i + 1, 0x11, 0]);
        }
        b.extend_from_slice(&[0xFF, sof]);
        b.extend_from_slice(&((sof_data.len() + 2) as u16).to_be_bytes());
        b.extend_from_slice(&sof_data);
        b.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9]);
        b
    }

    #[test]
    fn jpeg_frame_headers() {
        assert_eq!(
            jpeg_info(&jpeg_markers(0xC0, 3)),
            Ok(JpegInfo {
                width: 32,
                height: 16,
                components: 3
            })
        );
        assert_eq!(
            jpeg_info(&jpeg_markers(0xC2, 1)).map(|i| i.components),
            Ok(1)
        );
        assert_eq!(jpeg_info(&jpeg_markers(0xC0, 4)), Err(LogoError::Cmyk));
        assert!(matches!(
            jpeg_info(&jpeg_markers(0xC3, 3)),
            Err(LogoError::Unsupported(_))
        ));
        let mut cut = jpeg_markers(0xC0, 3);
        cut.truncate(cut.len() - 2);
        assert!(matches!(jpeg_info(&cut), Err(LogoError::Corrupt(_))));
        for n in 0..20 {
            let _ = jpeg_info(&jpeg_markers(0xC0, 3)[..n]);
        }
    }

    #[test]
    fn sniffing_and_limits() {
        assert_eq!(validate_logo(b""), Err(LogoError::Empty));
        assert_eq!(validate_logo(b"hello"), Err(LogoError::NotAnImage));
        let mut big = jpeg_markers(0xC0, 3);
        big.resize(MAX_LOGO_BYTES + 1, 0);
        assert_eq!(validate_logo(&big), Err(LogoError::TooLarge));
        assert_eq!(ImageKind::from_mime("image/JPEG"), Some(ImageKind::Jpeg));
        assert_eq!(ImageKind::from_mime("image/gif"), None);
    }
}
