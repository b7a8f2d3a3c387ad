//! The trap table (IDT) and delivery of exceptions and interrupts.

mod exception;

pub use exception::{pf, Exception};
