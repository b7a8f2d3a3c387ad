//! (b) Every restricted instruction in ring 3 faults with #GP and kills only
//! its process.

use proptest::prelude::*;
use sim_core::kernel::Pid;
use sim_core::sim::{Halt, TraceLevel};

use super::{build, scenario, spec, RR};

const RESTRICTED: [&str; 10] = [
    "cli",
    "sti",
    "hlt",
    "inb $0x60, %al",
    "outb %al, $0x80",
    "inb %dx, %al",
    "outw %ax, %dx",
    "lidt buf",
    "movl %eax, %cr3",
    "movl %cr0, %eax",
];

const HARMLESS: [&str; 6] = [
    "addl $3, %eax",
    "xorl %ebx, %ebx",
    "movl $0x1f0, %edx",
    "pushl %eax\n    popl %ecx",
    "incl buf",
    "nop",
];

fn restricted_source(prefix: &[usize], instruction: &str) -> String {
    let body: String = prefix
        .iter()
        .map(|&i| format!("    {}\n", HARMLESS[i]))
        .collect();
    format!("main:\n{body}    {instruction}\n    pushl $0\n    call exit\n.data\nbuf: .space 8\n")
}

fn assert_killed_with_gp(prefix: &[usize], instruction: &str) {
    let counter = "main:\n    movl $3000, %ecx\n1:  loop 1b\n    pushl $0\n    call exit\n";
    let s = scenario(
        RR,
        &[
            ("rogue", restricted_source(prefix, instruction)),
            ("counter", counter.into()),
        ],
        vec![spec("rogue", 0, 100, 100), spec("counter", 0, 100, 100)],
    );
    let mut sim = build(&s, TraceLevel::Off);
    assert_eq!(
        sim.run(s.max_cycles, &[]),
        Some(Halt::Finished),
        "{instruction}"
    );
    let rogue = sim.kernel().process(Pid(1)).expect("exists");
    let reason = rogue.killed.as_deref().unwrap_or("not killed");
    assert!(
        reason.starts_with("#GP"),
        "{instruction} at CPL 3: {reason}"
    );
    assert_eq!(rogue.exit_status, Some(-1), "{instruction}");
    let counter = sim.kernel().process(Pid(2)).expect("exists");
    assert_eq!(
        (counter.exit_status, &counter.killed),
        (Some(0), &None),
        "{instruction}: the other process is unharmed"
    );
}

#[test]
fn every_restricted_instruction_faults_in_ring_3() {
    for instruction in RESTRICTED {
        assert_killed_with_gp(&[], instruction);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn restricted_instructions_fault_whatever_runs_before(
        prefix in prop::collection::vec(0..HARMLESS.len(), 0..6),
        which in 0..RESTRICTED.len(),
    ) {
        assert_killed_with_gp(&prefix, RESTRICTED[which]);
    }
}
