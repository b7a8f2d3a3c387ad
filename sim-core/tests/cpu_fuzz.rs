//! Fuzzing the decoder and executor: any bytes, any register file, in ring 0
//! with paging off (so every privileged instruction is reachable) — the CPU
//! either executes or raises an exception, it never panics or hangs.

use proptest::prelude::*;
use sim_core::machine::{ExceptionPolicy, Machine};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_bytes_run_without_panic(
        code in proptest::collection::vec(any::<u8>(), 1..96),
        regs in proptest::array::uniform8(any::<u32>()),
        eflags in any::<u32>(),
    ) {
        let mut m = Machine::new();
        m.load(0x1000, &code);
        m.set_exception_policy(ExceptionPolicy::Stop);
        let cpu = m.cpu_mut();
        cpu.gpr = regs;
        cpu.eip = 0x1000;
        cpu.eflags = (eflags & sim_core::cpu::flags::MODELED) | sim_core::cpu::flags::RESERVED1;
        m.run(3_000);
        for _ in 0..200 {
            m.step();
        }
        prop_assert!(m.cycle() <= 3_200);
    }
}
