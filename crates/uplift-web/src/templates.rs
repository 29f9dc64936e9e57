//! Page templates embedded in the binary.
