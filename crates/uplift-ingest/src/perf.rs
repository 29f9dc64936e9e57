//! KINDs `spc`, `ks2`, `ks4`, `census` and `absence`: DfE statistics files.

use crate::error::{IngestError, Problem, Reason};
use crate::gias::{la, opt_la, urn};
use crate::reader::{normalise, Col, Header, Layout, Parse, Reader, Row};
use std::io::{Read, Seek};
use uplift_domain::register::{
    AbsenceRecord, CensusRecord, Level, Measure, MeasureValue, PerformanceRecord, SpcRecord,
};

fn measure(r: &Row<'_>, col: Col) -> MeasureValue {
    MeasureValue::parse(r.raw(col))
}

// ---------------------------------------------------------------- spc

/// Layouts of `spc`.
pub const SPC_LAYOUTS: &[Layout] = &[Layout {
    name: "spc_school_level_underlying_data",
    required: &[
        "time_period",
        "urn",
        "old_la_code",
        "school_name",
        "phase_type_grouping",
        "headcount of pupils",
        "% of pupils known to be eligible for free school meals",
    ],
}];

/// Column positions for `spc`.
pub struct SpcParser {
    time_period: Col,
    urn: Col,
    la: Col,
    new_la: Col,
    la_name: Col,
    estab: Col,
    name: Col,
    phase: Col,
    type_name: Col,
    trust: Col,
    academy_flag: Col,
    denomination: Col,
    postcode: Col,
    headcount: Col,
    fte: Col,
    fsm: Col,
    fsm_pt: Col,
    eal: Col,
    ehc: Col,
    sen_support: Col,
}

impl Parse for SpcParser {
    type Output = SpcRecord;
    fn parse(&mut self, r: &Row<'_>) -> Result<SpcRecord, Problem> {
        Ok(SpcRecord {
            time_period: r.required(self.time_period, "time_period")?.to_owned(),
            urn: urn(r, self.urn, "urn")?,
            la_code: la(r, self.la, "old_la_code")?,
            new_la_code: r.text(self.new_la),
            la_name: r.text(self.la_name),
            estab: r.u32(self.estab)?,
            school_name: r.required(self.name, "school_name")?.to_owned(),
            phase_type_grouping: r.text(self.phase),
            type_of_establishment: r.text(self.type_name),
            trust: r.text(self.trust),
            academy_flag: r.text(self.academy_flag),
            denomination: r.text(self.denomination),
            postcode: r.text(self.postcode),
            headcount: measure(r, self.headcount),
            fte: measure(r, self.fte),
            fsm_percent: measure(r, self.fsm),
            fsm_percent_performance_tables: measure(r, self.fsm_pt),
            eal_percent: measure(r, self.eal),
            sen_ehc_plan: self.ehc.map(|c| measure(r, Some(c))),
            sen_support: self.sen_support.map(|c| measure(r, Some(c))),
        })
    }
    fn key(&self, s: &SpcRecord) -> Option<(&'static str, u32)> {
        Some(("URN", s.urn.get()))
    }
}

/// Reads the DfE "Schools, pupils and their characteristics" school-level file.
pub fn read_spc<R: Read + Seek>(file: &str, input: R) -> Result<Reader<R, SpcParser>, IngestError> {
    Reader::open(file, "spc", input, SPC_LAYOUTS, |h, _| {
        let c = |n: &[&str]| h.find_any(n);
        SpcParser {
            time_period: c(&["time_period"]),
            urn: c(&["urn"]),
            la: c(&["old_la_code"]),
            new_la: c(&["new_la_code"]),
            la_name: c(&["la_name"]),
            estab: c(&["estab"]),
            name: c(&["school_name"]),
            phase: c(&["phase_type_grouping"]),
            type_name: c(&["typeofestablishment_name"]),
            trust: c(&["trust"]),
            academy_flag: c(&["academy_flag"]),
            denomination: c(&["denomination"]),
            postcode: c(&["school_postcode"]),
            headcount: c(&["headcount of pupils"]),
            fte: c(&["fte pupils"]),
            fsm: c(&["% of pupils known to be eligible for free school meals"]),
            fsm_pt: c(&[
                "% of pupils known to be eligible for free school meals (Performance Tables)",
            ]),
            eal: c(&[
                "% of pupils whose first language is known or believed to be other than English",
            ]),
            ehc: c(&[
                "number of pupils with an EHC plan",
                "Number of pupils with an EHC plan",
                "EHC plan",
            ]),
            sen_support: c(&["number of pupils on SEN support", "SEN support"]),
        }
    })
}

