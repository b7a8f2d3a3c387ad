//! Paging through the machine: protection faults delivered with CR2 and the
//! error code, and the caches (TLB, decoded instructions) following changes
//! to page tables, CR3 and code.

mod machine_support;

use machine_support::*;
use sim_core::cpu::cr0;
use sim_core::machine::Machine;
use sim_core::mem::FrameAllocator;
use sim_core::mmu::{map_page, pte};
use sim_core::trap::Gate;

const PT_POOL: u32 = 0x10_0000;

/// Kernel pages 0..0x10000 identity-mapped supervisor-only, except the user
/// code page and user stack page; the page-table pool identity-mapped too.
fn paged_machine() -> (Machine, FrameAllocator, u32) {
    let mut m = machine();
    let mut frames = FrameAllocator::new(PT_POOL, 0x20_0000);
    let mem = m.mem_mut();
    let cr3 = frames.alloc(mem).expect("frame");
    for page in (0..0x1_0000).step_by(0x1000) {
        let user = page == USER_CODE || page == USTACK_TOP - 0x1000;
        let flags = pte::RW | if user { pte::US } else { 0 };
        map_page(mem, &mut frames, cr3, page, page, flags).expect("map");
    }
    for page in (PT_POOL..PT_POOL + 0x1_0000).step_by(0x1000) {
        map_page(mem, &mut frames, cr3, page, page, pte::RW).expect("map");
    }
    let cpu = m.cpu_mut();
    cpu.cr3 = cr3;
    cpu.cr0 |= cr0::PG | cr0::WP;
    (m, frames, cr3)
}

#[test]
fn user_write_to_a_kernel_page_is_a_page_fault_with_cr2() {
    let (mut m, _, _) = paged_machine();
    set_gate(&mut m, 14, Gate::interrupt(HANDLER, 0));
    m.load(HANDLER, &SPIN);
    m.load(USER_CODE, &[0xa3, 0x00, 0x60, 0x00, 0x00]); // mov %eax, 0x6000
    enter_user(m.cpu_mut(), USER_CODE, false);
    step_instruction(&mut m);
    assert_eq!(m.cpu().eip, HANDLER);
    assert_eq!(m.cpu().cr2, COUNTER);
    assert_eq!(
        stack(&m, 2),
        [0b111, USER_CODE],
        "P | W | U, EIP at the mov"
    );
    assert_eq!(m.mem().read_u32(COUNTER), 0);
}

#[test]
fn writing_a_page_table_entry_takes_effect_immediately() {
    let (mut m, mut frames, cr3) = paged_machine();
    map_page(m.mem_mut(), &mut frames, cr3, 0x40_0000, 0x3_0000, pte::RW).expect("map");
    m.mem_mut().write_u32(0x3_0000, 1);
    m.mem_mut().write_u32(0x3_1000, 2);
    let pte_addr = m.walk(0x40_0000).pte_addr.expect("mapped");
    let mut code = vec![0xa1, 0x00, 0x00, 0x40, 0x00]; // mov 0x400000,%eax
    code.extend([0xbb]); // mov $new_pte,%ebx
    code.extend((0x3_1000 | pte::P | pte::RW).to_le_bytes());
    code.extend([0x89, 0x1d]); // mov %ebx, pte_addr
    code.extend(pte_addr.to_le_bytes());
    code.extend([0x8b, 0x0d, 0x00, 0x00, 0x40, 0x00]); // mov 0x400000,%ecx
    m.load(0x5000, &code);
    m.cpu_mut().eip = 0x5000;
    for _ in 0..4 {
        step_instruction(&mut m);
    }
    assert_eq!((m.cpu().gpr[0], m.cpu().gpr[1]), (1, 2));
}

#[test]
fn loading_cr3_switches_address_space() {
    let (mut m, mut frames, cr3a) = paged_machine();
    // Space B: same kernel mappings, 0x400000 elsewhere.
    let cr3b = frames.alloc(m.mem_mut()).expect("frame");
    for page in (0..0x1_0000).step_by(0x1000) {
        map_page(m.mem_mut(), &mut frames, cr3b, page, page, pte::RW).expect("map");
    }
    map_page(m.mem_mut(), &mut frames, cr3a, 0x40_0000, 0x3_0000, pte::RW).expect("map");
    map_page(m.mem_mut(), &mut frames, cr3b, 0x40_0000, 0x3_1000, pte::RW).expect("map");
    m.mem_mut().write_u32(0x3_0000, 10);
    m.mem_mut().write_u32(0x3_1000, 20);
    let mut code = vec![0xa1, 0x00, 0x00, 0x40, 0x00]; // mov 0x400000,%eax
    code.extend([0x0f, 0x22, 0xdb]); // mov %ebx,%cr3
    code.extend([0x8b, 0x0d, 0x00, 0x00, 0x40, 0x00]); // mov 0x400000,%ecx
    m.load(0x5000, &code);
    m.cpu_mut().eip = 0x5000;
    m.cpu_mut().gpr[3] = cr3b;
    for _ in 0..3 {
        step_instruction(&mut m);
    }
    assert_eq!(m.cpu().cr3, cr3b);
    assert_eq!((m.cpu().gpr[0], m.cpu().gpr[1]), (10, 20));
}

#[test]
fn self_modifying_code_is_seen_on_the_next_execution() {
    let (mut m, _, _) = paged_machine();
    let mut code = vec![0xb8, 5, 0, 0, 0]; // 0x5000: mov $5,%eax
    code.extend([0xc6, 0x05, 0x01, 0x50, 0x00, 0x00, 0x07]); // movb $7, 0x5001
    code.extend([0xeb, 0xf2]); // jmp 0x5000
    m.load(0x5000, &code);
    m.cpu_mut().eip = 0x5000;
    step_instruction(&mut m);
    assert_eq!(m.cpu().gpr[0], 5);
    step_instruction(&mut m);
    step_instruction(&mut m);
    step_instruction(&mut m);
    assert_eq!(m.cpu().gpr[0], 7);
}
