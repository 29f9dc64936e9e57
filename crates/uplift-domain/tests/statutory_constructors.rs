//! The statutory checks live in the domain's constructors, and an unknown
//! value is refused, never mapped to a default (the application layer and
//! every adapter rely on these, and nothing checks them again).

use uplift_domain::concern::{
    ArrangementKind, CompliancePeriod, DecisionError, DecisionKind, EscalationError, Power,
    PowerKind, Rationale,
};

fn people(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_compliance_period_is_one_to_365_working_days() {
    // EIA 2006 s60(1)(b) as amended by the Education and Adoption Act 2016:
    // the notice itself sets the compliance period; zero gives no time.
    assert_eq!(
        CompliancePeriod::new(0),
        Err(EscalationError::ZeroCompliancePeriod)
    );
    assert_eq!(CompliancePeriod::new(1).map(|p| p.working_days()), Ok(1));
    assert_eq!(
        CompliancePeriod::new(365).map(|p| p.working_days()),
        Ok(365)
    );
    assert_eq!(
        CompliancePeriod::new(366),
        Err(EscalationError::CompliancePeriodTooLong { max: 365 })
    );
    assert_eq!(
        EscalationError::CompliancePeriodTooLong { max: 365 }.field(),
        "compliance_days"
    );
}

#[test]
fn an_s63_arrangement_is_one_of_the_four_the_act_names_and_nothing_else() {
    // s63(2): a contract for advisory services, collaboration with another
    // school's governing body or a further-education body, or a federation.
    for (kind, name) in ArrangementKind::ALL {
        assert_eq!(ArrangementKind::parse(name), Some(kind));
        assert_eq!(kind.name(), name);
    }
    assert_eq!(ArrangementKind::parse("consultancy"), None);
    assert_eq!(ArrangementKind::parse(""), None);
}

#[test]
fn a_power_needs_its_particulars() {
    // s63 says which arrangement and with whom.
    assert_eq!(
        Power::new(
            PowerKind::S63Arrangements,
            None,
            "Invented Academy Trust",
            &[]
        ),
        Err(EscalationError::NoArrangement)
    );
    assert!(matches!(
        Power::new(
            PowerKind::S63Arrangements,
            Some(ArrangementKind::Federation),
            "  ",
            &[]
        ),
        Err(EscalationError::InvalidPower(_))
    ));
    assert_eq!(
        Power::new(
            PowerKind::S63Arrangements,
            Some(ArrangementKind::CollaborateWithSchool),
            " Invented Primary ",
            &[]
        ),
        Ok(Power::S63Arrangements {
            arrangement: ArrangementKind::CollaborateWithSchool,
            with_whom: "Invented Primary".into()
        })
    );
    // s64 names the governors appointed.
    let e = Power::new(PowerKind::S64AdditionalGovernors, None, "", &people(&[" "]))
        .expect_err("no governors");
    assert_eq!(e.field(), "people");
    // s65 and Schedule 6: an interim executive board has at least two members.
    let e = Power::new(
        PowerKind::S65InterimExecutiveBoard,
        None,
        "",
        &people(&["Alex Chair", ""]),
    )
    .expect_err("one member");
    assert_eq!(e.field(), "people");
    assert!(e.to_string().contains("at least two members"), "{e}");
    assert_eq!(
        Power::new(
            PowerKind::S65InterimExecutiveBoard,
            None,
            "",
            &people(&["Alex Chair", " Jo Finance "])
        ),
        Ok(Power::S65InterimExecutiveBoard {
            members: people(&["Alex Chair", "Jo Finance"])
        })
    );
    // s66 has no particulars.
    assert_eq!(
        Power::new(PowerKind::S66SuspendDelegatedBudget, None, "", &[]),
        Ok(Power::S66SuspendDelegatedBudget)
    );
}

#[test]
fn a_decision_kind_is_parsed_from_its_name_and_an_unknown_one_is_refused() {
    for name in DecisionKind::NAMES {
        let k = DecisionKind::parse(name, Some("described")).expect("known");
        assert_eq!(k.name(), name);
    }
    assert_eq!(DecisionKind::parse("sack_the_governors", None), None);
    assert_eq!(DecisionKind::parse("", None), None);
}

#[test]
fn a_rationale_is_given_and_at_most_4000_characters() {
    assert_eq!(Rationale::new("  "), Err(DecisionError::MissingRationale));
    assert!(
        Rationale::new("é".repeat(4000)).is_ok(),
        "characters, not bytes"
    );
    assert_eq!(
        Rationale::new("x".repeat(4001)),
        Err(DecisionError::RationaleTooLong { max: 4000 })
    );
    assert_eq!(
        DecisionError::RationaleTooLong { max: 4000 }.field(),
        "rationale"
    );
    assert_eq!(DecisionError::MissingTriggers.field(), "triggers");
}
