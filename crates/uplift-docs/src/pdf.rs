//! PDF output: our own layout onto A4 pages, written with `pdf-writer`.

use std::io::Write;

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::image::{decode_png, jpeg_info, JpegInfo, Pixels};
use crate::winansi::{encode, width};
use crate::{Block, Document, ImageKind, Logo};

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 62.0;
const RIGHT: f32 = PAGE_W - 62.0;
const TOP: f32 = PAGE_H - 56.0;
const BOTTOM: f32 = 72.0;
const FOOTER_Y: f32 = 38.0;
/// The footer line's type size and leading, and its most lines.
const FOOTER_SIZE: f32 = 8.0;
const FOOTER_LEADING: f32 = 10.0;
const FOOTER_MAX_LINES: usize = 8;
/// The logo's height (20 mm) and its widest share of the text width.
const LOGO_H: f32 = 20.0 * 72.0 / 25.4;
const LOGO_MAX_SHARE: f32 = 0.45;
const LOGO_GAP: f32 = 14.0;
const AVAIL: f32 = RIGHT - LEFT;

const BODY: f32 = 11.0;
const BODY_LEADING: f32 = 14.5;
const PARA_GAP: f32 = 7.0;

/// Something drawn on a page. Coordinates in points from the bottom left.
enum Op {
    Text {
        x: f32,
        y: f32,
        bold: bool,
        size: f32,
        bytes: Vec<u8>,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: f32,
    },
    Frame {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
    },
    Dot {
        x: f32,
        y: f32,
        r: f32,
    },
    ClipStart {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    ClipEnd,
    /// The logo (resource /Im1), its lower left corner at x, y.
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// Greedy word wrap of `text` into lines no wider than `max` (estimated),
/// breaking words that are longer than a line. Returns WinAnsi bytes.
fn wrap(text: &str, bold: bool, size: f32, max: f32) -> Vec<Vec<u8>> {
    let space = width(b" ", bold, size);
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut line_w = 0.0f32;
    for word in text.split_whitespace() {
        let bytes = encode(word);
        let w = width(&bytes, bold, size);
        if line.is_empty() {
            if w <= max {
                line = bytes;
                line_w = w;
                continue;
            }
        } else if line_w + space + w <= max {
            line.push(b' ');
            line.extend_from_slice(&bytes);
            line_w += space + w;
            continue;
        } else if w <= max {
            lines.push(std::mem::take(&mut line));
            line = bytes;
            line_w = w;
            continue;
        }
        // The word is longer than a whole line: break it into pieces, each
        // at least one character long.
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut piece: Vec<u8> = Vec::new();
        let mut piece_w = 0.0f32;
        for b in bytes {
            let cw = width(&[b], bold, size);
            if !piece.is_empty() && piece_w + cw > max {
                lines.push(std::mem::take(&mut piece));
                piece_w = 0.0;
            }
            piece.push(b);
            piece_w += cw;
        }
        line = piece;
        line_w = piece_w;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
    /// The lowest a line of the body may reach: above the footer.
    bottom: f32,
    /// Whether anything has been placed on the current page.
    used: bool,
}

/// One column of a row being placed: its left edge, width and lines.
struct Cell {
    x: f32,
    w: f32,
    bold: bool,
    lines: Vec<Vec<u8>>,
}

struct RowStyle {
    size: f32,
    leading: f32,
    pad: f32,
    framed: bool,
    fill: Option<f32>,
}

impl Layout {
    fn new(bottom: f32) -> Self {
        Layout {
            pages: vec![Vec::new()],
            y: TOP,
            bottom,
            used: false,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
        self.used = false;
    }

    fn room(&self) -> f32 {
        self.y - self.bottom
    }

    /// Start a new page unless `h` points fit (or the page is still empty).
    fn ensure(&mut self, h: f32) {
        if h > self.room() && self.used {
            self.new_page();
        }
    }

    fn gap(&mut self, h: f32) {
        if self.used {
            self.y -= h;
        }
    }

    fn text(&mut self, x: f32, baseline: f32, bold: bool, size: f32, bytes: Vec<u8>) {
        self.used = true;
        self.ops().push(Op::Text {
            x,
            y: baseline,
            bold,
            size,
            bytes,
        });
    }

    /// Wrapped lines at the left margin (plus `indent`), breaking pages
    /// between lines. Returns the baseline of the first line placed.
    fn lines(
        &mut self,
        text: &str,
        bold: bool,
        size: f32,
        leading: f32,
        indent: f32,
    ) -> Option<f32> {
        let mut first = None;
        for line in wrap(text, bold, size, AVAIL - indent) {
            self.ensure(leading);
            let baseline = self.y - size;
            first.get_or_insert(baseline);
            self.text(LEFT + indent, baseline, bold, size, line);
            self.y -= leading;
        }
        first
    }

    fn heading(&mut self, text: &str, size: f32, before: f32) {
        let leading = size * 1.3;
        let lines = wrap(text, true, size, AVAIL);
        if lines.is_empty() {
            return;
        }
        self.gap(before);
        // Keep a heading with the first lines that follow it.
        self.ensure(lines.len() as f32 * leading + 2.0 * BODY_LEADING);
        for line in lines {
            self.ensure(leading);
            self.text(LEFT, self.y - size, true, size, line);
            self.y -= leading;
        }
        self.y -= 3.0;
    }

    /// One row of side-by-side cells. Moves to a new page if the row does
    /// not fit; a row taller than a whole page is split between pages.
    /// `header` is drawn again at the top of each new page.
    fn row(
        &mut self,
        cells: &mut [Cell],
        style: &RowStyle,
        header: Option<(&mut [Cell], &RowStyle)>,
    ) {
        let height_of = |cells: &[Cell], st: &RowStyle| {
            let n = cells
                .iter()
                .map(|c| c.lines.len())
                .max()
                .unwrap_or(0)
                .max(1);
            n as f32 * st.leading + 2.0 * st.pad
        };
        let h = height_of(cells, style);
        let mut header = header;
        let header_h = header.as_ref().map(|(c, s)| height_of(c, s)).unwrap_or(0.0);
        if h > self.room() && self.used && h + header_h <= TOP - self.bottom {
            self.new_page();
            if let Some((hc, hs)) = header.as_mut() {
                self.place_row(hc, hs, 0, usize::MAX);
            }
        }
        let total = cells.iter().map(|c| c.lines.len()).max().unwrap_or(0);
        if total == 0 {
            self.place_row(cells, style, 0, 0);
            return;
        }
        let mut start = 0;
        while start < total {
            let fit = ((self.room() - 2.0 * style.pad) / style.leading).floor();
            let fit = if fit.is_finite() && fit > 0.0 {
                fit as usize
            } else {
                0
            };
            if fit == 0 {
                if !self.used {
                    // Not even one line fits on an empty page: cannot happen
                    // with our sizes, but never loop forever.
                    self.place_row(cells, style, start, total);
                    return;
                }
                self.new_page();
                if let Some((hc, hs)) = header.as_mut() {
                    self.place_row(hc, hs, 0, usize::MAX);
                }
                continue;
            }
            let end = total.min(start.saturating_add(fit));
            self.place_row(cells, style, start, end);
            start = end;
            if start < total {
                self.new_page();
                if let Some((hc, hs)) = header.as_mut() {
                    self.place_row(hc, hs, 0, usize::MAX);
                }
            }
        }
    }

    /// Draw lines `from..to` of each cell as one row at the current position.
    fn place_row(&mut self, cells: &[Cell], style: &RowStyle, from: usize, to: usize) {
        let n = cells
            .iter()
            .map(|c| c.lines.len().min(to).saturating_sub(from))
            .max()
            .unwrap_or(0)
            .max(1);
        let h = n as f32 * style.leading + 2.0 * style.pad;
        let top = self.y;
        let bottom = top - h;
        for cell in cells {
            if let Some(gray) = style.fill {
                self.ops().push(Op::Fill {
                    x: cell.x,
                    y: bottom,
                    w: cell.w,
                    h,
                    gray,
                });
            }
            if style.framed {
                self.ops().push(Op::Frame {
                    x: cell.x,
                    y: bottom,
                    w: cell.w,
                    h,
                });
            }
        }
        for cell in cells {
            let end = cell.lines.len().min(to);
            if from >= end {
                continue;
            }
            self.ops().push(Op::ClipStart {
                x: cell.x,
                y: bottom,
                w: cell.w,
                h,
            });
            for (i, line) in cell.lines[from..end].iter().enumerate() {
                let baseline = top - style.pad - style.size - i as f32 * style.leading;
                self.text(
                    cell.x + style.pad,
                    baseline,
                    cell.bold,
                    style.size,
                    line.clone(),
                );
            }
            self.ops().push(Op::ClipEnd);
        }
        self.used = true;
        self.y = bottom;
    }

    /// The letterhead; `logo` is the logo's size in pixels when it can be
    /// drawn. The logo sits at the top left, the name and lines beside it.
    fn letterhead(&mut self, doc: &Document, logo: Option<(u32, u32)>) {
        let lh = &doc.letterhead;
        let mut any = false;
        let mut indent = 0.0;
        let mut logo_bottom = self.y;
        if let Some((wpx, hpx)) = logo.filter(|(w, h)| *w > 0 && *h > 0) {
            let aspect = wpx as f32 / hpx as f32;
            let (mut w, mut h) = (LOGO_H * aspect, LOGO_H);
            if w > AVAIL * LOGO_MAX_SHARE {
                w = AVAIL * LOGO_MAX_SHARE;
                h = w / aspect;
            }
            let y = self.y - h;
            self.ops().push(Op::Image { x: LEFT, y, w, h });
            self.used = true;
            any = true;
            indent = w + LOGO_GAP;
            logo_bottom = y;
        }
        if self
            .lines(&lh.organisation, true, 20.0, 24.0, indent)
            .is_some()
        {
            any = true;
        }
        for line in &lh.lines {
            if self.lines(line, false, 9.5, 12.0, indent).is_some() {
                any = true;
            }
        }
        self.y = self.y.min(logo_bottom);
        if any {
            self.y -= 6.0;
            let y = self.y;
            self.ops().push(Op::Rule {
                x1: LEFT,
                x2: RIGHT,
                y,
                width: 0.75,
            });
            self.y -= 18.0;
        }
    }

    fn reference_and_date(&mut self, doc: &Document) {
        let reference = doc.reference.as_deref().map(crate::collapse);
        let date = doc.date.as_deref().map(crate::collapse);
        let reference = reference.filter(|r| !r.is_empty());
        let date = date.filter(|d| !d.is_empty());
        match (reference, date) {
            (Some(r), Some(d)) => {
                let rb = encode(&r);
                let db = encode(&d);
                let rw = width(&rb, false, BODY);
                let dw = width(&db, false, BODY);
                if rw + dw + 24.0 <= AVAIL {
                    let baseline = self.y - BODY;
                    self.text(LEFT, baseline, false, BODY, rb);
                    self.text(RIGHT - dw, baseline, false, BODY, db);
                    self.y -= BODY_LEADING;
                } else {
                    self.lines(&r, false, BODY, BODY_LEADING, 0.0);
                    self.lines(&d, false, BODY, BODY_LEADING, 0.0);
                }
            }
            (Some(r), None) => {
                self.lines(&r, false, BODY, BODY_LEADING, 0.0);
            }
            (None, Some(d)) => {
                let db = encode(&d);
                let dw = width(&db, false, BODY);
                if dw <= AVAIL {
                    let baseline = self.y - BODY;
                    self.text(RIGHT - dw, baseline, false, BODY, db);
                    self.y -= BODY_LEADING;
                } else {
                    self.lines(&d, false, BODY, BODY_LEADING, 0.0);
                }
            }
            (None, None) => return,
        }
        self.y -= 12.0;
    }

    fn bullets(&mut self, items: &[String]) {
        const INDENT: f32 = 18.0;
        for item in items {
            let lines = wrap(item, false, BODY, AVAIL - INDENT);
            for (i, line) in lines.into_iter().enumerate() {
                self.ensure(BODY_LEADING);
                let baseline = self.y - BODY;
                if i == 0 {
                    self.ops().push(Op::Dot {
                        x: LEFT + 6.0,
                        y: baseline + BODY * 0.33,
                        r: 2.0,
                    });
                }
                self.text(LEFT + INDENT, baseline, false, BODY, line);
                self.y -= BODY_LEADING;
            }
            self.y -= 2.0;
        }
        self.y -= PARA_GAP - 2.0;
    }

    fn fields(&mut self, pairs: &[(String, String)]) {
        const GUTTER: f32 = 12.0;
        let widest = pairs
            .iter()
            .flat_map(|(l, _)| wrap(l, true, BODY, f32::INFINITY))
            .map(|line| width(&line, true, BODY))
            .fold(0.0f32, f32::max);
        let label_w = (widest + GUTTER).clamp(AVAIL * 0.2, AVAIL * 0.4);
        let style = RowStyle {
            size: BODY,
            leading: BODY_LEADING,
            pad: 2.0,
            framed: false,
            fill: None,
        };
        for (label, value) in pairs {
            let mut cells = [
                Cell {
                    x: LEFT - 2.0,
                    w: label_w,
                    bold: true,
                    lines: wrap(label, true, BODY, label_w - GUTTER),
                },
                Cell {
                    x: LEFT - 2.0 + label_w,
                    w: AVAIL - label_w + 4.0,
                    bold: false,
                    lines: wrap(value, false, BODY, AVAIL - label_w),
                },
            ];
            if cells.iter().all(|c| c.lines.is_empty()) {
                continue;
            }
            self.row(&mut cells, &style, None);
        }
        self.y -= PARA_GAP;
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let ncols = rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(header.len()))
            .max()
            .unwrap_or(0);
        if ncols == 0 {
            return;
        }
        // Smaller type for tables with many columns.
        let size = (10.0 - (ncols as f32 - 5.0).max(0.0) * 0.5).clamp(6.0, 10.0);
        let pad = if ncols > 8 { 2.0 } else { 4.0 };
        let leading = size * 1.25;
        // Column widths: half shared equally, half by the widest content.
        let mut natural = vec![0.0f32; ncols];
        for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
            for (c, cell) in row.iter().enumerate() {
                let w = width(&encode(&crate::collapse(cell)), true, size).min(AVAIL);
                if let Some(n) = natural.get_mut(c) {
                    *n = n.max(w + 2.0 * pad);
                }
            }
        }
        // Columns are as wide as their widest cell, scaled to fill the
        // line; if that does not fit, half the width is shared equally and
        // half by content, so no column gets squeezed to nothing.
        let sum: f32 = natural.iter().sum();
        let widths: Vec<f32> = natural
            .iter()
            .map(|n| {
                let share = if sum > 0.0 {
                    n / sum
                } else {
                    1.0 / ncols as f32
                };
                if sum <= AVAIL {
                    AVAIL * share
                } else {
                    AVAIL * (0.5 / ncols as f32 + 0.5 * share)
                }
            })
            .collect();
        let make = |row: &[String], bold: bool| -> Vec<Cell> {
            let mut x = LEFT;
            widths
                .iter()
                .enumerate()
                .map(|(c, &w)| {
                    let text = row.get(c).map(String::as_str).unwrap_or("");
                    let cell = Cell {
                        x,
                        w,
                        bold,
                        lines: wrap(text, bold, size, (w - 2.0 * pad).max(0.0)),
                    };
                    x += w;
                    cell
                })
                .collect()
        };
        let body_style = RowStyle {
            size,
            leading,
            pad,
            framed: true,
            fill: None,
        };
        let head_style = RowStyle {
            size,
            leading,
            pad,
            framed: true,
            fill: Some(0.88),
        };
        let mut head_cells = if header.is_empty() {
            None
        } else {
            Some(make(header, true))
        };
        // Keep the header with the first row.
        let head_h = head_cells
            .as_ref()
            .map(|c| {
                c.iter().map(|c| c.lines.len()).max().unwrap_or(0).max(1) as f32 * leading
                    + 2.0 * pad
            })
            .unwrap_or(0.0);
        let first_h = rows
            .first()
            .map(|r| {
                make(r, false)
                    .iter()
                    .map(|c| c.lines.len())
                    .max()
                    .unwrap_or(0)
                    .max(1) as f32
                    * leading
                    + 2.0 * pad
            })
            .unwrap_or(0.0);
        if head_h + first_h <= TOP - self.bottom {
            self.ensure(head_h + first_h);
        } else {
            self.ensure(head_h + leading + 2.0 * pad);
        }
        if let Some(hc) = head_cells.as_mut() {
            self.row(hc, &head_style, None);
        }
        // A header taller than a third of a page is not repeated (it could
        // leave no room for the rows).
        let repeat = head_h <= (TOP - self.bottom) / 3.0;
        for row in rows {
            let mut cells = make(row, false);
            let header = head_cells
                .as_mut()
                .filter(|_| repeat)
                .map(|c| (c.as_mut_slice(), &head_style));
            self.row(&mut cells, &body_style, header);
        }
        self.y -= PARA_GAP + 4.0;
    }

    fn signature(&mut self, name: &str, role: &str) {
        let name_lines = wrap(name, true, BODY, AVAIL).len();
        let role_lines = wrap(role, false, BODY, AVAIL).len();
        if name_lines + role_lines == 0 {
            return;
        }
        // Room for a handwritten signature above the name.
        self.ensure(36.0 + (name_lines + role_lines).min(4) as f32 * BODY_LEADING);
        self.gap(36.0);
        self.lines(name, true, BODY, BODY_LEADING, 0.0);
        self.lines(role, false, BODY, BODY_LEADING, 0.0);
        self.y -= PARA_GAP;
    }
}

fn layout(doc: &Document, logo: Option<(u32, u32)>, footer_lines: usize) -> Vec<Vec<Op>> {
    let footer_top = FOOTER_Y + 12.0 + footer_lines as f32 * FOOTER_LEADING;
    let mut l = Layout::new(BOTTOM.max(footer_top + 12.0));
    l.letterhead(doc, logo);
    l.reference_and_date(doc);
    if l.lines(&doc.title, true, 17.0, 21.0, 0.0).is_some() {
        l.y -= 10.0;
    }
    for block in &doc.blocks {
        match block {
            Block::Heading(t) => l.heading(t, 14.0, 10.0),
            Block::Subheading(t) => l.heading(t, 12.0, 6.0),
            Block::Paragraph(t) => {
                if l.lines(t, false, BODY, BODY_LEADING, 0.0).is_some() {
                    l.y -= PARA_GAP;
                }
            }
            Block::Bullets(items) => l.bullets(items),
            Block::Fields(pairs) => l.fields(pairs),
            Block::Table { header, rows } => l.table(header, rows),
            Block::Signature { name, role } => l.signature(name, role),
            Block::PageBreak => {
                if l.used {
                    l.new_page();
                }
            }
        }
    }
    // A page break at the very end leaves an empty page: drop it.
    if !l.used && l.pages.len() > 1 {
        l.pages.pop();
    }
    l.pages
}

fn content_stream(ops: &[Op], footer: &[Vec<u8>], page: usize, pages: usize) -> Vec<u8> {
    let mut c = Content::new();
    for op in ops {
        match op {
            Op::Text {
                x,
                y,
                bold,
                size,
                bytes,
            } => {
                let font = if *bold { Name(b"F2") } else { Name(b"F1") };
                c.begin_text();
                c.set_font(font, *size);
                c.next_line(*x, *y);
                c.show(Str(bytes));
                c.end_text();
            }
            Op::Fill { x, y, w, h, gray } => {
                c.save_state();
                c.set_fill_gray(*gray);
                c.rect(*x, *y, *w, *h);
                c.fill_nonzero();
                c.restore_state();
            }
            Op::Frame { x, y, w, h } => {
                c.save_state();
                c.set_stroke_gray(0.45);
                c.set_line_width(0.5);
                c.rect(*x, *y, *w, *h);
                c.stroke();
                c.restore_state();
            }
            Op::Rule { x1, x2, y, width } => {
                c.save_state();
                c.set_line_width(*width);
                c.move_to(*x1, *y);
                c.line_to(*x2, *y);
                c.stroke();
                c.restore_state();
            }
            Op::Dot { x, y, r } => {
                // A circle from four Bézier arcs.
                let k = 0.5523 * r;
                c.move_to(x + r, *y);
                c.cubic_to(x + r, y + k, x + k, y + r, *x, y + r);
                c.cubic_to(x - k, y + r, x - r, y + k, x - r, *y);
                c.cubic_to(x - r, y - k, x - k, y - r, *x, y - r);
                c.cubic_to(x + k, y - r, x + r, y - k, x + r, *y);
                c.close_path();
                c.fill_nonzero();
            }
            Op::ClipStart { x, y, w, h } => {
                c.save_state();
                c.rect(*x, *y, *w, *h);
                c.clip_nonzero();
                c.end_path();
            }
            Op::ClipEnd => {
                c.restore_state();
            }
            Op::Image { x, y, w, h } => {
                c.save_state();
                c.transform([*w, 0.0, 0.0, *h, *x, *y]);
                c.x_object(Name(b"Im1"));
                c.restore_state();
            }
        }
    }
    // The footer line, its last line just above the page number.
    let n = footer.len();
    for (i, line) in footer.iter().enumerate() {
        let lw = width(line, false, FOOTER_SIZE);
        let baseline = FOOTER_Y + 12.0 + (n - 1 - i) as f32 * FOOTER_LEADING;
        c.begin_text();
        c.set_font(Name(b"F1"), FOOTER_SIZE);
        c.next_line(((PAGE_W - lw) / 2.0).max(LEFT), baseline);
        c.show(Str(line));
        c.end_text();
    }
    let footer = encode(&format!("Page {page} of {pages}"));
    let fw = width(&footer, false, 9.0);
    c.begin_text();
    c.set_font(Name(b"F1"), 9.0);
    c.next_line((PAGE_W - fw) / 2.0, FOOTER_Y);
    c.show(Str(&footer));
    c.end_text();
    c.finish().into_vec()
}

fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).ok()?;
    enc.finish().ok()
}

