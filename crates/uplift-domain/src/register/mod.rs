//! The school register: schools, inspections in their three formats, performance.
