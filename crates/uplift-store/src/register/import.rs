//! Importing a published file into the register: one transaction per file.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use uplift_domain::register::rules::{
    self, governance_name, head_name, is_new_head, link_type_name, measure_parts, oeif_number,
    report_card_area_column, report_card_grade_name, sixth_form_name, status_name,
};
use uplift_domain::register::{
    CategoryOfConcern, GroupStatus, Inspection, LaCode, Level, MeasureValue, PerformanceRecord,
    SafeguardingStandard, School,
};
use uplift_ingest::{AnyReader, AnyRecord, Kind};

use super::engine::{upsert, NewRow, Outcome, Table, Ty, Val};
use crate::audit::{self, Actor, Change};
use crate::{now, Backend, Db, Result, StoreError, Tx};

/// A row the reader rejected (the rest of the file is imported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    pub line: u64,
    pub field: Option<String>,
    pub reason: String,
}

/// What an import did, counted in rows of the file (a row may write several
/// stored rows: an Ofsted row holds up to three inspections, a performance row
/// one stored row per measure). A row is `inserted` when everything it holds is
/// new, `unchanged` when nothing differs, `updated` otherwise. `skipped` counts
/// rows outside the `--la` filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportSummary {
    pub kind: String,
    pub file: String,
    pub layout: String,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub rejected: Vec<RejectedRow>,
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Only rows of these authorities (empty: all). National rows are always kept,
    /// as comparators; groups are not filtered (a trust spans authorities).
    pub la: Vec<LaCode>,
    /// Who is importing (recorded in the audit log).
    pub actor: Actor,
    /// The date changes are recorded on (default: today, UTC).
    pub changed_on: Option<String>,
    /// All or nothing: refuse the whole file when any row is rejected.
    pub strict: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            la: Vec::new(),
            actor: Actor::system("import"),
            changed_on: None,
            strict: false,
        }
    }
}

/// Rows per batch before the batch is written.
const BATCH_ROWS: usize = 4000;

/// GIAS fields the reduced `edubaseallstatefunded` layout does not carry: an import of
/// that layout leaves them as they are instead of clearing them.
const NOT_IN_STATEFUNDED: &[&str] = &[
    "type_code",
    "type_group",
    "diocese",
    "number_on_roll",
    "capacity",
    "percentage_fsm",
    "trust",
    "trust_code",
    "sponsor",
    "federation",
    "close_date",
    "reason_closed",
    "ofsted_last_inspection",
    "ofsted_rating",
    "ofsted_special_measures",
    "last_changed_date",
    "rsc_region",
];

fn school_columns(s: &School) -> Vec<(&'static str, Ty, Val)> {
    use Ty::*;
    let t = |v: &Option<String>| Val::text(v.clone());
    vec![
        ("urn", Int, Val::Int(s.urn.get().into())),
        ("la_code", Text, Val::Text(s.la_code.to_string())),
        ("name", Text, Val::Text(s.name.clone())),
        ("la_name", Text, t(&s.la_name)),
        (
            "establishment_number",
            Int,
            Val::int(s.establishment_number),
        ),
        ("type_code", Text, t(&s.type_code)),
        ("type_name", Text, t(&s.type_name)),
        ("type_group", Text, t(&s.type_group)),
        (
            "governance",
            Text,
            Val::Text(governance_name(s.governance).into()),
        ),
        ("status", Text, Val::Text(status_name(&s.status))),
        ("phase", Text, t(&s.phase)),
        ("statutory_low_age", Int, Val::int(s.statutory_low_age)),
        ("statutory_high_age", Int, Val::int(s.statutory_high_age)),
        (
            "sixth_form",
            Text,
            Val::Text(sixth_form_name(s.sixth_form).into()),
        ),
        ("gender", Text, t(&s.gender)),
        ("religious_character", Text, t(&s.religious_character)),
        ("diocese", Text, t(&s.diocese)),
        ("admissions_policy", Text, t(&s.admissions_policy)),
        ("number_on_roll", Int, Val::int(s.number_on_roll)),
        ("capacity", Int, Val::int(s.capacity)),
        ("percentage_fsm", Real, Val::real(s.percentage_fsm)),
        ("trust", Text, t(&s.trust)),
        ("trust_code", Text, t(&s.trust_code)),
        ("sponsor", Text, t(&s.sponsor)),
        ("federation", Text, t(&s.federation)),
        ("ukprn", Int, Val::int(s.ukprn)),
        ("open_date", Text, Val::date(s.open_date)),
        ("close_date", Text, Val::date(s.close_date)),
        ("reason_opened", Text, t(&s.reason_opened)),
        ("reason_closed", Text, t(&s.reason_closed)),
        ("head_title", Text, t(&s.head_title)),
        ("head_first_name", Text, t(&s.head_first_name)),
        ("head_last_name", Text, t(&s.head_last_name)),
        ("head_job_title", Text, t(&s.head_job_title)),
        ("street", Text, t(&s.street)),
        ("locality", Text, t(&s.locality)),
        ("address3", Text, t(&s.address3)),
        ("town", Text, t(&s.town)),
        ("county", Text, t(&s.county)),
        ("postcode", Text, t(&s.postcode)),
        ("website", Text, t(&s.website)),
        ("telephone", Text, t(&s.telephone)),
        ("region", Text, t(&s.region)),
        (
            "parliamentary_constituency",
            Text,
            t(&s.parliamentary_constituency),
        ),
        (
            "ofsted_last_inspection",
            Text,
            Val::date(s.ofsted_last_inspection),
        ),
        ("ofsted_rating", Text, t(&s.ofsted_rating)),
        (
            "ofsted_special_measures",
            Text,
            t(&s.ofsted_special_measures),
        ),
        ("last_changed_date", Text, Val::date(s.last_changed_date)),
        ("rsc_region", Text, t(&s.rsc_region)),
        ("register_source", Text, Val::Text("gias".into())),
    ]
}

