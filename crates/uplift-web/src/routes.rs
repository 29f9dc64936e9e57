//! Every route of the application, in one table. The router is built from it,
//! the navigation is filtered with it, and the role-matrix test walks it: a
//! route cannot exist without saying who may use it.

use axum::http::Method;
use axum::routing::{self, MethodRouter};
use uplift_domain::access::Action;

use crate::app::AppState;
use crate::{api, pages};

/// Who may reach a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in page, assets, health, the API description).
    Public,
    /// A signed-in user (or an API token) whose role the policy allows this action.
    /// Handlers then check the specific record (a school, a note) with the same policy.
    Requires(Action),
}

/// Pages answer an anonymous visitor with the sign-in page; the API with 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Page,
    Api,
}

pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub surface: Surface,
    handler: MethodRouter<AppState>,
}

impl Route {
    pub(crate) fn into_method_router(self, state: &AppState) -> MethodRouter<AppState> {
        let guard = crate::auth::guard::Guard {
            access: self.access,
            surface: self.surface,
        };
        self.handler.layer(axum::middleware::from_fn_with_state(
            (state.clone(), guard),
            crate::auth::guard::check,
        ))
    }
}

macro_rules! route {
    ($method:ident $path:literal, $access:expr, $surface:ident, $handler:expr) => {
        Route {
            method: Method::$method,
            path: $path,
            access: $access,
            surface: Surface::$surface,
            handler: route!(@router $method, $handler),
        }
    };
    (@router GET, $h:expr) => { routing::get($h) };
    (@router POST, $h:expr) => { routing::post($h) };
    (@router PUT, $h:expr) => { routing::put($h) };
    (@router PATCH, $h:expr) => { routing::patch($h) };
    (@router DELETE, $h:expr) => { routing::delete($h) };
}