// ---------------------------------------------------------------- ks2 / ks4

/// Layouts of `ks2`.
pub const KS2_LAYOUTS: &[Layout] = &[
    Layout {
        name: "england_ks2final",
        required: &[
            "RECTYPE",
            "LEA",
            "URN",
            "PTRWM_EXP|PTREADWRITTAMATX|PT2READ12|PTREADAT",
        ],
    },
    Layout {
        name: "england_ks2final (column subset, no LEA)",
        required: &[
            "RECTYPE",
            "URN",
            "PTRWM_EXP|PTREADWRITTAMATX|PT2READ12|PTREADAT",
        ],
    },
];

/// Layouts of `ks4`.
pub const KS4_LAYOUTS: &[Layout] = &[
    Layout {
        name: "england_ks4 (headline measures)",
        required: &["RECTYPE", "LEA", "ESTAB", "URN", "SCHNAME", "ATT8SCR|P8MEA"],
    },
    Layout {
        name: "england_ks4-pupdest",
        required: &[
            "RECTYPE",
            "LEA",
            "ESTAB",
            "URN",
            "SCHNAME",
            "COHORT",
            "OVERALL_DEST",
        ],
    },
    Layout {
        name: "ees_ks4_school_info",
        required: &[
            "time_period",
            "geographic_level",
            "school_urn",
            "old_la_code",
            "school_name",
            "t_pupils",
        ],
    },
];

const LEGACY_IDENTITY: &[&str] = &[
    "RECTYPE", "LEA", "ESTAB", "URN", "SCHNAME", "PCODE", "TELNUM",
];
const EES_IDENTITY: &[&str] = &[
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "school_laestab",
    "school_urn",
    "school_name",
    "old_la_code",
    "new_la_code",
    "la_name",
    "version",
    "full_address",
    "telnum",
    "pcon_code",
    "pcon_name",
];

/// Column positions for `ks2` and `ks4`.
pub struct PerformanceParser {
    source_file: String,
    key_stage: &'static str,
    layout: &'static str,
    ees: bool,
    level: Col,
    urn: Col,
    la: Col,
    estab: Col,
    name: Col,
    la_name: Col,
    time_period: Col,
    measures: Vec<(usize, String)>,
    /// KS2 without an LA column: count of LA-total rows seen so far.
    la_block: Option<u32>,
}

impl PerformanceParser {
    fn new(file: &str, key_stage: &'static str, h: &Header, layout: Layout) -> Self {
        let ees = layout.name.starts_with("ees");
        let identity = if ees { EES_IDENTITY } else { LEGACY_IDENTITY };
        let identity: Vec<String> = identity.iter().map(|n| normalise(n)).collect();
        let measures = h
            .names()
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.trim().is_empty() && !identity.contains(&normalise(n)))
            .map(|(i, n)| (i, n.clone()))
            .collect();
        let c = |n: &str| h.find(n);
        let source_file = std::path::Path::new(file)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.to_owned());
        PerformanceParser {
            source_file,
            key_stage,
            layout: layout.name,
            ees,
            level: if ees {
                c("geographic_level")
            } else {
                c("RECTYPE")
            },
            urn: if ees { c("school_urn") } else { c("URN") },
            la: if ees { c("old_la_code") } else { c("LEA") },
            estab: if ees { None } else { c("ESTAB") },
            name: if ees { c("school_name") } else { c("SCHNAME") },
            la_name: if ees { c("la_name") } else { None },
            time_period: if ees { c("time_period") } else { None },
            measures,
            la_block: (key_stage == "KS2" && c("LEA").is_none()).then_some(0),
        }
    }

    fn level(&self, code: &str) -> Level {
        if self.ees {
            return match code.to_ascii_lowercase().as_str() {
                "school" => Level::School,
                "local authority" => Level::Authority,
                "national" => Level::National,
                _ => Level::Other(code.to_owned()),
            };
        }
        match (self.key_stage, code) {
            (_, "1" | "2") => Level::School,
            ("KS2", "3") | ("KS4", "4" | "LA") => Level::Authority,
            ("KS2", "4" | "5") | ("KS4", "5" | "7" | "NAT") => Level::National,
            _ => Level::Other(code.to_owned()),
        }
    }
}