fn coc(c: &Option<CategoryOfConcern>) -> Val {
    Val::text(c.as_ref().map(|c| match c {
        CategoryOfConcern::SeriousWeaknesses => "Serious weaknesses".to_owned(),
        CategoryOfConcern::SpecialMeasures => "Special measures".to_owned(),
        CategoryOfConcern::RequiresSignificantImprovement => {
            "Requires significant improvement".to_owned()
        }
        CategoryOfConcern::Other(t) => t.clone(),
    }))
}

fn group_status(s: &GroupStatus) -> String {
    match s {
        GroupStatus::Open => "Open".into(),
        GroupStatus::Closed => "Closed".into(),
        GroupStatus::ProposedToOpen => "Proposed to open".into(),
        GroupStatus::Other(t) => t.clone(),
    }
}

fn level_name(l: &Level) -> &'static str {
    match l {
        Level::School => "school",
        Level::Authority => "authority",
        Level::National => "national",
        Level::Other(_) => "other",
    }
}

/// Table specs.
pub(crate) mod tables {
    use super::*;

    pub fn spc_school() -> Table {
        use Ty::*;
        let mut t = Table::new(
            "schools",
            &[
                ("urn", Int),
                ("la_code", Text),
                ("name", Text),
                ("la_name", Text),
                ("phase", Text),
                ("phase_type_grouping", Text),
                ("type_name", Text),
                ("governance", Text),
                ("trust", Text),
                ("religious_character", Text),
                ("postcode", Text),
                ("number_on_roll", Int),
                ("register_source", Text),
            ],
            &["urn"],
            "urn",
        );
        t.stamps = true;
        t.guard = Some(("register_source", Val::Text("spc".into())));
        t
    }

    pub fn spc_figures() -> Table {
        use Ty::*;
        Table::new(
            "spc_figures",
            &[
                ("urn", Int),
                ("time_period", Text),
                ("la_code", Text),
                ("new_la_code", Text),
                ("la_name", Text),
                ("phase_type_grouping", Text),
                ("type_of_establishment", Text),
                ("academy_flag", Text),
                ("trust", Text),
                ("denomination", Text),
                ("headcount", Real),
                ("headcount_marker", Text),
                ("fte", Real),
                ("fte_marker", Text),
                ("fsm_percent", Real),
                ("fsm_percent_marker", Text),
                ("fsm_percent_performance_tables", Real),
                ("fsm_percent_performance_tables_marker", Text),
                ("eal_percent", Real),
                ("eal_percent_marker", Text),
                ("sen_ehc_plan", Real),
                ("sen_ehc_plan_marker", Text),
                ("sen_support", Real),
                ("sen_support_marker", Text),
            ],
            &["urn", "time_period"],
            "urn",
        )
    }

    pub fn links() -> Table {
        use Ty::*;
        Table::new(
            "establishment_links",
            &[
                ("urn", Int),
                ("linked_urn", Int),
                ("linked_name", Text),
                ("link_type", Text),
                ("established", Text),
            ],
            &["urn", "linked_urn", "link_type"],
            "urn",
        )
    }

    pub fn groups() -> Table {
        use Ty::*;
        Table::new(
            "register_groups",
            &[
                ("uid", Int),
                ("group_id", Text),
                ("name", Text),
                ("companies_house_number", Text),
                ("group_type_code", Text),
                ("group_type", Text),
                ("status", Text),
                ("open_date", Text),
                ("closed_date", Text),
                ("incorporated_on", Text),
                ("street", Text),
                ("town", Text),
                ("postcode", Text),
                ("head_of_group", Text),
                ("ukprn", Text),
            ],
            &["uid"],
            "uid",
        )
    }

    pub fn group_links() -> Table {
        use Ty::*;
        Table::new(
            "group_links",
            &[
                ("urn", Int),
                ("group_uid", Int),
                ("joined", Text),
                ("group_name", Text),
                ("group_type", Text),
                ("establishment_name", Text),
                ("la_code", Text),
            ],
            &["urn", "group_uid"],
            "urn",
        )
    }

    pub fn graded() -> Table {
        use Ty::*;
        Table::new(
            "inspections_graded",
            &[
                ("urn", Int),
                ("inspection_key", Text),
                ("inspection_number", Text),
                ("inspection_type", Text),
                ("start_date", Text),
                ("publication_date", Text),
                ("urn_at_time", Int),
                ("category_of_concern", Text),
                ("overall_effectiveness", Int),
                ("quality_of_education", Int),
                ("behaviour_and_attitudes", Int),
                ("personal_development", Int),
                ("leadership_and_management", Int),
                ("safeguarding_effective", Bool),
                ("early_years", Int),
                ("sixth_form", Int),
                ("outcomes_for_pupils", Int),
                ("quality_of_teaching", Int),
                ("personal_development_behaviour_welfare", Int),
                ("generated", Bool),
            ],
            &["urn", "inspection_key"],
            "urn",
        )
    }