/// A logo ready to be written: a JPEG as it is, a PNG decoded.
enum Prepared<'a> {
    Jpeg(&'a [u8], JpegInfo),
    Png(Pixels),
}

impl Prepared<'_> {
    fn size(&self) -> (u32, u32) {
        match self {
            Prepared::Jpeg(_, i) => (i.width, i.height),
            Prepared::Png(p) => (p.width, p.height),
        }
    }
}

fn prepare(logo: &Logo) -> Option<Prepared<'_>> {
    match ImageKind::sniff(&logo.bytes)? {
        ImageKind::Jpeg => jpeg_info(&logo.bytes)
            .ok()
            .map(|i| Prepared::Jpeg(&logo.bytes, i)),
        ImageKind::Png => decode_png(&logo.bytes).ok().map(Prepared::Png),
    }
}

/// Writes 8-bit samples as an image XObject, deflated when possible.
fn write_samples(
    pdf: &mut Pdf,
    id: Ref,
    samples: &[u8],
    (w, h): (u32, u32),
    grey: bool,
    mask: Option<Ref>,
) {
    let packed = deflate(samples);
    let mut img = pdf.image_xobject(id, packed.as_deref().unwrap_or(samples));
    if packed.is_some() {
        img.filter(Filter::FlateDecode);
    }
    img.width(w as i32)
        .height(h as i32)
        .color_space_name(Name(if grey { b"DeviceGray" } else { b"DeviceRGB" }))
        .bits_per_component(8);
    if let Some(m) = mask {
        img.s_mask(m);
    }
    img.finish();
}