impl Parse for PerformanceParser {
    type Output = PerformanceRecord;

    fn parse(&mut self, r: &Row<'_>) -> Result<PerformanceRecord, Problem> {
        let level_name = if self.ees {
            "geographic_level"
        } else {
            "RECTYPE"
        };
        let code = r.required(self.level, level_name)?.to_owned();
        let level = self.level(&code);
        let school = level == Level::School;
        let urn = if school {
            Some(urn(r, self.urn, "URN")?)
        } else {
            None
        };
        let la_block = self.la_block;
        if level == Level::Authority {
            if let Some(b) = self.la_block.as_mut() {
                *b += 1;
            }
        }
        let name = r.text(self.name).or_else(|| r.text(self.la_name));
        Ok(PerformanceRecord {
            source_file: self.source_file.clone(),
            key_stage: self.key_stage.to_owned(),
            layout: self.layout.to_owned(),
            time_period: r.text(self.time_period),
            level,
            level_code: code,
            urn,
            la_code: opt_la(r, self.la)?,
            estab: if school { r.u32(self.estab)? } else { None },
            name,
            la_block,
            measures: self
                .measures
                .iter()
                .map(|(i, n)| Measure {
                    name: n.clone(),
                    value: MeasureValue::parse(r.raw(Some(*i))),
                })
                .collect(),
        })
    }

    fn key(&self, p: &PerformanceRecord) -> Option<(&'static str, u32)> {
        p.urn.map(|u| ("URN", u.get()))
    }
}

/// Reads a KS2 performance table (legacy `england_ks2final` or its LEA-less column subset).
///
/// The subset has no LA column: school rows carry only their URN (join to the register for
/// the LA), and [`PerformanceRecord::la_block`] ties each LA-total row (RECTYPE 3) to the
/// school rows listed before it.
pub fn read_ks2<R: Read + Seek>(
    file: &str,
    input: R,
) -> Result<Reader<R, PerformanceParser>, IngestError> {
    Reader::open(file, "ks2", input, KS2_LAYOUTS, |h, l| {
        PerformanceParser::new(file, "KS2", h, l)
    })
}

/// Reads a KS4 performance table (legacy `england_ks4*` layouts, or the Explore Education
/// Statistics `ks4_school_info` tidy layout).
pub fn read_ks4<R: Read + Seek>(
    file: &str,
    input: R,
) -> Result<Reader<R, PerformanceParser>, IngestError> {
    Reader::open(file, "ks4", input, KS4_LAYOUTS, |h, l| {
        PerformanceParser::new(file, "KS4", h, l)
    })
}

// ---------------------------------------------------------------- census

/// Layouts of `census`.
pub const CENSUS_LAYOUTS: &[Layout] = &[Layout {
    name: "england_census",
    required: &["URN", "LA", "ESTAB", "SCHOOLTYPE", "NOR", "PNUMEAL"],
}];

/// Column positions for `census`.
pub struct CensusParser {
    urn: Col,
    la: Col,
    estab: Col,
    school_type: Col,
    nor: Col,
    ehc: Col,
    sen_support: Col,
    eal: Col,
    fsm_ever: Col,
    measures: Vec<(usize, String)>,
}