    pub fn ungraded() -> Table {
        use Ty::*;
        Table::new(
            "inspections_ungraded",
            &[
                ("urn", Int),
                ("inspection_key", Text),
                ("inspection_number", Text),
                ("inspection_date", Text),
                ("publication_date", Text),
                ("urn_at_time", Int),
                ("outcome", Text),
                ("generated", Bool),
            ],
            &["urn", "inspection_key"],
            "urn",
        )
    }

    pub fn report_card() -> Table {
        use Ty::*;
        let mut cols: Vec<(&'static str, Ty)> = vec![
            ("urn", Int),
            ("inspection_key", Text),
            ("inspection_number", Text),
            ("inspection_type", Text),
            ("start_date", Text),
            ("publication_date", Text),
            ("urn_at_time", Int),
            ("category_of_concern", Text),
            ("safeguarding", Text),
            ("safeguarding_date", Text),
        ];
        for (grade, date) in REPORT_CARD_COLUMNS {
            cols.push((grade, Text));
            cols.push((date, Text));
        }
        cols.push(("generated", Bool));
        Table::new(
            "inspections_report_card",
            &cols,
            &["urn", "inspection_key"],
            "urn",
        )
    }

    pub const REPORT_CARD_COLUMNS: [(&str, &str); 8] = [
        ("inclusion", "inclusion_date"),
        ("curriculum_and_teaching", "curriculum_and_teaching_date"),
        ("achievement", "achievement_date"),
        ("attendance_and_behaviour", "attendance_and_behaviour_date"),
        (
            "personal_development_and_wellbeing",
            "personal_development_and_wellbeing_date",
        ),
        (
            "leadership_and_governance",
            "leadership_and_governance_date",
        ),
        ("early_years", "early_years_date"),
        ("post_16", "post_16_date"),
    ];

    pub fn performance() -> Table {
        use Ty::*;
        Table::new(
            "performance_measures",
            &[
                ("dataset", Text),
                ("layout", Text),
                ("time_period", Text),
                ("area", Text),
                ("measure", Text),
                ("level", Text),
                ("level_code", Text),
                ("urn", Int),
                ("la_code", Text),
                ("value_num", Real),
                ("value_kind", Text),
                ("value_text", Text),
            ],
            &["dataset", "layout", "time_period", "area", "measure"],
            "area",
        )
        .filtered_by(&["dataset", "layout", "time_period"])
    }
}

/// Rows of one batch, by table, each tagged with the file row it came from.
struct Batch {
    tables: Vec<Table>,
    rows: Vec<Vec<(usize, NewRow)>>,
    /// Per file row in the batch: its line.
    records: Vec<u64>,
    pending: usize,
}

impl Batch {
    fn new(tables: Vec<Table>) -> Batch {
        let n = tables.len();
        Batch {
            tables,
            rows: (0..n).map(|_| Vec::new()).collect(),
            records: Vec::new(),
            pending: 0,
        }
    }
    fn start_record(&mut self, line: u64) -> usize {
        self.records.push(line);
        self.records.len() - 1
    }
    fn push(&mut self, table: usize, rec: usize, row: NewRow) {
        self.rows[table].push((rec, row));
        self.pending += 1;
    }
}

/// Per-import state.
struct Importer<'a> {
    kind: Kind,
    source_file: String,
    now: String,
    today: String,
    la: HashSet<String>,
    summary: ImportSummary,
    /// URN → LA code from the register, loaded when a kind needs it.
    register_la: Option<HashMap<i64, String>>,
    /// KS2 without an LA column: LA codes seen per block of school rows.
    block_las: HashMap<u32, HashMap<String, usize>>,
    /// (dataset, layout) pairs whose quartiles to compute.
    perf_sets: HashSet<(String, String)>,
    opts: &'a ImportOptions,
}