fn write_logo(pdf: &mut Pdf, image_id: Ref, mask_id: Ref, logo: &Prepared) {
    match logo {
        Prepared::Jpeg(bytes, info) => {
            let mut img = pdf.image_xobject(image_id, bytes);
            img.filter(Filter::DctDecode);
            img.width(info.width as i32)
                .height(info.height as i32)
                .color_space_name(Name(if info.components == 1 {
                    b"DeviceGray"
                } else {
                    b"DeviceRGB"
                }))
                .bits_per_component(8);
            img.finish();
        }
        Prepared::Png(p) => {
            let size = (p.width, p.height);
            let mask = p.alpha.as_ref().map(|_| mask_id);
            write_samples(pdf, image_id, &p.color, size, p.grey, mask);
            if let Some(alpha) = &p.alpha {
                write_samples(pdf, mask_id, alpha, size, true, None);
            }
        }
    }
}

pub(crate) fn render(doc: &Document) -> Vec<u8> {
    let logo = doc.letterhead.logo.as_ref().and_then(prepare);
    let footer: Vec<Vec<u8>> = doc
        .letterhead
        .footer
        .as_deref()
        .map(|f| wrap(f, false, FOOTER_SIZE, AVAIL))
        .unwrap_or_default()
        .into_iter()
        .take(FOOTER_MAX_LINES)
        .collect();
    let pages = layout(doc, logo.as_ref().map(Prepared::size), footer.len());
    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let info_id = Ref::new(3);
    let regular_id = Ref::new(4);
    let bold_id = Ref::new(5);
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(first_page + 2 * i as i32))
        .collect();
    let image_id = Ref::new(first_page + 2 * pages.len() as i32);
    let mask_id = Ref::new(image_id.get() + 1);

    pdf.catalog(catalog_id)
        .pages(tree_id)
        .lang(TextStr("en-GB"));
    let title = crate::collapse(&doc.title);
    let mut info = pdf.document_info(info_id);
    if !title.is_empty() {
        info.title(TextStr(&title));
    }
    let organisation = crate::collapse(&doc.letterhead.organisation);
    if !organisation.is_empty() {
        info.author(TextStr(&organisation));
    }
    info.producer(TextStr("Uplift"));
    info.finish();

    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);
    pdf.type1_font(regular_id)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold_id)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));

    let count = pages.len();
    for (i, ops) in pages.iter().enumerate() {
        let page_id = page_ids[i];
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree_id)
            .contents(content_id);
        let mut resources = page.resources();
        resources
            .fonts()
            .pair(Name(b"F1"), regular_id)
            .pair(Name(b"F2"), bold_id);
        if logo.is_some() && ops.iter().any(|op| matches!(op, Op::Image { .. })) {
            resources.x_objects().pair(Name(b"Im1"), image_id);
        }
        resources.finish();
        page.finish();

        let raw = content_stream(ops, &footer, i + 1, count);
        match deflate(&raw) {
            Some(packed) => {
                pdf.stream(content_id, &packed).filter(Filter::FlateDecode);
            }
            None => {
                pdf.stream(content_id, &raw);
            }
        }
    }
    if let Some(l) = &logo {
        write_logo(&mut pdf, image_id, mask_id, l);
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_never_exceeds_the_width() {
        let text = "The quick brown fox jumps over the lazy dog WWWWWWWWWWWWWWWWWWWWWWWWWWW end";
        for max in [5.0, 30.0, 80.0, 200.0] {
            for line in wrap(text, false, 11.0, max) {
                let w = width(&line, false, 11.0);
                assert!(w <= max || line.len() == 1, "{w} > {max}");
            }
        }
        assert!(wrap("", false, 11.0, 100.0).is_empty());
        assert!(wrap("   \n ", false, 11.0, 100.0).is_empty());
    }

    #[test]
    fn long_words_are_broken_without_losing_characters() {
        let word = "x".repeat(500);
        let lines = wrap(&word, false, 11.0, 100.0);
        assert!(lines.len() > 1);
        let joined: Vec<u8> = lines.concat();
        assert_eq!(joined, word.as_bytes());
    }
}
