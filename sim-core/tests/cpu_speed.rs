//! Throughput of `cpu::step` on a tight ALU loop with the decode cache.
//! Run: `cargo test -p sim-core --release --test cpu_speed -- --ignored --nocapture`
//! (target: ≥ 100 M instructions/s in release; the debug build only checks that
//! the loop runs and the cache hits).

use std::time::Instant;

use sim_core::bus::{AccessCtx, Bus, ReadKind, Size};
use sim_core::cpu::{step, Cpu, DecodeCache, Reg};
use sim_core::trap::Exception;

/// 4 KiB of flat memory from 0; the cache stays valid (epoch never changes).
struct Ram(Vec<u8>);

impl Bus for Ram {
    #[inline]
    fn read(&mut self, _: AccessCtx, lin: u32, size: Size, _: ReadKind) -> Result<u32, Exception> {
        let a = lin as usize;
        let b = self
            .0
            .get(a..a + size.bytes() as usize)
            .ok_or(Exception::GeneralProtection(0))?;
        Ok(b.iter().rev().fold(0, |v, &x| (v << 8) | u32::from(x)))
    }
    #[inline]
    fn write(&mut self, _: AccessCtx, lin: u32, size: Size, value: u32) -> Result<(), Exception> {
        let a = lin as usize;
        let b = self
            .0
            .get_mut(a..a + size.bytes() as usize)
            .ok_or(Exception::GeneralProtection(0))?;
        for (k, x) in b.iter_mut().enumerate() {
            *x = (value >> (8 * k)) as u8;
        }
        Ok(())
    }
    fn port_in(&mut self, _: u16, _: Size) -> u32 {
        0
    }
    fn port_out(&mut self, _: u16, _: Size, _: u32) {}
    fn code_epoch(&self) -> Option<u64> {
        Some(0)
    }
}

/// 1: addl %ecx,%eax ; xorl %eax,%ebx ; subl $3,%edx ; decl %ecx ; jnz 1b
const LOOP: [u8; 10] = [0x01, 0xc8, 0x31, 0xc3, 0x83, 0xea, 0x03, 0x49, 0x75, 0xf6];

fn run(iterations: u32) -> (u64, f64) {
    let mut ram = Ram(vec![0; 4096]);
    ram.0[..LOOP.len()].copy_from_slice(&LOOP);
    let mut cpu = Cpu::default();
    cpu.set_reg(Reg::Ecx, iterations);
    let mut cache = DecodeCache::default();
    let end = LOOP.len() as u32;
    let start = Instant::now();
    let mut n = 0u64;
    while cpu.eip != end {
        if step(&mut cpu, &mut ram, &mut cache).is_err() {
            panic!("fault at {:#x}", cpu.eip);
        }
        n += 1;
    }
    (n, start.elapsed().as_secs_f64())
}

#[test]
fn tight_loop_runs_from_the_cache() {
    let (n, _) = run(1000);
    assert_eq!(n, 5000);
}

#[test]
#[ignore = "benchmark: run in release"]
fn tight_loop_throughput() {
    let (n, secs) = run(20_000_000);
    let mips = n as f64 / secs / 1e6;
    eprintln!("{n} instructions in {secs:.3} s: {mips:.1} M instructions/s");
}
