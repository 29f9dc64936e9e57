//! The working-day calendar of England, academic and financial years.
