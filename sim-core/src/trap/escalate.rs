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
            Exception::InvalidOpcode | Exception::Unmodelled(_) => Class::Benign,
            Exception::DivideError
            | Exception::InvalidTss(_)
            | Exception::SegmentNotPresent(_)
            | Exception::StackFault(_)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::TableReg;
    use crate::machine::Board;
    use crate::trap::{write_gate, Gate};

    const IDT: u32 = 0x1000;
    const GDT: u32 = 0x800;

    /// A ring-0 CPU with an IDT in which only the `present` gates are present.
    fn setup(present: &[u8]) -> (Cpu, Board) {
        let mut sys = Board::default();
        for v in 0..=255u8 {
            let gate = Gate {
                present: present.contains(&v),
                ..Gate::interrupt(0x4000 + u32::from(v), 0)
            };
            write_gate(sys.mem_mut(), IDT, v, gate);
        }
        for (k, d) in crate::cpu::segment::xv6_gdt(0).iter().enumerate() {
            sys.mem_mut()
                .write_bytes(GDT + 8 * k as u32, &d.to_le_bytes());
        }
        let cpu = Cpu {
            idtr: TableReg {
                base: IDT,
                limit: 0x7ff,
            },
            gdtr: TableReg {
                base: GDT,
                limit: 6 * 8 - 1,
            },
            gpr: [0, 0, 0, 0, 0x9000, 0, 0, 0],
            ..Cpu::default()
        };
        (cpu, sys)
    }

    fn np(vector: u8) -> Exception {
        Exception::SegmentNotPresent(u32::from(vector) * 8 + 3)
    }

    #[test]
    fn benign_first_exception_is_followed_serially() {
        // #UD with no gate: #NP(6) is delivered normally, not as #DF.
        let (mut cpu, mut sys) = setup(&[11]);
        let esc = deliver_escalating(
            &mut cpu,
            &mut sys,
            Delivery::Exception(Exception::InvalidOpcode),
        );
        assert_eq!(esc.raised, [np(6)]);
        assert_eq!(esc.delivered.map(|d| d.vector), Some(11));
        assert_eq!(cpu.eip, 0x4000 + 11);
        // An all-zero slot is no gate at all: #GP, not #NP.
        let (mut cpu, mut sys) = setup(&[13]);
        cpu.idtr.base = 0x8000;
        write_gate(sys.mem_mut(), 0x8000, 13, Gate::interrupt(0x4000 + 13, 0));
        let esc = deliver_escalating(
            &mut cpu,
            &mut sys,
            Delivery::Exception(Exception::InvalidOpcode),
        );
        assert_eq!(esc.raised, [Exception::GeneralProtection(6 * 8 + 3)]);
        assert_eq!(esc.delivered.map(|d| d.vector), Some(13));
    }

    #[test]
    fn contributory_or_page_fault_pairs_become_double_faults() {
        let pf = Exception::PageFault { addr: 0, code: 0 };
        for first in [Exception::GeneralProtection(0), pf] {
            let (mut cpu, mut sys) = setup(&[8]);
            let esc = deliver_escalating(&mut cpu, &mut sys, Delivery::Exception(first));
            assert_eq!(esc.raised, [np(first.vector())]);
            let info = esc.delivered.expect("delivered #DF");
            assert_eq!((info.vector, info.error_code), (8, Some(0)));
        }
    }

    #[test]
    fn an_interrupt_whose_gate_is_missing_raises_np_with_ext_set() {
        let (mut cpu, mut sys) = setup(&[11]);
        let esc = deliver_escalating(&mut cpu, &mut sys, Delivery::Irq(32));
        assert_eq!(esc.raised, [np(32)]);
        assert_eq!(esc.delivered.map(|d| d.vector), Some(11));
    }

    #[test]
    fn a_fault_while_delivering_a_double_fault_is_a_triple_fault() {
        let (mut cpu, mut sys) = setup(&[]);
        let esc = deliver_escalating(
            &mut cpu,
            &mut sys,
            Delivery::Exception(Exception::DivideError),
        );
        assert_eq!(esc.raised, [np(0), np(8)]);
        assert_eq!(esc.delivered, None);
    }
}
