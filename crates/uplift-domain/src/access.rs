//! Who may do what: the roles of the service and the one policy function that
//! pages and the API both call. Nothing else in Uplift decides access.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The roles of DESIGN.md section 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Lead,
    Adviser,
    Panel,
    School,
    Commissioner,
    Traded,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Lead,
        Role::Adviser,
        Role::Panel,
        Role::School,
        Role::Commissioner,
        Role::Traded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Lead => "lead",
            Role::Adviser => "adviser",
            Role::Panel => "panel",
            Role::School => "school",
            Role::Commissioner => "commissioner",
            Role::Traded => "traded",
        }
    }

    /// How the role is named on screen.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "System administrator",
            Role::Lead => "Head of school improvement",
            Role::Adviser => "School improvement adviser",
            Role::Panel => "Review group member",
            Role::School => "School (headteacher or chair)",
            Role::Commissioner => "Commissioner",
            Role::Traded => "Traded services officer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role {0:?}: expected one of admin, lead, adviser, panel, school, commissioner, traded"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// Who is asking: a signed-in user or a token acting for one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub organisation_id: i64,
    pub role: Role,
    /// Set exactly when the role is `school`.
    pub school_urn: Option<i64>,
}

/// What the request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See one's own home page and account.
    ViewHome,
    /// Change one's own password; create and revoke one's own API tokens.
    ManageOwnAccount,
    /// Read the audit log of the organisation.
    ReadAuditLog,
    /// List the users of the organisation.
    ReadUsers,
    /// Create, change and deactivate users.
    ManageUsers,
    /// Search the register and read school profiles (a school user: their own school only).
    ReadSchools,
    /// Read the soft intelligence held about a school.
    ReadIntelligence,
    /// Add intelligence items about a school.
    WriteIntelligence,
    /// Read a school's category, its rationale and flags.
    ReadCategories,
    /// Confirm or override a proposed category; override a derived flag.
    DecideCategories,
    /// Read the annual risk assessment of the school estate.
    ReadEstateAssessment,
    /// Load, check and choose the organisation's policy.
    ManagePolicies,
    /// Read advisers, their caseloads and the named adviser of each school.
    ReadAdvisers,
    /// Change advisers' expertise and capacity; (re)assign a school's adviser or Lead Officer.
    ManageAdvisers,
    /// Read visits, entitlements, delivery and notes of visit (a school user: only what has
    /// been shared with their school).
    ReadVisits,
    /// Plan visits and write notes of visit (an adviser: only their own drafts; the handler checks).
    WriteVisits,
    /// Complete the school's pre-visit self-evaluation and respond to a note of visit
    /// (the school's own records only).
    RespondToVisits,
    /// Run quality assurance: the termly sample, moderation, shadowing, surveys, annual reviews
    /// (a QA reviewer sees only the notes sampled to them; the handler checks).
    QualityAssure,
    /// Read one's own notifications and calendar feeds.
    ReadNotifications,
    /// Read the schools-causing-concern list, cases, meetings, plans, notices and letters
    /// (a school user: only letters addressed to their school).
    ReadConcern,
    /// Propose, minute and record the work of cases: meetings, plans, reviews, drafts of letters.
    WriteConcern,
    /// Decide: designate, remove, issue letters and warning notices, record powers (signed off
    /// by a lead).
    DecideConcern,
    /// Read meetings (agendas, papers, minutes, decisions) and School Performance Board
    /// protocols; never a school user (they see only their own school's current plan and
    /// letters, through `ReadConcern`).
    ReadMeetings,
    /// Edit the organisation's letter templates.
    ManageTemplates,
    /// Record a school's contacts (headteacher, chair of governors, clerk) used to address
    /// letters and share notes of visit (a school user: their own school only).
    EditSchoolContacts,
}

impl Action {
    pub const ALL: [Action; 25] = [
        Action::ViewHome,
        Action::ManageOwnAccount,
        Action::ReadAuditLog,
        Action::ReadUsers,
        Action::ManageUsers,
        Action::ReadSchools,
        Action::ReadIntelligence,
        Action::WriteIntelligence,
        Action::ReadCategories,
        Action::DecideCategories,
        Action::ReadEstateAssessment,
        Action::ManagePolicies,
        Action::ReadAdvisers,
        Action::ManageAdvisers,
        Action::ReadVisits,
        Action::WriteVisits,
        Action::RespondToVisits,
        Action::QualityAssure,
        Action::ReadNotifications,
        Action::ReadConcern,
        Action::WriteConcern,
        Action::DecideConcern,
        Action::ReadMeetings,
        Action::ManageTemplates,
        Action::EditSchoolContacts,
    ];

