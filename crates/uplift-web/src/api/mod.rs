//! The JSON API under `/api/v1`, with the same permissions as the pages (the
//! same route table and policy), described by an OpenAPI document generated
//! from these handlers at `/api/openapi.json`.

use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, Problem};

pub mod attachments;
pub mod categories;
pub mod concern;
pub mod contacts;
pub mod escalation;
pub mod letterhead;
pub mod meetings;
pub mod notifications;
pub mod qa;
pub mod schools;
pub mod visits;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Uplift API",
        description = "School-improvement case management. Authenticate with `Authorization: Bearer TOKEN` \
(a personal API token from `uplift token create` or the API tokens page). Every endpoint enforces the \
same permissions as the web pages.",
        version = "1"
    ),
    paths(health, me, users, audit, categories::school, categories::estate, schools::list, schools::detail,
        contacts::get, contacts::put,
        letterhead::get, letterhead::put, letterhead::put_logo, letterhead::delete_logo,
        meetings::list, meetings::create, meetings::detail, meetings::agenda, meetings::decide,
        meetings::case_plans, meetings::create_plan, meetings::plan, meetings::edit_plan, meetings::review_plan,
        meetings::case_spbs, meetings::start_spb, meetings::spb, meetings::spb_step,
        meetings::schedule, meetings::set_attendees, meetings::add_minute, meetings::set_status,
        meetings::issue_agenda, meetings::papers, meetings::term_dates, meetings::set_term_dates,
        escalation::lead_officer, escalation::contacts, escalation::letter_of_concern,
        escalation::written_notice, escalation::eligibility, escalation::power, escalation::academy_concern,
        escalation::inspection_support, escalation::notice_outcome, escalation::task_done,
        escalation::letter, escalation::edit_letter, escalation::letter_pdf, escalation::letter_docx,
        escalation::issue_letter, escalation::mc_records, escalation::record_mc,
        concern::cases, concern::case, concern::decisions, concern::decide, concern::warning_notice, concern::letters,
        notifications::list, notifications::feeds,
        attachments::list, attachments::upload, attachments::download,
        qa::assignments, qa::overview,
        visits::advisers, visits::caseload, visits::entitlement, visits::list, visits::create, visits::detail,
        visits::note, visits::request_self_evaluation, visits::complete_self_evaluation,
        visits::review_self_evaluation, visits::held, visits::draft, visits::send, visits::respond,
        visits::share, visits::school_share, visits::finalise, visits::addendum),
    components(schemas(Health, Me, OrganisationRef, UserItem, AuditItem, AuditPage, ErrorBody,
        contacts::ContactsItem, contacts::ContactsBody,
        letterhead::LetterheadItem, letterhead::LetterheadBody,
        meetings::FieldRefusal, meetings::NewMeetingBody, meetings::DecisionBody, meetings::NewPlanBody,
        meetings::EditPlanBody, meetings::JudgementBody, meetings::ReviewBody, meetings::StartSpbBody, meetings::StepBody,
        meetings::ScheduleBody, meetings::AttendeeBody, meetings::AttendeesBody, meetings::MinuteBody,
        meetings::StatusBody, meetings::TermDatesBody, meetings::TermDatesItem,
        escalation::LeadOfficerBody, escalation::CaseContactsBody, escalation::LetterOfConcernBody,
        escalation::NoticeOutcomeBody, escalation::WrittenNoticeBody, escalation::EligibilityBody,
        escalation::PowerBody, escalation::AcademyConcernBody, escalation::InspectionSupportBody,
        escalation::LetterItem, escalation::LetterTextBody, escalation::McItem, escalation::McList, escalation::McBody,
        categories::SchoolCategory, categories::RuleFired, categories::FlagItem,
        categories::EstateAssessmentBody, categories::CategoryCountItem, categories::MovementItem,
        categories::AssessedSchool, concern::DecisionBody, concern::WarningNoticeBody, concern::ConcernErrorsBody,
        schools::SchoolList, schools::SchoolItem, schools::SchoolDetail, schools::SchoolIdentity,
        schools::GroupItem, schools::SchoolLinkItem, schools::Inspections, schools::ReportCardItem,
        schools::GradedInspectionItem, schools::UngradedInspectionItem, schools::PerformanceItem,
        schools::MeasureValue, schools::IntelligenceEntry,
        notifications::NotificationList, notifications::NotificationItem, notifications::CalendarFeedItem,
        attachments::AttachmentItem, attachments::FieldErrorBody,
        qa::QaAssignmentItem, qa::QaOverviewBody, qa::AdviserQaItem,
        visits::FieldErrorsBody, visits::PlanBody, visits::TextBody, visits::DateBody, visits::ResponseBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The error body of every failed request.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub database: String,
}

/// Whether the service and its database answer.
#[utoipa::path(get, path = "/health", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.db.schema_version().await?;
    Ok(Json(Health {
        status: "ok".into(),
        database: state.db.backend().name().into(),
    }))
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub school_urn: Option<i64>,
    pub organisation: OrganisationRef,
}

