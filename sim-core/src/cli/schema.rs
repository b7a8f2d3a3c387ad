//! `ringside schema`: prints the JSON Schema of the scenario format, for
//! editors and for validating scenario files outside Ringside.

use std::io::Write;

use crate::scenario::json_schema;

const USAGE: &str = "usage: ringside schema";

/// `ringside schema` (no arguments).
pub fn main(args: &[String]) -> i32 {
    if let Some(a) = args.first() {
        eprintln!("ringside schema: unexpected argument {a}\n{USAGE}");
        return super::EXIT_USAGE;
    }
    let text = match serde_json::to_string_pretty(&json_schema()) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("ringside schema: {e}");
            return 1;
        }
    };
    // A closed pipe (`ringside schema | head`) is an exit code, not a panic.
    match writeln!(std::io::stdout().lock(), "{text}") {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn arguments_are_a_usage_error() {
        assert_eq!(super::main(&["--pretty".into()]), super::super::EXIT_USAGE);
    }
}