    /// The roles granted this action within their own organisation.
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::ViewHome | Action::ManageOwnAccount => &Role::ALL,
            Action::ReadAuditLog => &[Admin, Lead],
            Action::ReadUsers => &[Admin, Lead],
            Action::ManageUsers => &[Admin],
            // Commissioners see aggregates only, never a named school's soft information.
            Action::ReadSchools => &[Admin, Lead, Adviser, Panel, School, Traded],
            Action::ReadIntelligence => &[Admin, Lead, Adviser, Panel],
            Action::WriteIntelligence => &[Lead, Adviser],
            Action::ReadCategories => &[Admin, Lead, Adviser, Panel],
            Action::DecideCategories => &[Lead],
            Action::ReadEstateAssessment => &[Admin, Lead, Adviser, Panel, Commissioner],
            Action::ManagePolicies => &[Admin, Lead],
            Action::ReadAdvisers => &[Admin, Lead, Adviser, Panel],
            Action::ManageAdvisers => &[Admin, Lead],
            Action::ReadVisits => &[Admin, Lead, Adviser, Panel, School],
            Action::WriteVisits => &[Lead, Adviser],
            Action::RespondToVisits => &[School],
            // Panel members are the QA reviewers; the lead runs the sample and the reviews.
            Action::QualityAssure => &[Lead, Panel, Adviser],
            Action::ReadNotifications => {
                &[Admin, Lead, Adviser, Panel, School, Commissioner, Traded]
            }
            Action::ReadConcern => &[Admin, Lead, Adviser, Panel, School],
            Action::WriteConcern => &[Lead, Adviser],
            Action::DecideConcern => &[Lead],
            Action::ReadMeetings => &[Admin, Lead, Adviser, Panel],
            Action::ManageTemplates => &[Admin, Lead],
            Action::EditSchoolContacts => &[Lead, Adviser, School],
        }
    }
}

/// The thing acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Something belonging to an organisation as a whole.
    Organisation(i64),
    /// Something about one school, held by an organisation.
    School { organisation_id: i64, urn: i64 },
}

/// The outcome of a policy decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// The user may know the thing exists but may not do this: 403.
    Forbid,
    /// The user may not even learn that the thing exists: 404.
    Hide,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// The one authorisation policy: may `who` do `action` on `scope`?
///
/// Anything in another organisation is hidden, and so is any other school's
/// record from a school user; otherwise the action's roles decide.
pub fn authorize(who: &Principal, action: Action, scope: Scope) -> Decision {
    let organisation_id = match scope {
        Scope::Organisation(o) => o,
        Scope::School {
            organisation_id, ..
        } => organisation_id,
    };
    if organisation_id != who.organisation_id {
        return Decision::Hide;
    }
    if let (Role::School, Scope::School { urn, .. }) = (who.role, scope) {
        if who.school_urn != Some(urn) {
            return Decision::Hide;
        }
    }
    if action.roles().contains(&who.role) {
        Decision::Allow
    } else {
        Decision::Forbid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role) -> Principal {
        Principal {
            user_id: 1,
            organisation_id: 10,
            role,
            school_urn: (role == Role::School).then_some(100005),
        }
    }

    #[test]
    fn roles_parse_and_print() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert_eq!("Lead".parse::<Role>(), Ok(Role::Lead));
        assert!("headteacher".parse::<Role>().is_err());
        assert!(UnknownRole("x".into()).to_string().contains("admin, lead"));
    }

    #[test]
    fn another_organisation_is_hidden_from_everyone() {
        for r in Role::ALL {
            for a in Action::ALL {
                assert_eq!(authorize(&p(r), a, Scope::Organisation(11)), Decision::Hide);
            }
        }
    }

    #[test]
    fn a_school_user_never_sees_another_school() {
        let s = p(Role::School);
        let other = Scope::School {
            organisation_id: 10,
            urn: 100006,
        };
        let own = Scope::School {
            organisation_id: 10,
            urn: 100005,
        };
        for a in Action::ALL {
            assert_eq!(authorize(&s, a, other), Decision::Hide);
        }
        assert_eq!(authorize(&s, Action::ViewHome, own), Decision::Allow);
    }

    #[test]
    fn the_audit_log_is_for_admins_and_leads_only() {
        let table = [
            (Role::Admin, Decision::Allow),
            (Role::Lead, Decision::Allow),
            (Role::Adviser, Decision::Forbid),
            (Role::Panel, Decision::Forbid),
            (Role::School, Decision::Forbid),
            (Role::Commissioner, Decision::Forbid),
            (Role::Traded, Decision::Forbid),
        ];
        for (r, want) in table {
            assert_eq!(
                authorize(&p(r), Action::ReadAuditLog, Scope::Organisation(10)),
                want,
                "{r}"
            );
        }
    }

    #[test]
    fn school_users_read_their_own_school_and_nothing_internal() {
        let s = p(Role::School);
        let own = Scope::School {
            organisation_id: 10,
            urn: 100005,
        };
        assert_eq!(authorize(&s, Action::ReadSchools, own), Decision::Allow);
        for a in [
            Action::ReadIntelligence,
            Action::ReadCategories,
            Action::DecideCategories,
        ] {
            assert_eq!(authorize(&s, a, own), Decision::Forbid, "{a:?}");
        }
        let c = p(Role::Commissioner);
        assert_eq!(
            authorize(&c, Action::ReadSchools, Scope::Organisation(10)),
            Decision::Forbid
        );
        assert_eq!(
            authorize(&c, Action::ReadEstateAssessment, Scope::Organisation(10)),
            Decision::Allow
        );
        assert_eq!(
            authorize(&p(Role::Lead), Action::DecideCategories, own),
            Decision::Allow
        );
        assert_eq!(
            authorize(&p(Role::Adviser), Action::DecideCategories, own),
            Decision::Forbid
        );
    }

    #[test]
    fn only_admins_manage_users() {
        for r in Role::ALL {
            let d = authorize(&p(r), Action::ManageUsers, Scope::Organisation(10));
            assert_eq!(d.is_allowed(), r == Role::Admin, "{r}");
        }
    }
}
