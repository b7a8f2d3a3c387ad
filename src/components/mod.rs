//! One component per panel; each gets plain view data through props.

pub mod help;
