//! The trap table (IDT) and delivery of exceptions and interrupts
//! (Intel SDM vol. 3, 6.10–6.14).

mod deliver;
mod escalate;
mod exception;
mod idt;
pub mod vectors;

pub use deliver::{deliver, Delivery, DeliveryInfo, TrapKind, TRAP_CYCLES};
pub use escalate::{deliver_escalating, Escalation};
pub use exception::{pf, Exception};
pub use idt::{read_idt, write_gate, Gate, GateKind, IdtEntry};
pub use vectors::{exception, exception_name, has_error_code, ExceptionVector, EXCEPTIONS};
