//! The calendar feed (rule 7): iCalendar, RFC 5545, written by hand.
//!
//! * Lines end in CRLF and are folded so no line is longer than 75 octets
//!   (RFC 5545 3.1): a continuation line starts with one space, and folds
//!   never split a UTF-8 character.
//! * TEXT values escape backslash, semicolon, comma and newline (3.3.11).
//! * Timed visits are in Europe/London local time with a `TZID` and the
//!   calendar carries the matching `VTIMEZONE`; all-day visits use
//!   `VALUE=DATE` with an exclusive `DTEND`. `DTSTAMP` is UTC.

use super::workflow::VisitPlan;
use jiff::civil::{Date, DateTime};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// When an event happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum EventTime {
    /// The whole day.
    AllDay {
        /// The day.
        date: Date,
    },
    /// From `start` to `end`, Europe/London local time.
    Timed {
        /// Start.
        start: DateTime,
        /// End.
        end: DateTime,
    },
}

/// One VEVENT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEvent {
    /// Globally unique and stable: the same visit always has the same UID.
    pub uid: String,
    /// When this version of the event was written (UTC).
    pub dtstamp: Timestamp,
    /// When it happens.
    pub time: EventTime,
    /// Summary (title).
    pub summary: String,
    /// Location.
    pub location: Option<String>,
    /// Description.
    pub description: Option<String>,
}

impl CalendarEvent {
    /// The event for a planned visit. `domain` makes the UID globally unique
    /// (`visit-<id>@<domain>`); a visit without a start time is all-day; one
    /// with a start but no end lasts an hour.
    pub fn for_visit(
        plan: &VisitPlan,
        school_name: &str,
        location: Option<&str>,
        domain: &str,
        dtstamp: Timestamp,
    ) -> CalendarEvent {
        let time = match plan.start {
            None => EventTime::AllDay { date: plan.date },
            Some(s) => {
                let start = plan.date.to_datetime(s);
                let end = match plan.end {
                    Some(e) if e > s => plan.date.to_datetime(e),
                    _ => start
                        .checked_add(jiff::Span::new().hours(1))
                        .unwrap_or(start),
                };
                EventTime::Timed { start, end }
            }
        };
        let mut description = format!("{}\nFocus: {}", plan.visit_type.label(), plan.focus);
        if !plan.attendees.is_empty() {
            description.push_str(&format!("\nAttendees: {}", plan.attendees.join(", ")));
        }
        CalendarEvent {
            uid: format!("visit-{}@{domain}", plan.visit_id),
            dtstamp,
            time,
            summary: format!("{}: {school_name}", plan.visit_type.label()),
            location: Some(location.unwrap_or(school_name).to_owned()),
            description: Some(description),
        }
    }
}

/// Escapes a TEXT value (RFC 5545 3.3.11).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line at 75 octets and ends every physical line in CRLF.
pub fn fold_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0usize;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

fn stamp(ts: Timestamp) -> String {
    ts.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn date(d: Date) -> String {
    d.strftime("%Y%m%d").to_string()
}

fn local(dt: DateTime) -> String {
    dt.strftime("%Y%m%dT%H%M%S").to_string()
}

const LONDON_VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// Renders a VCALENDAR with one VEVENT per event, in the order given.
pub fn render_calendar(name: &str, events: &[CalendarEvent]) -> String {
    let mut out = String::new();
    let mut line = |s: String| out.push_str(&fold_line(&s));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Uplift//Visits//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", escape_text(name)));
    if events
        .iter()
        .any(|e| matches!(e.time, EventTime::Timed { .. }))
    {
        for l in LONDON_VTIMEZONE {
            line((*l).to_owned());
        }
    }
    for e in events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", escape_text(&e.uid)));
        line(format!("DTSTAMP:{}", stamp(e.dtstamp)));
        match e.time {
            EventTime::AllDay { date: d } => {
                line(format!("DTSTART;VALUE=DATE:{}", date(d)));
                let end = d.tomorrow().unwrap_or(d);
                line(format!("DTEND;VALUE=DATE:{}", date(end)));
            }
            EventTime::Timed { start, end } => {
                line(format!("DTSTART;TZID=Europe/London:{}", local(start)));
                line(format!("DTEND;TZID=Europe/London:{}", local(end)));
            }
        }
        line(format!("SUMMARY:{}", escape_text(&e.summary)));
        if let Some(l) = &e.location {
            line(format!("LOCATION:{}", escape_text(l)));
        }
        if let Some(d) = &e.description {
            line(format!("DESCRIPTION:{}", escape_text(d)));
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}
