//! Front-end assets built from govuk-frontend at compile time.
