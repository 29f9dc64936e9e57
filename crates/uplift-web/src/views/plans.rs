//! How plans read on screen and in documents.

use uplift_domain::concern::OwnerKind;
use uplift_domain::policy::Rag;

/// The owners of an action: (form value, words, kind).
pub const OWNERS: &[(&str, &str, OwnerKind)] = &[
    ("school", "The school", OwnerKind::School),
    ("authority", "The authority", OwnerKind::Authority),
    ("adviser", "The adviser (Lead Officer)", OwnerKind::Adviser),
    (
        "brokered_partner",
        "A brokered partner",
        OwnerKind::BrokeredPartner,
    ),
];

/// An owner's words.
pub fn owner_label(o: OwnerKind) -> &'static str {
    OWNERS
        .iter()
        .find(|(_, _, k)| *k == o)
        .map(|(_, t, _)| *t)
        .unwrap_or("")
}

/// A judgement's words.
pub fn rag_label(r: Rag) -> &'static str {
    match r {
        Rag::Red => "Red",
        Rag::Amber => "Amber",
        Rag::Green => "Green",
        Rag::Grey => "Not yet judged",
    }
}
