//! The event stream of one system call, cycle by cycle: the contract the UI
//! renders. A change here must be deliberate.

mod machine_support;

use machine_support::*;
use sim_core::event::EventKind;
use sim_core::machine::TraceMode;
use sim_core::trap::{Gate, TRAP_CYCLES};

fn name(kind: &EventKind) -> String {
    match kind {
        EventKind::MemRead { lin, fetch, .. } => {
            format!("{}({lin:#x})", if *fetch { "Fetch" } else { "Read" })
        }
        EventKind::MemWrite { lin, new, .. } => format!("Write({lin:#x}={new:#x})"),
        other => {
            let json = serde_json::to_value(other).expect("serializes");
            json["type"].as_str().unwrap_or("?").to_string()
        }
    }
}

#[test]
fn int_from_user_mode_cycle_by_cycle() {
    let mut m = machine();
    set_gate(&mut m, 64, Gate::trap(HANDLER, 3));
    m.load(HANDLER, &[IRET]);
    m.load(USER_CODE, &[0xcd, 0x40, 0xeb, 0xfe]); // int $0x40; jmp .
    enter_user(m.cpu_mut(), USER_CODE, true);
    m.set_mode(TraceMode::Traced);
    let mut cycles = Vec::new();
    let mut int_cost = 0;
    for _ in 0..40 {
        let events = m.step();
        if let Some(first) = events.first() {
            let cycle = first.cycle;
            assert!(events.iter().all(|e| e.cycle == cycle));
            if cycle == 1 {
                int_cost = events
                    .iter()
                    .find_map(|e| match e.kind {
                        EventKind::InstructionRetired { cycles, .. } => Some(cycles),
                        _ => None,
                    })
                    .unwrap_or(0);
            }
            cycles.push((
                cycle,
                events.iter().map(|e| name(&e.kind)).collect::<Vec<_>>(),
            ));
        }
    }
    let k = KSTACK_TOP;
    let expected: Vec<(u64, Vec<String>)> = vec![(
        1,
        vec![
            "Fetch(0x2000)".into(),
            "Fetch(0x2001)".into(),
            "InstructionRetired".into(),
            "Read(0x1200)".into(),
            "Read(0x1204)".into(),
            // The handler's code segment (GDT entry 1), ESP0 and SS0 from
            // the TSS, and the SS0 descriptor (GDT entry 2).
            format!("Read({:#x})", GDT + 8),
            format!("Read({:#x})", GDT + 12),
            format!("Read({:#x})", GDT + 0x104),
            format!("Read({:#x})", GDT + 0x108),
            format!("Read({:#x})", GDT + 16),
            format!("Read({:#x})", GDT + 20),
            format!("Write({:#x}=0x23)", k - 4),
            format!("Write({:#x}=0x8000)", k - 8),
            format!("Write({:#x}=0x202)", k - 12),
            format!("Write({:#x}=0x1b)", k - 16),
            format!("Write({:#x}=0x2002)", k - 20),
            "ModeSwitch".into(),
            "TrapDelivered".into(),
        ],
    )];
    assert_eq!(cycles[..1], expected[..]);
    // The handler's iret runs once `int` (k cycles, the first of which is
    // cycle 1) and the delivery have been paid for.
    let (iret_cycle, iret) = &cycles[1];
    assert!(int_cost > 0);
    assert_eq!(
        *iret_cycle,
        1 + u64::from(int_cost) + u64::from(TRAP_CYCLES)
    );
    assert_eq!(iret[0], "Fetch(0x3000)");
    assert!(iret.contains(&"Iret".to_string()) && iret.contains(&"ModeSwitch".to_string()));
}