/// The route table.
pub fn all() -> Vec<Route> {
    use Access::*;
    use Action::*;
    vec![
        // Public.
        route!(GET "/sign-in", Public, Page, pages::sign_in::form),
        route!(POST "/sign-in", Public, Page, pages::sign_in::submit),
        route!(GET "/accessibility", Public, Page, pages::accessibility),
        route!(GET "/health", Public, Api, api::health),
        route!(GET "/assets/{*path}", Public, Page, pages::asset),
        route!(GET "/api/openapi.json", Public, Api, api::openapi_json),
        // Every signed-in user.
        route!(GET "/", Requires(ViewHome), Page, pages::home::page),
        route!(POST "/sign-out", Requires(ViewHome), Page, pages::sign_in::sign_out),
        route!(GET "/account", Requires(ManageOwnAccount), Page, pages::account::page),
        route!(POST "/account", Requires(ManageOwnAccount), Page, pages::account::change_password),
        route!(GET "/tokens", Requires(ManageOwnAccount), Page, pages::account::tokens),
        route!(POST "/tokens", Requires(ManageOwnAccount), Page, pages::account::create_token),
        route!(POST "/tokens/{id}/revoke", Requires(ManageOwnAccount), Page, pages::account::revoke_token),
        // The organisation's administration.
        route!(GET "/audit", Requires(ReadAuditLog), Page, pages::audit::page),
        route!(GET "/users", Requires(ReadUsers), Page, pages::users::page),
        // The school register.
        route!(GET "/schools", Requires(ReadSchools), Page, pages::schools::list),
        route!(GET "/schools.csv", Requires(ReadSchools), Page, pages::schools::csv),
        route!(GET "/schools/{urn}", Requires(ReadSchools), Page, pages::schools::profile),
        route!(POST "/schools/{urn}/intelligence", Requires(WriteIntelligence), Page, pages::schools::add_intelligence),
        route!(GET "/schools/{urn}/contacts", Requires(EditSchoolContacts), Page, pages::contacts::form),
        route!(POST "/schools/{urn}/contacts", Requires(EditSchoolContacts), Page, pages::contacts::save),
        // Categorisation (issue 4).
        route!(GET "/categories", Requires(ReadCategories), Page, pages::categories::review),
        route!(POST "/categories", Requires(DecideCategories), Page, pages::categories::agree),
        route!(GET "/schools/{urn}/category", Requires(ReadCategories), Page, pages::categories::school),
        route!(POST "/schools/{urn}/category", Requires(DecideCategories), Page, pages::categories::decide),
        route!(POST "/schools/{urn}/flags", Requires(DecideCategories), Page, pages::categories::override_flag),
        route!(GET "/estate-assessment", Requires(ReadEstateAssessment), Page, pages::categories::estate),
        route!(GET "/estate-assessment.csv", Requires(ReadEstateAssessment), Page, pages::categories::estate_csv),
        route!(GET "/api/v1/schools/{urn}/category", Requires(ReadCategories), Api, api::categories::school),
        route!(GET "/api/v1/estate-assessment", Requires(ReadEstateAssessment), Api, api::categories::estate),
        // Notifications and calendar feeds (issue 5).
        route!(GET "/notifications", Requires(ReadNotifications), Page, pages::notifications::page),
        route!(POST "/notifications/read", Requires(ReadNotifications), Page, pages::notifications::mark_read),
        route!(POST "/notifications/email", Requires(ReadNotifications), Page, pages::notifications::set_email),
        route!(GET "/calendar", Requires(ReadNotifications), Page, pages::notifications::calendar),
        route!(POST "/calendar", Requires(ReadNotifications), Page, pages::notifications::create_feed),
        route!(POST "/calendar/revoke", Requires(ReadNotifications), Page, pages::notifications::revoke_feed),
        route!(GET "/feeds/{file}", Public, Page, pages::notifications::feed),
        route!(GET "/api/v1/notifications", Requires(ReadNotifications), Api, api::notifications::list),
        route!(GET "/api/v1/calendar-feeds", Requires(ReadNotifications), Api, api::notifications::feeds),
        // Advisers, visits and notes of visit (issue 5).
        route!(GET "/advisers", Requires(ReadAdvisers), Page, pages::visits::advisers),
        route!(POST "/advisers", Requires(ManageAdvisers), Page, pages::visits::create_adviser),
        route!(POST "/advisers/assign", Requires(ManageAdvisers), Page, pages::visits::assign),
        route!(POST "/advisers/response-days", Requires(ManageAdvisers), Page, pages::visits::response_days),
        route!(GET "/visits", Requires(ReadVisits), Page, pages::visits::list),
        route!(GET "/visits/new", Requires(WriteVisits), Page, pages::visits::plan_form),
        route!(POST "/visits", Requires(WriteVisits), Page, pages::visits::plan),
        route!(GET "/visits/{visit}", Requires(ReadVisits), Page, pages::visits::detail),
        route!(POST "/visits/{visit}/self-evaluation/request", Requires(WriteVisits), Page, pages::visits::request_se),
        route!(POST "/visits/{visit}/self-evaluation", Requires(RespondToVisits), Page, pages::visits::complete_se),
        route!(POST "/visits/{visit}/self-evaluation/review", Requires(WriteVisits), Page, pages::visits::review_se),
        route!(POST "/visits/{visit}/held", Requires(WriteVisits), Page, pages::visits::held),
        route!(GET "/visits/{visit}/note", Requires(ReadVisits), Page, pages::visits::note_page),
        route!(GET "/visits/{visit}/note.pdf", Requires(ReadVisits), Page, pages::visits::note_pdf),
        route!(GET "/visits/{visit}/note/edit", Requires(WriteVisits), Page, pages::visits::note_form),
        route!(POST "/visits/{visit}/note", Requires(WriteVisits), Page, pages::visits::save_note),
        route!(POST "/visits/{visit}/note/send", Requires(WriteVisits), Page, pages::visits::send),
        route!(POST "/visits/{visit}/note/respond", Requires(RespondToVisits), Page, pages::visits::respond),
        route!(POST "/visits/{visit}/note/no-response", Requires(WriteVisits), Page, pages::visits::no_response),
        route!(POST "/visits/{visit}/note/share", Requires(WriteVisits), Page, pages::visits::share),
        route!(POST "/visits/{visit}/note/school-share", Requires(RespondToVisits), Page, pages::visits::share),
        route!(POST "/visits/{visit}/note/finalise", Requires(WriteVisits), Page, pages::visits::finalise),
        route!(POST "/visits/{visit}/note/addenda", Requires(WriteVisits), Page, pages::visits::addendum),
        route!(GET "/api/v1/advisers", Requires(ReadAdvisers), Api, api::visits::advisers),
        route!(GET "/api/v1/caseload", Requires(ReadAdvisers), Api, api::visits::caseload),
        route!(GET "/api/v1/schools/{urn}/entitlement", Requires(ReadVisits), Api, api::visits::entitlement),
        route!(GET "/api/v1/visits", Requires(ReadVisits), Api, api::visits::list),
        route!(POST "/api/v1/visits", Requires(WriteVisits), Api, api::visits::create),
        route!(GET "/api/v1/visits/{visit}", Requires(ReadVisits), Api, api::visits::detail),
        route!(POST "/api/v1/visits/{visit}/self-evaluation/request", Requires(WriteVisits), Api, api::visits::request_self_evaluation),
        route!(POST "/api/v1/visits/{visit}/self-evaluation", Requires(RespondToVisits), Api, api::visits::complete_self_evaluation),
        route!(POST "/api/v1/visits/{visit}/self-evaluation/review", Requires(WriteVisits), Api, api::visits::review_self_evaluation),
        route!(POST "/api/v1/visits/{visit}/held", Requires(WriteVisits), Api, api::visits::held),
        route!(GET "/api/v1/visits/{visit}/note", Requires(ReadVisits), Api, api::visits::note),
        route!(POST "/api/v1/visits/{visit}/note", Requires(WriteVisits), Api, api::visits::draft),
        route!(POST "/api/v1/visits/{visit}/note/send", Requires(WriteVisits), Api, api::visits::send),
        route!(POST "/api/v1/visits/{visit}/note/respond", Requires(RespondToVisits), Api, api::visits::respond),
        route!(POST "/api/v1/visits/{visit}/note/share", Requires(WriteVisits), Api, api::visits::share),
        route!(POST "/api/v1/visits/{visit}/note/school-share", Requires(RespondToVisits), Api, api::visits::school_share),
        route!(POST "/api/v1/visits/{visit}/note/finalise", Requires(WriteVisits), Api, api::visits::finalise),
        route!(POST "/api/v1/visits/{visit}/note/addenda", Requires(WriteVisits), Api, api::visits::addendum),
        // Schools causing concern (issue 6).
        route!(GET "/concern", Requires(ReadConcern), Page, pages::concern::list),
        route!(GET "/concern/designate/{urn}", Requires(DecideConcern), Page, pages::concern::designate_form),
        route!(POST "/concern/designate/{urn}", Requires(DecideConcern), Page, pages::concern::designate),
        route!(GET "/concern/cases/{case}", Requires(ReadConcern), Page, pages::concern::case),
        route!(POST "/concern/cases/{case}/decisions", Requires(DecideConcern), Page, pages::concern::decide),
        route!(POST "/concern/cases/{case}/lead-officer", Requires(DecideConcern), Page, pages::concern::lead_officer),
        route!(POST "/concern/cases/{case}/contacts", Requires(WriteConcern), Page, pages::concern::contacts),
        route!(POST "/concern/cases/{case}/letter-of-concern", Requires(DecideConcern), Page, pages::concern::letter_of_concern),
        route!(POST "/concern/cases/{case}/warning-notice", Requires(DecideConcern), Page, pages::concern::warning_notice),
        route!(POST "/concern/cases/{case}/written-notice", Requires(DecideConcern), Page, pages::concern::written_notice),
        route!(POST "/concern/cases/{case}/eligibility", Requires(DecideConcern), Page, pages::concern::eligibility),
        route!(POST "/concern/cases/{case}/powers", Requires(DecideConcern), Page, pages::concern::power),
        route!(POST "/concern/cases/{case}/academy-concern", Requires(DecideConcern), Page, pages::concern::academy_concern),
        route!(POST "/concern/cases/{case}/inspection-support", Requires(WriteConcern), Page, pages::concern::inspection_support),
        route!(POST "/concern/notices/{notice}/outcome", Requires(DecideConcern), Page, pages::concern::notice_outcome),
        route!(POST "/concern/tasks/{task}/done", Requires(WriteConcern), Page, pages::concern::task_done),
        route!(GET "/concern/letters/{letter}", Requires(ReadConcern), Page, pages::concern::letter),
        route!(POST "/concern/letters/{letter}", Requires(WriteConcern), Page, pages::concern::edit_letter),
        route!(POST "/concern/letters/{letter}/issue", Requires(DecideConcern), Page, pages::concern::issue_letter),
        route!(GET "/settings/letters", Requires(ManageTemplates), Page, pages::concern::templates),
        route!(POST "/settings/letters", Requires(ManageTemplates), Page, pages::concern::save_template),
        route!(GET "/settings/letterhead", Requires(ManageTemplates), Page, pages::letterhead::page),
        route!(POST "/settings/letterhead", Requires(ManageTemplates), Page, {
            use axum::handler::Handler;
            pages::letterhead::save.layer(axum::extract::DefaultBodyLimit::max(uplift_app::letterhead::MAX_REQUEST))
        }),
        route!(GET "/settings/letterhead/sample.pdf", Requires(ManageTemplates), Page, pages::letterhead::sample_pdf),
        route!(GET "/api/v1/settings/letterhead", Requires(ManageTemplates), Api, api::letterhead::get),
        route!(PUT "/api/v1/settings/letterhead", Requires(ManageTemplates), Api, api::letterhead::put),
        route!(PUT "/api/v1/settings/letterhead/logo", Requires(ManageTemplates), Api, {
            use axum::handler::Handler;
            api::letterhead::put_logo.layer(axum::extract::DefaultBodyLimit::max(uplift_app::letterhead::MAX_REQUEST))
        }),
        route!(DELETE "/api/v1/settings/letterhead/logo", Requires(ManageTemplates), Api, api::letterhead::delete_logo),
        route!(GET "/api/v1/concern/cases", Requires(ReadConcern), Api, api::concern::cases),
        route!(GET "/api/v1/concern/cases/{case}", Requires(ReadConcern), Api, api::concern::case),
        route!(POST "/api/v1/concern/cases/{case}/warning-notices", Requires(DecideConcern), Api, api::concern::warning_notice),
        route!(GET "/api/v1/concern/decisions", Requires(ReadConcern), Api, api::concern::decisions),
        route!(POST "/api/v1/concern/decisions", Requires(DecideConcern), Api, api::concern::decide),
        route!(GET "/api/v1/concern/letters", Requires(ReadConcern), Api, api::concern::letters),
        route!(POST "/api/v1/concern/cases/{case}/lead-officer", Requires(DecideConcern), Api, api::escalation::lead_officer),
        route!(POST "/api/v1/concern/cases/{case}/contacts", Requires(WriteConcern), Api, api::escalation::contacts),
        route!(POST "/api/v1/concern/cases/{case}/letters-of-concern", Requires(DecideConcern), Api, api::escalation::letter_of_concern),
        route!(POST "/api/v1/concern/cases/{case}/written-notices", Requires(DecideConcern), Api, api::escalation::written_notice),
        route!(POST "/api/v1/concern/cases/{case}/eligibility", Requires(DecideConcern), Api, api::escalation::eligibility),
        route!(POST "/api/v1/concern/cases/{case}/powers", Requires(DecideConcern), Api, api::escalation::power),
        route!(POST "/api/v1/concern/cases/{case}/academy-concerns", Requires(DecideConcern), Api, api::escalation::academy_concern),
        route!(POST "/api/v1/concern/cases/{case}/inspection-support", Requires(WriteConcern), Api, api::escalation::inspection_support),
        route!(POST "/api/v1/concern/notices/{notice}/outcome", Requires(DecideConcern), Api, api::escalation::notice_outcome),
        route!(POST "/api/v1/concern/tasks/{task}/done", Requires(WriteConcern), Api, api::escalation::task_done),
        route!(GET "/api/v1/concern/letters/{letter}", Requires(ReadConcern), Api, api::escalation::letter),
        route!(PUT "/api/v1/concern/letters/{letter}", Requires(WriteConcern), Api, api::escalation::edit_letter),
        route!(GET "/api/v1/concern/letters/{letter}/pdf", Requires(ReadConcern), Api, api::escalation::letter_pdf),
        route!(GET "/api/v1/concern/letters/{letter}/docx", Requires(ReadConcern), Api, api::escalation::letter_docx),
        route!(POST "/api/v1/concern/letters/{letter}/issue", Requires(DecideConcern), Api, api::escalation::issue_letter),
        // Meetings, action plans and School Performance Boards (issue 6).
        route!(GET "/meetings", Requires(ReadMeetings), Page, pages::meetings::list),
        route!(GET "/meetings/new", Requires(WriteConcern), Page, pages::meetings::new_form),
        route!(GET "/meetings/term-dates", Requires(ReadMeetings), Page, pages::meetings::term_dates),
        route!(POST "/meetings/term-dates", Requires(ManagePolicies), Page, pages::meetings::set_term_dates),
        route!(POST "/meetings", Requires(WriteConcern), Page, pages::meetings::create),
        route!(POST "/meetings/schedule", Requires(WriteConcern), Page, pages::meetings::create_schedule),
        route!(GET "/meetings/{meeting_id}", Requires(ReadMeetings), Page, pages::meetings::page),
        route!(GET "/meetings/{meeting_id}/papers.pdf", Requires(ReadMeetings), Page, pages::meetings::papers),
        route!(POST "/meetings/{meeting_id}/attendees", Requires(WriteConcern), Page, pages::meetings::attendees),
        route!(POST "/meetings/{meeting_id}/minutes", Requires(WriteConcern), Page, pages::meetings::minutes),
        route!(POST "/meetings/{meeting_id}/status", Requires(WriteConcern), Page, pages::meetings::set_status),
        route!(POST "/meetings/{meeting_id}/agenda", Requires(WriteConcern), Page, pages::meetings::issue_agenda),
        route!(POST "/meetings/{meeting_id}/decisions", Requires(DecideConcern), Page, pages::meetings::decide),
        route!(GET "/concern/cases/{case_id}/plan", Requires(ReadConcern), Page, pages::plans::case_plans),
        route!(GET "/concern/cases/{case_id}/plan/new", Requires(WriteConcern), Page, pages::plans::new_form),
        route!(POST "/concern/cases/{case_id}/plan", Requires(WriteConcern), Page, pages::plans::create),
        route!(POST "/concern/cases/{case_id}/monitoring-and-challenge", Requires(DecideConcern), Page, pages::plans::record_mc),
        route!(GET "/plans/{plan_id}", Requires(ReadConcern), Page, pages::plans::page),
        route!(GET "/plans/{plan_id}/edit", Requires(WriteConcern), Page, pages::plans::edit_form),
        route!(POST "/plans/{plan_id}/edit", Requires(WriteConcern), Page, pages::plans::edit),
        route!(GET "/plans/{plan_id}/review", Requires(WriteConcern), Page, pages::plans::review_form),
        route!(POST "/plans/{plan_id}/review", Requires(WriteConcern), Page, pages::plans::review),
        route!(GET "/concern/cases/{case_id}/spb", Requires(ReadMeetings), Page, pages::spb::case_page),
        route!(POST "/concern/cases/{case_id}/spb", Requires(WriteConcern), Page, pages::spb::start),
        route!(GET "/spb/{spb_id}", Requires(ReadMeetings), Page, pages::spb::page),
        route!(POST "/spb/{spb_id}/steps", Requires(WriteConcern), Page, pages::spb::record_step),
        route!(GET "/api/v1/meetings", Requires(ReadMeetings), Api, api::meetings::list),
        route!(POST "/api/v1/meetings", Requires(WriteConcern), Api, api::meetings::create),
        route!(GET "/api/v1/meetings/{meeting_id}", Requires(ReadMeetings), Api, api::meetings::detail),
        route!(GET "/api/v1/meetings/{meeting_id}/agenda", Requires(ReadMeetings), Api, api::meetings::agenda),
        route!(POST "/api/v1/meetings/{meeting_id}/decisions", Requires(DecideConcern), Api, api::meetings::decide),
        route!(GET "/api/v1/concern/cases/{case_id}/plans", Requires(ReadConcern), Api, api::meetings::case_plans),
        route!(POST "/api/v1/concern/cases/{case_id}/plans", Requires(WriteConcern), Api, api::meetings::create_plan),
        route!(GET "/api/v1/plans/{plan_id}", Requires(ReadConcern), Api, api::meetings::plan),
        route!(POST "/api/v1/plans/{plan_id}/versions", Requires(WriteConcern), Api, api::meetings::edit_plan),
        route!(POST "/api/v1/plans/{plan_id}/reviews", Requires(WriteConcern), Api, api::meetings::review_plan),
        route!(GET "/api/v1/concern/cases/{case_id}/spb", Requires(ReadMeetings), Api, api::meetings::case_spbs),
        route!(POST "/api/v1/concern/cases/{case_id}/spb", Requires(WriteConcern), Api, api::meetings::start_spb),
        route!(GET "/api/v1/spb/{spb_id}", Requires(ReadMeetings), Api, api::meetings::spb),
        route!(POST "/api/v1/spb/{spb_id}/steps", Requires(WriteConcern), Api, api::meetings::spb_step),
        route!(POST "/api/v1/meetings/schedule", Requires(WriteConcern), Api, api::meetings::schedule),
        route!(PUT "/api/v1/meetings/{meeting_id}/attendees", Requires(WriteConcern), Api, api::meetings::set_attendees),
        route!(POST "/api/v1/meetings/{meeting_id}/minutes", Requires(WriteConcern), Api, api::meetings::add_minute),
        route!(POST "/api/v1/meetings/{meeting_id}/status", Requires(WriteConcern), Api, api::meetings::set_status),
        route!(POST "/api/v1/meetings/{meeting_id}/agenda", Requires(WriteConcern), Api, api::meetings::issue_agenda),
        route!(GET "/api/v1/meetings/{meeting_id}/papers.pdf", Requires(ReadMeetings), Api, api::meetings::papers),
        route!(GET "/api/v1/term-dates", Requires(ReadMeetings), Api, api::meetings::term_dates),
        route!(PUT "/api/v1/term-dates", Requires(ManagePolicies), Api, api::meetings::set_term_dates),
        route!(GET "/api/v1/concern/cases/{case_id}/monitoring-and-challenge", Requires(ReadConcern), Api, api::escalation::mc_records),
        route!(POST "/api/v1/concern/cases/{case_id}/monitoring-and-challenge", Requires(DecideConcern), Api, api::escalation::record_mc),
        // Attachments on visits and notes of visit (issue 5).
        route!(GET "/visits/{visit}/attachments", Requires(ReadVisits), Page, pages::attachments::list),
        route!(POST "/visits/{visit}/attachments", Requires(WriteVisits), Page, {
            use axum::handler::Handler;
            pages::attachments::upload.layer(axum::extract::DefaultBodyLimit::disable())
        }),
        route!(GET "/visits/{visit}/attachments/{attachment}", Requires(ReadVisits), Page, pages::attachments::download),
        route!(GET "/api/v1/visits/{visit}/attachments", Requires(ReadVisits), Api, api::attachments::list),
        route!(POST "/api/v1/visits/{visit}/attachments", Requires(WriteVisits), Api, {
            use axum::handler::Handler;
            api::attachments::upload.layer(axum::extract::DefaultBodyLimit::disable())
        }),
        route!(GET "/api/v1/visits/{visit}/attachments/{attachment}", Requires(ReadVisits), Api, api::attachments::download),
        // Quality assurance of notes of visit (issue 5).
        route!(GET "/qa", Requires(QualityAssure), Page, pages::qa::page),
        route!(POST "/qa/sample", Requires(QualityAssure), Page, pages::qa::draw),
        route!(GET "/qa/moderate", Requires(QualityAssure), Page, pages::qa::moderate_form),
        route!(POST "/qa/moderate", Requires(QualityAssure), Page, pages::qa::moderate),
        route!(POST "/qa/shadowing", Requires(QualityAssure), Page, pages::qa::shadowing),
        route!(POST "/qa/reviews", Requires(QualityAssure), Page, pages::qa::annual_review),
        route!(GET "/qa/survey", Requires(RespondToVisits), Page, pages::qa::survey_form),
        route!(POST "/qa/survey", Requires(RespondToVisits), Page, pages::qa::survey_submit),
        route!(GET "/api/v1/qa/assignments", Requires(QualityAssure), Api, api::qa::assignments),
        route!(GET "/api/v1/qa/overview", Requires(QualityAssure), Api, api::qa::overview),
        // The JSON API.
        route!(GET "/api/v1/me", Requires(ViewHome), Api, api::me),
        route!(GET "/api/v1/users", Requires(ReadUsers), Api, api::users),
        route!(GET "/api/v1/audit", Requires(ReadAuditLog), Api, api::audit),
        route!(GET "/api/v1/schools", Requires(ReadSchools), Api, api::schools::list),
        route!(GET "/api/v1/schools/{urn}", Requires(ReadSchools), Api, api::schools::detail),
        route!(GET "/api/v1/schools/{urn}/contacts", Requires(ReadSchools), Api, api::contacts::get),
        route!(PUT "/api/v1/schools/{urn}/contacts", Requires(EditSchoolContacts), Api, api::contacts::put),
    ]
}