impl Importer<'_> {
    fn keep_la(&self, la: Option<&str>) -> bool {
        self.la.is_empty() || la.is_some_and(|l| self.la.contains(l))
    }

    fn register_la(&self, urn: i64) -> Option<String> {
        self.register_la.as_ref()?.get(&urn).cloned()
    }

    /// Converts one record into rows; returns false when the `--la` filter skips it.
    fn add(&mut self, batch: &mut Batch, line: u64, rec: AnyRecord) -> bool {
        match rec {
            AnyRecord::School(s) => {
                if !self.keep_la(Some(&s.la_code.to_string())) {
                    return false;
                }
                let r = batch.start_record(line);
                let carried: Vec<(&str, Ty, Val)> = school_columns(&s)
                    .into_iter()
                    .filter(|(c, _, _)| batch.tables[0].col(c).is_some())
                    .collect();
                batch.push(
                    0,
                    r,
                    NewRow {
                        vals: carried.into_iter().map(|(_, _, v)| v).collect(),
                        insert_only: vec![Val::date(s.head_start_date)],
                    },
                );
            }
            AnyRecord::Spc(s) => {
                let la = s.la_code.to_string();
                if !self.keep_la(Some(&la)) {
                    return false;
                }
                let r = batch.start_record(line);
                let grouping = s.phase_type_grouping.clone();
                let governance = s
                    .academy_flag
                    .as_deref()
                    .map(|f| governance_name(rules::governance_from_academy_flag(f)).to_owned());
                let nor = s.headcount.as_f64().map(|n| n.round() as i64);
                batch.push(
                    0,
                    r,
                    NewRow {
                        vals: vec![
                            Val::Int(s.urn.get().into()),
                            Val::Text(la.clone()),
                            Val::Text(s.school_name.clone()),
                            Val::text(s.la_name.clone()),
                            Val::text(grouping.as_deref().and_then(rules::phase_from_spc_grouping)),
                            Val::text(grouping.clone()),
                            Val::text(s.type_of_establishment.clone()),
                            Val::text(governance),
                            Val::text(s.trust.clone()),
                            Val::text(s.denomination.clone()),
                            Val::text(s.postcode.clone()),
                            Val::int(nor),
                            Val::Text("spc".into()),
                        ],
                        insert_only: vec![],
                    },
                );
                let m = |v: &MeasureValue| {
                    let (n, _, t) = measure_parts(v);
                    [Val::real(n), Val::text(t)]
                };
                let missing = MeasureValue::Missing;
                let mut vals = vec![
                    Val::Int(s.urn.get().into()),
                    Val::Text(s.time_period.clone()),
                    Val::Text(la),
                    Val::text(s.new_la_code.clone()),
                    Val::text(s.la_name.clone()),
                    Val::text(grouping),
                    Val::text(s.type_of_establishment.clone()),
                    Val::text(s.academy_flag.clone()),
                    Val::text(s.trust.clone()),
                    Val::text(s.denomination.clone()),
                ];
                for v in [
                    &s.headcount,
                    &s.fte,
                    &s.fsm_percent,
                    &s.fsm_percent_performance_tables,
                    &s.eal_percent,
                    s.sen_ehc_plan.as_ref().unwrap_or(&missing),
                    s.sen_support.as_ref().unwrap_or(&missing),
                ] {
                    vals.extend(m(v));
                }
                batch.push(
                    1,
                    r,
                    NewRow {
                        vals,
                        insert_only: vec![],
                    },
                );
            }
            AnyRecord::Link(l) => {
                if !self.la.is_empty() {
                    let a = self.register_la(l.urn.get().into());
                    let b = self.register_la(l.linked_urn.get().into());
                    if !self.keep_la(a.as_deref()) && !self.keep_la(b.as_deref()) {
                        return false;
                    }
                }
                let r = batch.start_record(line);
                batch.push(
                    0,
                    r,
                    NewRow {
                        vals: vec![
                            Val::Int(l.urn.get().into()),
                            Val::Int(l.linked_urn.get().into()),
                            Val::text(l.linked_name.clone()),
                            Val::Text(link_type_name(&l.link_type)),
                            Val::date(l.established),
                        ],
                        insert_only: vec![],
                    },
                );
            }
            AnyRecord::Group(g) => {
                let r = batch.start_record(line);
                batch.push(
                    0,
                    r,
                    NewRow {
                        vals: vec![
                            Val::Int(g.uid.get().into()),
                            Val::text(g.group_id),
                            Val::Text(g.name),
                            Val::text(g.companies_house_number),
                            Val::text(g.group_type_code),
                            Val::text(g.group_type),
                            Val::Text(group_status(&g.status)),
                            Val::date(g.open_date),
                            Val::date(g.closed_date),
                            Val::date(g.incorporated_on),
                            Val::text(g.street),
                            Val::text(g.town),
                            Val::text(g.postcode),
                            Val::text(g.head_of_group),
                            Val::text(g.ukprn),
                        ],
                        insert_only: vec![],
                    },
                );
            }
            AnyRecord::GroupLink(g) => {
                let la = g.la_code.map(|l| l.to_string());
                if !self.keep_la(la.as_deref()) {
                    return false;
                }
                let r = batch.start_record(line);
                batch.push(
                    0,
                    r,
                    NewRow {
                        vals: vec![
                            Val::Int(g.urn.get().into()),
                            Val::Int(g.group_uid.get().into()),
                            Val::date(g.joined),
                            Val::text(g.group_name),
                            Val::text(g.group_type),
                            Val::text(g.establishment_name),
                            Val::text(la),
                        ],
                        insert_only: vec![],
                    },
                );
            }
            AnyRecord::Ofsted(o) => {
                let urn = i64::from(o.urn.get());
                let la = o
                    .la_code
                    .map(|l| l.to_string())
                    .or_else(|| self.register_la(urn));
                if !self.keep_la(la.as_deref()) {
                    return false;
                }
                let r = batch.start_record(line);
                for insp in &o.inspections {
                    match insp {
                        Inspection::Graded(g) => {
                            let key = inspection_key(&g.inspection_number, g.start_date);
                            batch.push(
                                0,
                                r,
                                NewRow {
                                    vals: vec![
                                        Val::Int(urn),
                                        Val::Text(key),
                                        Val::text(g.inspection_number.clone()),
                                        Val::text(g.inspection_type.clone()),
                                        Val::date(g.start_date),
                                        Val::date(g.publication_date),
                                        Val::int(g.urn_at_time.map(|u| u.get())),
                                        coc(&g.category_of_concern),
                                        Val::int(oeif_number(g.overall_effectiveness)),
                                        Val::int(oeif_number(g.quality_of_education)),
                                        Val::int(oeif_number(g.behaviour_and_attitudes)),
                                        Val::int(oeif_number(g.personal_development)),
                                        Val::int(oeif_number(g.leadership_and_management)),
                                        g.safeguarding_effective
                                            .map(Val::Bool)
                                            .unwrap_or(Val::Null),
                                        Val::int(oeif_number(g.early_years)),
                                        Val::int(oeif_number(g.sixth_form)),
                                        Val::int(oeif_number(g.outcomes_for_pupils)),
                                        Val::int(oeif_number(g.quality_of_teaching)),
                                        Val::int(oeif_number(
                                            g.personal_development_behaviour_welfare,
                                        )),
                                        Val::Bool(false),
                                    ],
                                    insert_only: vec![],
                                },
                            );
                        }
                        Inspection::Ungraded(u) => {
                            let key = inspection_key(&u.inspection_number, u.date);
                            batch.push(
                                1,
                                r,
                                NewRow {
                                    vals: vec![
                                        Val::Int(urn),
                                        Val::Text(key),
                                        Val::text(u.inspection_number.clone()),
                                        Val::date(u.date),
                                        Val::date(u.publication_date),
                                        Val::int(u.urn_at_time.map(|u| u.get())),
                                        Val::Text(u.outcome.clone()),
                                        Val::Bool(false),
                                    ],
                                    insert_only: vec![],
                                },
                            );
                        }
                        Inspection::ReportCard(c) => {
                            let key = inspection_key(&c.inspection_number, c.start_date);
                            let mut vals = vec![
                                Val::Int(urn),
                                Val::Text(key),
                                Val::text(c.inspection_number.clone()),
                                Val::text(c.inspection_type.clone()),
                                Val::date(c.start_date),
                                Val::date(c.publication_date),
                                Val::int(c.urn_at_time.map(|u| u.get())),
                                coc(&c.category_of_concern),
                                Val::text(c.safeguarding.map(|s| match s {
                                    SafeguardingStandard::Met => "Met",
                                    SafeguardingStandard::NotMet => "Not met",
                                })),
                                Val::date(c.safeguarding_date),
                            ];
                            for (col, _) in tables::REPORT_CARD_COLUMNS {
                                let a = c
                                    .areas
                                    .iter()
                                    .find(|a| report_card_area_column(a.area) == col);
                                vals.push(Val::text(a.map(|a| report_card_grade_name(a.grade))));
                                vals.push(Val::date(a.and_then(|a| a.date)));
                            }
                            vals.push(Val::Bool(false));
                            batch.push(
                                2,
                                r,
                                NewRow {
                                    vals,
                                    insert_only: vec![],
                                },
                            );
                        }
                    }
                }
            }
            AnyRecord::Performance(p) => return self.add_performance(batch, line, *p),
            AnyRecord::Census(c) => {
                let la = c.la_code.map(|l| l.to_string());
                if c.level != Level::National && !self.keep_la(la.as_deref()) {
                    return false;
                }
                let (area, level_code) =
                    school_or_national(&c.level, c.urn, c.school_type.as_deref());
                let r = batch.start_record(line);
                let measures: Vec<(String, MeasureValue)> =
                    c.measures.into_iter().map(|m| (m.name, m.value)).collect();
                self.push_measures(
                    batch,
                    r,
                    ("census", "england_census", ""),
                    (&c.level, level_code),
                    &area,
                    c.urn.map(|u| i64::from(u.get())),
                    la,
                    measures,
                );
            }
            AnyRecord::Absence(a) => {
                let la = a.la_code.map(|l| l.to_string());
                if a.level != Level::National && !self.keep_la(la.as_deref()) {
                    return false;
                }
                let (area, level_code) = school_or_national(&a.level, a.urn, a.estab.as_deref());
                let r = batch.start_record(line);
                self.push_measures(
                    batch,
                    r,
                    ("absence", "england_abs", ""),
                    (&a.level, level_code),
                    &area,
                    a.urn.map(|u| i64::from(u.get())),
                    la,
                    vec![
                        ("PERCTOT".into(), a.overall_absence_percent),
                        ("PPERSABS10".into(), a.persistent_absence_percent),
                    ],
                );
            }
        }
        true
    }

    fn add_performance(&mut self, batch: &mut Batch, line: u64, p: PerformanceRecord) -> bool {
        let urn = p.urn.map(|u| i64::from(u.get()));
        let mut la = p.la_code.map(|l| l.to_string());
        if la.is_none() {
            if let Some(u) = urn {
                la = self.register_la(u);
                if let (Some(block), Some(l)) = (p.la_block, &la) {
                    *self
                        .block_las
                        .entry(block)
                        .or_default()
                        .entry(l.clone())
                        .or_default() += 1;
                }
            } else if p.level == Level::Authority {
                // The LA total closing a block of the LEA-less KS2 file: the LA most of
                // the block's schools belong to in the register.
                la = p.la_block.and_then(|b| {
                    self.block_las
                        .get(&b)?
                        .iter()
                        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                        .map(|(l, _)| l.clone())
                });
            }
        }
        if p.level != Level::National && !self.keep_la(la.as_deref()) {
            return false;
        }
        let area = match (&p.level, urn, &la) {
            (Level::School, Some(u), _) => format!("school:{u}"),
            (Level::Authority, _, Some(l)) => format!("la:{l}"),
            (Level::Authority, _, None) => {
                format!("la-block:{}", p.la_block.unwrap_or_default())
            }
            _ => format!("{}:{}", level_name(&p.level), p.level_code),
        };
        let r = batch.start_record(line);
        let dataset = p.key_stage.to_ascii_lowercase();
        let measures: Vec<(String, MeasureValue)> =
            p.measures.into_iter().map(|m| (m.name, m.value)).collect();
        self.push_measures(
            batch,
            r,
            (&dataset, &p.layout, p.time_period.as_deref().unwrap_or("")),
            (&p.level, &p.level_code),
            &area,
            urn,
            la,
            measures,
        );
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn push_measures(
        &mut self,
        batch: &mut Batch,
        r: usize,
        (dataset, layout, period): (&str, &str, &str),
        (level, level_code): (&Level, &str),
        area: &str,
        urn: Option<i64>,
        la: Option<String>,
        measures: Vec<(String, MeasureValue)>,
    ) {
        self.perf_sets
            .insert((dataset.to_owned(), layout.to_owned()));
        for (name, value) in measures {
            if value == MeasureValue::Missing {
                continue;
            }
            let (num, kind, text) = measure_parts(&value);
            batch.push(
                0,
                r,
                NewRow {
                    vals: vec![
                        Val::Text(dataset.to_owned()),
                        Val::Text(layout.to_owned()),
                        Val::Text(period.to_owned()),
                        Val::Text(area.to_owned()),
                        Val::Text(name),
                        Val::Text(level_name(level).to_owned()),
                        Val::Text(level_code.to_owned()),
                        Val::int(urn),
                        Val::text(la.clone()),
                        Val::real(num),
                        Val::Text(kind.to_owned()),
                        Val::text(text),
                    ],
                    insert_only: vec![],
                },
            );
        }
    }

    /// Writes the batch and counts its file rows.
    async fn flush(&mut self, tx: &mut Tx, batch: &mut Batch) -> Result<()> {
        if batch.records.is_empty() {
            return Ok(());
        }
        // Per record: (any inserted, any updated, any unchanged).
        let mut state = vec![(false, false, false); batch.records.len()];
        let first = batch.records.first().copied().unwrap_or(0);
        let last = batch.records.last().copied().unwrap_or(0);
        for ti in 0..batch.tables.len() {
            let rows = std::mem::take(&mut batch.rows[ti]);
            if rows.is_empty() {
                continue;
            }
            let (recs, rows): (Vec<usize>, Vec<NewRow>) = rows.into_iter().unzip();
            let new_vals: Vec<Vec<Val>> = if batch.tables[ti].name == "schools" {
                rows.iter().map(|r| r.vals.clone()).collect()
            } else {
                Vec::new()
            };
            let outcomes = upsert(tx, &batch.tables[ti], rows, &self.source_file, &self.now)
                .await
                .map_err(|e| {
                    StoreError::Invalid(format!(
                        "{}: lines {first}-{last}: cannot write to {}: {e}",
                        self.summary.file, batch.tables[ti].name
                    ))
                })?;
            for (i, (rec, o)) in recs.iter().zip(&outcomes).enumerate() {
                let s = &mut state[*rec];
                match o {
                    Outcome::Inserted => s.0 = true,
                    Outcome::Updated(old) => {
                        s.1 = true;
                        if batch.tables[ti].name == "schools" {
                            self.school_changed(tx, &batch.tables[ti], old, &new_vals[i])
                                .await?;
                        }
                    }
                    Outcome::Unchanged => s.2 = true,
                }
            }
        }
        for (ins, upd, unch) in state {
            if upd || (ins && unch) {
                self.summary.updated += 1;
            } else if ins {
                self.summary.inserted += 1;
            } else {
                self.summary.unchanged += 1;
            }
        }
        batch.records.clear();
        batch.pending = 0;
        Ok(())
    }

    /// Records a school's changed fields, and a new headteacher as intelligence.
    async fn school_changed(
        &mut self,
        tx: &mut Tx,
        t: &Table,
        old: &[Val],
        new: &[Val],
    ) -> Result<()> {
        let src = t.col("register_source");
        if let Some(i) = src {
            if old[i] != new[i] {
                // A GIAS record taking over a school known only from the census file:
                // not a change in the school.
                return Ok(());
            }
        }
        let urn = match new[0] {
            Val::Int(u) => u,
            _ => return Ok(()),
        };
        let changed_on = self
            .opts
            .changed_on
            .clone()
            .unwrap_or_else(|| self.today.clone());
        for (i, (field, _)) in t.cols.iter().enumerate() {
            if Some(i) == src || old[i] == new[i] {
                continue;
            }
            on_tx!(tx, c => sqlx::query(
                "INSERT INTO school_changes (urn, field, old_value, new_value, changed_on, source_file, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(urn).bind(*field).bind(old[i].as_text()).bind(new[i].as_text())
                .bind(&changed_on).bind(&self.source_file).bind(&self.now)
                .execute(&mut **c).await.map(|r| r.rows_affected()))?;
        }
        let get = |v: &[Val], name: &str| t.col(name).and_then(|i| v[i].as_text());
        let (of, ol) = (get(old, "head_first_name"), get(old, "head_last_name"));
        let (nf, nl) = (get(new, "head_first_name"), get(new, "head_last_name"));
        if is_new_head(
            (of.as_deref(), ol.as_deref()),
            (nf.as_deref(), nl.as_deref()),
        ) {
            let before = head_name(
                get(old, "head_title").as_deref(),
                of.as_deref(),
                ol.as_deref(),
            )
            .unwrap_or_default();
            let after = head_name(
                get(new, "head_title").as_deref(),
                nf.as_deref(),
                nl.as_deref(),
            )
            .unwrap_or_default();
            let summary = format!("New headteacher: {after} (previously {before})");
            let source = format!("GIAS import of {}", self.source_file);
            on_tx!(tx, c => sqlx::query(
                "INSERT INTO intelligence (organisation_id, urn, kind, summary, source, occurred_on, recorded_at, author_user_id, generated)
                 VALUES (NULL, $1, 'leadership_change', $2, $3, $4, $5, NULL, FALSE)")
                .bind(urn).bind(&summary).bind(&source).bind(&changed_on).bind(&self.now)
                .execute(&mut **c).await.map(|r| r.rows_affected()))?;
            on_tx!(tx, c => sqlx::query("UPDATE schools SET head_start_date = $1 WHERE urn = $2")
                .bind(&changed_on).bind(urn)
                .execute(&mut **c).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// Each school's quartile within its authority, per measure and time period.
    async fn quartiles(&self, tx: &mut Tx) -> Result<()> {
        for (dataset, layout) in &self.perf_sets {
            on_tx!(tx, c => sqlx::query(
                "UPDATE performance_measures SET quartile = q.quartile
                 FROM (SELECT id,
                              4 * (RANK() OVER (PARTITION BY time_period, la_code, measure ORDER BY value_num) - 1)
                                / COUNT(*) OVER (PARTITION BY time_period, la_code, measure) + 1 AS quartile
                       FROM performance_measures
                       WHERE dataset = $1 AND layout = $2 AND level = 'school'
                         AND la_code IS NOT NULL AND value_num IS NOT NULL) q
                 WHERE performance_measures.id = q.id
                   AND (performance_measures.quartile IS NULL OR performance_measures.quartile <> q.quartile)")
                .bind(dataset).bind(layout)
                .execute(&mut **c).await.map(|r| r.rows_affected()))?;
            on_tx!(tx, c => sqlx::query(
                "UPDATE performance_measures SET quartile = NULL
                 WHERE dataset = $1 AND layout = $2 AND quartile IS NOT NULL
                   AND (value_num IS NULL OR level <> 'school' OR la_code IS NULL)")
                .bind(dataset).bind(layout)
                .execute(&mut **c).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }
}

/// The key of an inspection within a school: its number, or its date when it has none.
fn inspection_key(number: &Option<String>, date: Option<jiff::civil::Date>) -> String {
    match (number, date) {
        (Some(n), _) if !n.trim().is_empty() => n.trim().to_owned(),
        (_, Some(d)) => d.to_string(),
        _ => "latest".to_owned(),
    }
}

fn tables_for(kind: Kind, layout: &str) -> Vec<Table> {
    match kind {
        Kind::Gias => {
            // Every School field; the reduced layout leaves what it does not carry.
            let dummy = school_template();
            let cols: Vec<(&'static str, Ty)> = school_columns(&dummy)
                .into_iter()
                .filter(|(c, _, _)| {
                    layout != "edubaseallstatefunded" || !NOT_IN_STATEFUNDED.contains(c)
                })
                .map(|(c, t, _)| (c, t))
                .collect();
            let mut t = Table::new("schools", &cols, &["urn"], "urn");
            t.stamps = true;
            t.insert_only = vec![("head_start_date", Ty::Text)];
            vec![t]
        }
        Kind::Spc => vec![tables::spc_school(), tables::spc_figures()],
        Kind::GiasLinks => vec![tables::links()],
        Kind::GiasGroups => vec![tables::groups()],
        Kind::GiasGroupLinks => vec![tables::group_links()],
        Kind::Ofsted => vec![tables::graded(), tables::ungraded(), tables::report_card()],
        Kind::Ks2 | Kind::Ks4 | Kind::Census | Kind::Absence => vec![tables::performance()],
    }
}

fn school_template() -> School {
    use uplift_domain::register::{EstablishmentStatus, Governance, SixthForm, Urn};
    School {
        urn: Urn::new(1).unwrap_or_else(|_| unreachable!()),
        la_code: LaCode::new(100).unwrap_or_else(|_| unreachable!()),
        la_name: None,
        establishment_number: None,
        name: String::new(),
        type_code: None,
        type_name: None,
        type_group: None,
        governance: Governance::Other,
        status: EstablishmentStatus::Open,
        phase: None,
        statutory_low_age: None,
        statutory_high_age: None,
        sixth_form: SixthForm::Unknown,
        gender: None,
        religious_character: None,
        diocese: None,
        admissions_policy: None,
        number_on_roll: None,
        capacity: None,
        percentage_fsm: None,
        trust: None,
        trust_code: None,
        sponsor: None,
        federation: None,
        ukprn: None,
        open_date: None,
        close_date: None,
        reason_opened: None,
        reason_closed: None,
        head_title: None,
        head_first_name: None,
        head_last_name: None,
        head_job_title: None,
        head_start_date: None,
        street: None,
        locality: None,
        address3: None,
        town: None,
        county: None,
        postcode: None,
        website: None,
        telephone: None,
        region: None,
        parliamentary_constituency: None,
        ofsted_last_inspection: None,
        ofsted_rating: None,
        ofsted_special_measures: None,
        last_changed_date: None,
        rsc_region: None,
    }
}

fn base_name(file: &str) -> String {
    std::path::Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_owned())
}

impl Db {
    /// Imports one published file, already opened by a reader of `kind`
    /// (`uplift_ingest::read_any` / `open`), in ONE transaction: on any fatal
    /// error (an I/O failure part-way, a database error) nothing is written.
    /// Rejected rows are listed in the summary and the rest is imported.
    ///
    /// Re-importing the same file writes nothing and reports every row unchanged.
    /// A changed school records each changed field in `school_changes`; a new
    /// headteacher becomes a `leadership_change` intelligence item. Schools are never
    /// deleted: a school missing from a file stays, and a closed school is marked
    /// closed by its status. The import is recorded in the audit log as ONE entry
    /// (entity `import`, id the file name, with kind, layout and counts), not one
    /// entry per row.
    pub async fn import(
        &self,
        kind: Kind,
        file: &str,
        reader: AnyReader<'_>,
        opts: &ImportOptions,
    ) -> Result<ImportSummary> {
        let layout = reader.layout;
        let now = now();
        let mut imp = Importer {
            kind,
            source_file: base_name(file),
            today: now[..10].to_owned(),
            now,
            la: opts.la.iter().map(|l| l.to_string()).collect(),
            summary: ImportSummary {
                kind: kind.as_str().into(),
                file: file.to_owned(),
                layout: layout.into(),
                ..Default::default()
            },
            register_la: None,
            block_las: HashMap::new(),
            perf_sets: HashSet::new(),
            opts,
        };
        let mut tx = self.begin().await?;
        if self.backend() == Backend::Sqlite {
            // A bigger page cache for the bulk write (64 MiB), restored afterwards.
            on_tx!(tx, c => sqlx::query("PRAGMA cache_size = -65536").execute(&mut **c).await.map(|r| r.rows_affected()))?;
        }
        let needs_la = matches!(imp.kind, Kind::Ks2)
            || (!imp.la.is_empty() && matches!(imp.kind, Kind::GiasLinks | Kind::Ofsted));
        if needs_la {
            let rows: Vec<(i64, String)> = on_tx!(tx, c => sqlx::query_as("SELECT urn, la_code FROM schools")
                .fetch_all(&mut **c).await)?;
            imp.register_la = Some(rows.into_iter().collect());
        }
        let mut batch = Batch::new(tables_for(kind, layout));
        for row in reader {
            match row {
                Ok(rec) => {
                    if !imp.add(&mut batch, rec.line, rec.value) {
                        imp.summary.skipped += 1;
                    }
                    if batch.pending >= BATCH_ROWS {
                        imp.flush(&mut tx, &mut batch).await?;
                    }
                }
                Err(e) if e.is_fatal() => {
                    return Err(StoreError::Invalid(format!("{e}; nothing was imported")));
                }
                Err(e) => imp.summary.rejected.push(RejectedRow {
                    line: e.line,
                    field: e.field.clone(),
                    reason: e.reason.to_string(),
                }),
            }
        }
        if opts.strict && !imp.summary.rejected.is_empty() {
            let first: Vec<String> = imp
                .summary
                .rejected
                .iter()
                .take(3)
                .map(|r| {
                    format!(
                        "line {}, field {}: {}",
                        r.line,
                        r.field.as_deref().unwrap_or("-"),
                        r.reason
                    )
                })
                .collect();
            return Err(StoreError::Invalid(format!(
                "{}: {} row(s) rejected ({}); nothing was imported (--strict)",
                file,
                imp.summary.rejected.len(),
                first.join("; ")
            )));
        }
        imp.flush(&mut tx, &mut batch).await?;
        imp.quartiles(&mut tx).await?;
        let s = &imp.summary;
        if s.inserted > 0 || s.updated > 0 {
            // The register changed: every organisation's placements are stale.
            crate::placements::inputs_changed(&mut tx, None).await?;
        }
        let detail = serde_json::json!({
            "kind": s.kind, "file": s.file, "layout": s.layout,
            "inserted": s.inserted, "updated": s.updated, "unchanged": s.unchanged,
            "skipped": s.skipped, "rejected": s.rejected.len(),
            "la": opts.la.iter().map(|l| l.to_string()).collect::<Vec<_>>(),
        });
        audit::record(
            &mut tx,
            &opts.actor,
            Change::created("import", &imp.source_file, None, &detail),
        )
        .await?;
        if self.backend() == Backend::Sqlite {
            on_tx!(tx, c => sqlx::query("PRAGMA cache_size = -2000").execute(&mut **c).await.map(|r| r.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(imp.summary)
    }

    /// Opens `path` with the reader of `kind` and imports it (see [`Db::import`]).
    pub async fn import_file(
        &self,
        kind: Kind,
        path: &std::path::Path,
        opts: &ImportOptions,
    ) -> Result<ImportSummary> {
        let reader =
            uplift_ingest::open(kind, path).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.import(kind, &path.display().to_string(), reader, opts)
            .await
    }

    /// Imports a file held in memory (the demo's embedded extract).
    pub async fn import_bytes(
        &self,
        kind: Kind,
        name: &str,
        bytes: &[u8],
        opts: &ImportOptions,
    ) -> Result<ImportSummary> {
        let reader = uplift_ingest::read_any(kind, name, std::io::Cursor::new(bytes))
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.import(kind, name, reader, opts).await
    }
}

/// The area key and level code of a census or absence row: a school's own row,
/// or a national row (those files publish no authority totals), told apart by
/// its school-type column.
fn school_or_national(
    level: &Level,
    urn: Option<uplift_domain::register::Urn>,
    national_kind: Option<&str>,
) -> (String, &'static str) {
    let area = match (level, urn) {
        (Level::School, Some(u)) => format!("school:{u}"),
        _ => format!("national:NAT:{}", national_kind.unwrap_or("")),
    };
    let code = if *level == Level::National {
        "NAT"
    } else {
        "school"
    };
    (area, code)
}
