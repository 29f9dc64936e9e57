//! The school register's queries: the school list (search, filters, sort,
//! pages) and the school profile, with the rules of who may see what (a
//! school user sees only their own school; intelligence only for the roles
//! allowed to read it). The pages, the CSV and the JSON API all call these.

mod profile;
mod schools;

pub use profile::{school_profile, Profile};
pub use schools::{
    filter_options, find_schools, own_school_only, Found, SchoolQuery, PAGE_SIZE, SORT_KEYS,
};