/// The user the request acts for.
#[utoipa::path(get, path = "/api/v1/me", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(user: CurrentUser) -> Json<Me> {
    Json(Me {
        id: user.user.id,
        email: user.user.email,
        name: user.user.name,
        role: user.principal.role.as_str().into(),
        school_urn: user.user.school_urn,
        organisation: OrganisationRef {
            id: user.organisation.id,
            slug: user.organisation.slug,
            name: user.organisation.name,
        },
    })
}

#[derive(Serialize, ToSchema)]
pub struct UserItem {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub school_urn: Option<i64>,
    pub active: bool,
}

/// The users of the caller's organisation (admins and leads).
#[utoipa::path(get, path = "/api/v1/users", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserItem>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn users(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<UserItem>>, ApiError> {
    let list = state.db.users(user.principal.organisation_id).await?;
    Ok(Json(
        list.into_iter()
            .map(|u| UserItem {
                id: u.id,
                email: u.email,
                name: u.name,
                role: u.role,
                school_urn: u.school_urn,
                active: u.active,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct AuditItem {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// The record before the change, as JSON.
    pub before: Option<serde_json::Value>,
    /// The record after the change, as JSON.
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditItem>,
    /// Pass as `before` to get the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

/// The audit log's filter, as query parameters.
#[derive(Debug, Deserialize, Default, Clone, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The kind of record, e.g. `user`.
    #[serde(default)]
    pub entity: String,
    /// create, update, delete, sign_in or sign_out.
    #[serde(default)]
    pub action: String,
    /// The email of the person who made the change.
    #[serde(default)]
    pub user_email: String,
    /// From this date (YYYY-MM-DD), inclusive.
    #[serde(default)]
    pub from: String,
    /// To this date (YYYY-MM-DD), inclusive.
    #[serde(default)]
    pub to: String,
    /// Entries older than this id (for the next page).
    pub before: Option<i64>,
}

/// An ISO date from a query parameter; blank is none.
fn iso_date(
    field: &str,
    v: &str,
    errors: &mut Vec<uplift_app::FieldError>,
) -> Option<jiff::civil::Date> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match v.parse() {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(uplift_app::FieldError::new(
                field,
                format!("Enter a real date as YYYY-MM-DD in ‘{field}’"),
            ));
            None
        }
    }
}

/// The audit log of the caller's organisation, newest first (admins and leads).
#[utoipa::path(get, path = "/api/v1/audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = crate::api::meetings::FieldRefusal)))]
pub async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let mut errors = Vec::new();
    let from = iso_date("from", &q.from, &mut errors);
    let to = iso_date("to", &q.to, &mut errors);
    if !errors.is_empty() {
        return Err(Problem::from(uplift_app::AppError::Invalid(errors)).into());
    }
    let search = uplift_app::audit::AuditSearch {
        entity: q.entity,
        action: q.action,
        user_email: q.user_email,
        from,
        to,
        before: q.before,
    };
    let found = uplift_app::audit::audit_entries(&state.app, &user.caller(), &search)
        .await
        .map_err(Problem::from)?;
    let (entries, next_before) = (found.entries, found.next_before);
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(Json(AuditPage {
        items: entries
            .into_iter()
            .map(|e| AuditItem {
                id: e.id,
                at: e.at,
                actor: e.actor,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                before: json(e.before_json),
                after: json(e.after_json),
                request_id: e.request_id,
            })
            .collect(),
        next_before,
    }))
}
