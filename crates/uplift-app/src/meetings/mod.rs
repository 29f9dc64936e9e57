//! Meetings: creating one or a year's schedule, attendees, minutes, status,
//! the agenda that builds itself (and issuing it), decisions at a meeting
//! (through [`crate::concern::record_decision`]) and the organisation's
//! term dates. One use case each, shared by the meeting pages and the API.
//!
//! Field names in refusals: each input's name below (`kind`, `date`,
//! `title`, `urn`, `location`; `year`, `weekday`, `week`; `name`, `role`
//! or `attendees[i].name` / `.role`; `urn` and `minute` for a minute;
//! `status`; `year` and `autumn1_start` … `summer2_end` for term dates).

mod agenda;
mod manage;
mod terms;

pub use agenda::{
    agenda_of, at_meeting, issue_agenda, live_agenda, next_review_due, terms_for, AgendaInputs,
    AgendaOf, ProposalItem,
};
pub use manage::{
    add_attendee, add_minute, check_meeting, create_meeting, decide_at_meeting, remove_attendee,
    schedule_meetings, set_attendees, set_status, CheckedMeeting, MeetingCreated, NewMeetingInput,
    ScheduleInput, Scheduled, STATUS_MISSING, WEEKDAYS,
};
pub use terms::{half_term_key, set_term_dates, term_dates, SetTermDates};

use uplift_domain::access::{Action, Scope};
use uplift_store::meetings::Meeting;

use crate::{App, AppError, Caller, Result};

/// The meeting of the caller's organisation, if the caller may do `action`
/// (reading meetings, or writing to them); another organisation's is
/// [`AppError::NotFound`].
pub async fn meeting_of(app: &App, caller: &Caller, id: i64, action: Action) -> Result<Meeting> {
    let org = caller.organisation_id();
    caller.authorize(action, Scope::Organisation(org))?;
    app.db().meeting(org, id).await?.ok_or(AppError::NotFound)
}
