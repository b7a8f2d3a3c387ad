//! Assembler diagnostics: every error carries the 1-based line and column where it was found.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One diagnostic, located at a 1-based line and a 1-based column counted in characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsmError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl AsmError {
    pub fn new(line: u32, column: u32, message: impl Into<String>) -> Self {
        AsmError {
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for AsmError {}

/// All errors of one source file, sorted by line and column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsmErrors(pub Vec<AsmError>);

impl AsmErrors {
    /// Sorts by position and drops exact duplicates, so a student sees each problem once.
    pub(crate) fn sorted(mut errors: Vec<AsmError>) -> Self {
        crate::sort::stable_sort_by_key(&mut errors, |e| (e.line, e.column));
        errors.dedup();
        AsmErrors(errors)
    }
}

impl fmt::Display for AsmErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AsmErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_lists_every_error_sorted() {
        let errs = AsmErrors::sorted(vec![
            AsmError::new(3, 1, "b"),
            AsmError::new(1, 5, "a"),
            AsmError::new(1, 5, "a"),
        ]);
        assert_eq!(errs.0.len(), 2);
        assert_eq!(errs.to_string(), "line 1:5: a\nline 3:1: b");
    }
}
