//! Exceptions raised while delivering another: serial handling, double fault,
//! triple fault (Intel SDM vol. 3, 6.15, "Interrupt 8", tables 6-4 and 6-5).

use super::deliver::{deliver, Delivery, DeliveryInfo};
use super::Exception;
use crate::bus::Bus;
use crate::cpu::Cpu;

/// Exception classes for the double-fault rule (SDM table 6-4).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Benign,
    Contributory,
    PageFault,
    DoubleFault,
}

fn class(event: Delivery) -> Class {
    match event {
        Delivery::SoftInt(_) | Delivery::Irq(_) => Class::Benign,
        Delivery::Exception(e) => match e {
            Exception::InvalidOpcode => Class::Benign,
            Exception::DivideError
            | Exception::SegmentNotPresent(_)
            | Exception::GeneralProtection(_) => Class::Contributory,
            Exception::PageFault { .. } => Class::PageFault,
            Exception::DoubleFault => Class::DoubleFault,
        },
    }
}

/// How an event's delivery ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escalation {
    /// Exceptions raised while delivering, in order (each one is what got
    /// delivered next, or turned into #DF).
    pub raised: Vec<Exception>,
    /// The delivery that finally succeeded, or `None` for a triple fault: an
    /// exception while delivering #DF. Real hardware then shuts down and
    /// resets; this machine stops.
    pub delivered: Option<DeliveryInfo>,
}

/// Delivers `event`; if that raises an exception, either delivers it next
/// (serial handling) or, for a contributory/page-fault pair per SDM table 6-5,
/// delivers #DF instead; an exception while delivering #DF is a triple fault.
pub fn deliver_escalating(cpu: &mut Cpu, bus: &mut impl Bus, event: Delivery) -> Escalation {
    let mut raised = Vec::new();
    let mut current = event;
    loop {
        match deliver(cpu, bus, current) {
            Ok(info) => {
                return Escalation {
                    raised,
                    delivered: Some(info),
                }
            }
            Err(second) => {
                if let Exception::PageFault { addr, .. } = second {
                    // CR2 is loaded when the fault is detected, even if it
                    // then becomes a double fault.
                    cpu.cr2 = addr;
                }
                raised.push(second);
                let second_class = class(Delivery::Exception(second));
                current = match (class(current), second_class) {
                    (Class::DoubleFault, _) => {
                        return Escalation {
                            raised,
                            delivered: None,
                        }
                    }
                    (Class::Contributory, Class::Contributory)
                    | (Class::PageFault, Class::Contributory | Class::PageFault) => {
                        Delivery::Exception(Exception::DoubleFault)
                    }
                    _ => Delivery::Exception(second),
                };
            }
        }
    }
}