impl Parse for CensusParser {
    type Output = CensusRecord;
    fn parse(&mut self, r: &Row<'_>) -> Result<CensusRecord, Problem> {
        let national = r.raw(self.urn).eq_ignore_ascii_case("NAT");
        let (level, u, la_code, estab) = if national {
            (Level::National, None, None, None)
        } else {
            (
                Level::School,
                Some(urn(r, self.urn, "URN")?),
                Some(la(r, self.la, "LA")?),
                r.u32(self.estab)?,
            )
        };
        Ok(CensusRecord {
            level,
            urn: u,
            la_code,
            estab,
            school_type: r.text(self.school_type),
            number_on_roll: measure(r, self.nor),
            sen_ehc_plan_percent: measure(r, self.ehc),
            sen_support_percent: measure(r, self.sen_support),
            eal_percent: measure(r, self.eal),
            fsm_ever_percent: measure(r, self.fsm_ever),
            measures: self
                .measures
                .iter()
                .map(|(i, n)| Measure {
                    name: n.clone(),
                    value: MeasureValue::parse(r.raw(Some(*i))),
                })
                .collect(),
        })
    }
    fn key(&self, c: &CensusRecord) -> Option<(&'static str, u32)> {
        c.urn.map(|u| ("URN", u.get()))
    }
}

/// Reads the legacy performance-tables census file (pupil characteristics). Rows whose URN
/// is `NAT` are national totals.
pub fn read_census<R: Read + Seek>(
    file: &str,
    input: R,
) -> Result<Reader<R, CensusParser>, IngestError> {
    Reader::open(file, "census", input, CENSUS_LAYOUTS, |h, _| {
        let identity = ["URN", "LA", "ESTAB", "SCHOOLTYPE"].map(normalise);
        CensusParser {
            urn: h.find("URN"),
            la: h.find("LA"),
            estab: h.find("ESTAB"),
            school_type: h.find("SCHOOLTYPE"),
            nor: h.find("NOR"),
            ehc: h.find("PSENELSE"),
            sen_support: h.find("PSENELK"),
            eal: h.find("PNUMEAL"),
            fsm_ever: h.find("PNUMFSMEVER"),
            measures: h
                .names()
                .iter()
                .enumerate()
                .filter(|(_, n)| !identity.contains(&normalise(n)))
                .map(|(i, n)| (i, n.clone()))
                .collect(),
        }
    })
}

// ---------------------------------------------------------------- absence

/// Layouts of `absence`.
pub const ABSENCE_LAYOUTS: &[Layout] = &[Layout {
    name: "england_abs",
    required: &["LA", "ESTAB", "URN", "PERCTOT", "PPERSABS10"],
}];

/// Column positions for `absence`.
pub struct AbsenceParser {
    la: Col,
    estab: Col,
    urn: Col,
    perctot: Col,
    ppersabs10: Col,
}

impl Parse for AbsenceParser {
    type Output = AbsenceRecord;
    fn parse(&mut self, r: &Row<'_>) -> Result<AbsenceRecord, Problem> {
        let national = r.raw(self.la).eq_ignore_ascii_case("NAT");
        let (level, u, la_code) = if national {
            (Level::National, None, None)
        } else {
            (
                Level::School,
                Some(urn(r, self.urn, "URN")?),
                Some(la(r, self.la, "LA")?),
            )
        };
        if !national {
            // ESTAB must be a number on school rows.
            r.u32(self.estab)?;
        }
        let perctot = measure(r, self.perctot);
        if let MeasureValue::Text(t) = &perctot {
            return Err(r.problem(
                self.perctot,
                Reason::Invalid {
                    value: t.clone(),
                    expected: "a percentage or a marker such as SUPP".into(),
                },
            ));
        }
        Ok(AbsenceRecord {
            level,
            urn: u,
            la_code,
            estab: r.text(self.estab),
            overall_absence_percent: perctot,
            persistent_absence_percent: measure(r, self.ppersabs10),
        })
    }
    fn key(&self, a: &AbsenceRecord) -> Option<(&'static str, u32)> {
        a.urn.map(|u| ("URN", u.get()))
    }
}

/// Reads the legacy performance-tables absence file. Rows whose LA is `NAT` are national
/// totals by phase (the phase code is in ESTAB).
pub fn read_absence<R: Read + Seek>(
    file: &str,
    input: R,
) -> Result<Reader<R, AbsenceParser>, IngestError> {
    Reader::open(file, "absence", input, ABSENCE_LAYOUTS, |h, _| {
        AbsenceParser {
            la: h.find("LA"),
            estab: h.find("ESTAB"),
            urn: h.find("URN"),
            perctot: h.find("PERCTOT"),
            ppersabs10: h.find("PPERSABS10"),
        }
    })
}
