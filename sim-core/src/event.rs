//! What happened in a cycle: the machine's typed event stream. The UI and the
//! trace module render these; nothing else reports state changes.

use serde::Serialize;

use crate::trap::{DeliveryInfo, Exception};

/// One event, stamped with the cycle it happened in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    pub cycle: u64,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Why the privilege level changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SwitchCause {
    /// Trap delivery through the gate for this vector.
    Trap { vector: u8 },
    /// `iret` back to less privileged code.
    Iret,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum EventKind {
    /// An instruction executed; it occupies the CPU for `cycles` cycles
    /// starting with this one.
    InstructionRetired {
        eip: u32,
        len: u8,
        cycles: u32,
    },
    /// A memory read through the bus (`fetch` for instruction bytes).
    MemRead {
        lin: u32,
        phys: u32,
        size: u8,
        value: u32,
        fetch: bool,
    },
    MemWrite {
        lin: u32,
        phys: u32,
        size: u8,
        old: u32,
        new: u32,
    },
    PortIn {
        port: u16,
        size: u8,
        value: u32,
    },
    PortOut {
        port: u16,
        size: u8,
        value: u32,
    },
    ModeSwitch {
        from_cpl: u8,
        to_cpl: u8,
        cause: SwitchCause,
    },
    /// An interrupt or exception entered its handler.
    TrapDelivered(DeliveryInfo),
    /// An instruction (at `eip`), or a delivery, raised an exception.
    Fault {
        exception: Exception,
        eip: u32,
    },
    /// `iret` returned to `eip` at privilege `to_cpl`.
    Iret {
        from_cpl: u8,
        to_cpl: u8,
        eip: u32,
    },
    /// A device raised its interrupt request line.
    DeviceIrq {
        irq: u8,
    },
    /// `hlt`: the CPU idles until an interrupt.
    Halted {
        eip: u32,
    },
    /// An exception while delivering a double fault. Real hardware shuts
    /// down and resets; this machine stops.
    TripleFault {
        eip: u32,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trap::{Gate, TrapKind};

    #[test]
    fn events_serialize_flat_with_a_type_tag() {
        let e = Event {
            cycle: 7,
            kind: EventKind::TrapDelivered(DeliveryInfo {
                vector: 64,
                kind: TrapKind::SoftInt,
                error_code: None,
                gate: Gate::trap(0x3000, 3),
                from_cpl: 3,
                to_cpl: 0,
                esp: 0x8fec,
                frame: vec![0x2002, 0x1b, 0x202, 0x8000, 0x23],
                stack: None,
            }),
        };
        let v = serde_json::to_value(&e).expect("serializes");
        assert_eq!(v["cycle"], 7);
        assert_eq!(v["type"], "TrapDelivered");
        assert_eq!(v["vector"], 64);
        assert_eq!(v["frame"][4], 0x23);
        let f = Event {
            cycle: 1,
            kind: EventKind::Fault {
                exception: Exception::PageFault { addr: 4, code: 7 },
                eip: 9,
            },
        };
        let v = serde_json::to_value(&f).expect("serializes");
        assert_eq!(v["type"], "Fault");
        assert_eq!(v["exception"]["PageFault"]["code"], 7);
    }
}
