//! Property: whatever bytes a user program consists of, running them in
//! ring 3 under paging never changes kernel memory (Intel SDM vol. 3, 4.6:
//! U/S and R/W protection; 5.9: privileged instructions fault).

mod machine_support;

use machine_support::*;
use proptest::prelude::*;
use sim_core::cpu::cr0;
use sim_core::machine::Machine;
use sim_core::mem::FrameAllocator;
use sim_core::mmu::{map_page, pte};
use sim_core::trap::Gate;

const USER_STACK_PAGE: u32 = USTACK_TOP - 0x1000;
const KERNEL_STACK_PAGE: u32 = KSTACK_TOP - 0x1000;

/// Every gate leads to a kernel handler that spins; the user may call none.
fn sandbox(code: &[u8]) -> Machine {
    let mut m = machine();
    for v in 0..=255u8 {
        set_gate(&mut m, v, Gate::interrupt(HANDLER, 0));
    }
    m.load(HANDLER, &SPIN);
    m.mem_mut().write_u32(COUNTER, 0x005e_c2e7);
    let mut frames = FrameAllocator::new(0x10_0000, 0x20_0000);
    let mem = m.mem_mut();
    let cr3 = frames.alloc(mem).expect("frame");
    for page in (0..0x1_0000).step_by(0x1000) {
        let user = page == USER_CODE || page == USER_STACK_PAGE;
        let flags = pte::RW | if user { pte::US } else { 0 };
        map_page(mem, &mut frames, cr3, page, page, flags).expect("map");
    }
    m.load(USER_CODE, code);
    let cpu = m.cpu_mut();
    cpu.cr3 = cr3;
    cpu.cr0 |= cr0::PG | cr0::WP;
    enter_user(cpu, USER_CODE, true);
    m
}

fn kernel_pages(m: &Machine) -> Vec<Vec<u8>> {
    (0..0x1_0000u32)
        .step_by(0x1000)
        .filter(|&p| p != USER_CODE && p != USER_STACK_PAGE && p != KERNEL_STACK_PAGE)
        .map(|p| {
            let mut buf = vec![0; 0x1000];
            m.mem().read_bytes(p, &mut buf);
            // Loading a segment register makes the CPU itself set the
            // descriptor's accessed bit in the GDT (SDM vol. 3, 3.4.5): not a
            // write by user code, so it is left out.
            if (p..p + 0x1000).contains(&GDT) {
                for d in (GDT - p..GDT - p + 0x100).step_by(8) {
                    buf[d as usize + 5] &= !1;
                }
            }
            buf
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn user_code_cannot_change_kernel_memory(
        code in proptest::collection::vec(any::<u8>(), 1..64),
        regs in proptest::array::uniform8(any::<u32>()),
    ) {
        let mut m = sandbox(&code);
        let esp = m.cpu().gpr[4];
        m.cpu_mut().gpr = regs;
        m.cpu_mut().gpr[4] = esp;
        let before = kernel_pages(&m);
        m.run(5_000);
        prop_assert_eq!(kernel_pages(&m), before);
    }
}
