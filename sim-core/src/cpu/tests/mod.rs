//! Unit tests of `step`, one module per instruction group, on a flat test bus.
//! Programs are raw machine code (with the AT&T source in a comment), so these tests
//! do not depend on the assembler.

mod arith;
mod control;
mod data;
mod segment;
mod system;

use super::{step, Cpu, DecodeCache, Retired};
use crate::bus::{AccessCtx, Bus, ReadKind, Size};
use crate::trap::{pf, Exception};

/// Where test programs are loaded.
pub const CODE: u32 = 0x1000;
/// Top of the test stack.
pub const STACK_TOP: u32 = 0x8000;
/// A data area.
pub const DATA: u32 = 0x4000;
/// xv6's GDT ([`crate::cpu::segment::xv6_gdt`]), with its TSS at [`TSS`].
pub const GDT: u32 = 0x0100;
pub const TSS: u32 = 0x0200;

/// 64 KiB of flat memory from address 0; everything above is unmapped (#PF), and
/// addresses in `read_only` fault on write. Ports: `in` returns `port_value`, `out`
/// is logged.
pub struct TestBus {
    pub mem: Vec<u8>,
    pub read_only: std::ops::Range<u32>,
    pub port_value: u32,
    pub port_log: Vec<(u16, Size, u32)>,
    pub epoch: Option<u64>,
}

impl TestBus {
    pub fn new() -> Self {
        TestBus {
            mem: vec![0; 0x10000],
            read_only: 0..0,
            port_value: 0,
            port_log: Vec::new(),
            epoch: Some(0),
        }
    }
    pub fn load(&mut self, at: u32, bytes: &[u8]) {
        self.mem[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
    }
    pub fn peek(&self, at: u32, size: Size) -> u32 {
        (0..size.bytes())
            .rev()
            .fold(0, |v, k| v << 8 | u32::from(self.mem[(at + k) as usize]))
    }
    fn check(&self, ctx: AccessCtx, lin: u32, size: Size, write: bool) -> Result<(), Exception> {
        let user = if ctx.user { pf::U } else { 0 };
        let w = if write { pf::W } else { 0 };
        for k in 0..size.bytes() {
            let a = lin.wrapping_add(k);
            if a as usize >= self.mem.len() {
                return Err(Exception::PageFault {
                    addr: a,
                    code: w | user,
                });
            }
            if write && self.read_only.contains(&a) {
                return Err(Exception::PageFault {
                    addr: a,
                    code: pf::P | w | user,
                });
            }
        }
        Ok(())
    }
}

impl Bus for TestBus {
    fn read(
        &mut self,
        ctx: AccessCtx,
        lin: u32,
        size: Size,
        _: ReadKind,
    ) -> Result<u32, Exception> {
        self.check(ctx, lin, size, false)?;
        Ok(self.peek(lin, size))
    }
    fn write(&mut self, ctx: AccessCtx, lin: u32, size: Size, value: u32) -> Result<(), Exception> {
        self.check(ctx, lin, size, true)?;
        for k in 0..size.bytes() {
            self.mem[(lin + k) as usize] = (value >> (8 * k)) as u8;
        }
        if let Some(e) = self.epoch.as_mut() {
            *e += 1;
        }
        Ok(())
    }
    fn port_in(&mut self, _: u16, size: Size) -> u32 {
        self.port_value & size.mask()
    }
    fn port_out(&mut self, port: u16, size: Size, value: u32) {
        self.port_log.push((port, size, value));
    }
    fn code_epoch(&self) -> Option<u64> {
        self.epoch
    }
    fn probe_write(&mut self, ctx: AccessCtx, lin: u32, size: Size) -> Result<(), Exception> {
        self.check(ctx, lin, size, true)
    }
}

/// A machine with `code` at [`CODE`], ESP at [`STACK_TOP`], ring 0.
pub struct Rig {
    pub cpu: Cpu,
    pub bus: TestBus,
    pub cache: DecodeCache,
}

impl Rig {
    pub fn new(code: &[u8]) -> Self {
        let mut bus = TestBus::new();
        bus.load(CODE, code);
        for (k, d) in crate::cpu::segment::xv6_gdt(TSS).iter().enumerate() {
            bus.load(GDT + 8 * k as u32, &d.to_le_bytes());
        }
        // No I/O bitmap: the map base lies beyond the TSS limit.
        bus.load(TSS + 0x66, &0xffffu16.to_le_bytes());
        let mut cpu = Cpu {
            eip: CODE,
            gdtr: crate::cpu::TableReg {
                base: GDT,
                limit: 6 * 8 - 1,
            },
            ..Cpu::default()
        };
        cpu.gpr[4] = STACK_TOP;
        crate::cpu::segment::load_tr(&mut cpu, &mut bus, super::selector::TSS)
            .expect("the test GDT has a TSS");
        Rig {
            cpu,
            bus,
            cache: DecodeCache::default(),
        }
    }
    /// Switch to ring 3 (user code and stack selectors, IF set as in user mode).
    pub fn user(mut self) -> Self {
        self.cpu.seg.cs = super::selector::USER_CODE;
        self.cpu.seg.ss = super::selector::USER_DATA;
        self.cpu.seg.ds = super::selector::USER_DATA;
        self.cpu.seg.es = super::selector::USER_DATA;
        self.cpu.data_dpl = [3, 3, 0, 0];
        self.cpu.eflags |= super::flags::IF;
        self
    }
    pub fn step(&mut self) -> Result<Retired, Exception> {
        step(&mut self.cpu, &mut self.bus, &mut self.cache)
    }
    /// Step `n` instructions, panicking (test failure) on a fault.
    pub fn run(&mut self, n: usize) -> &mut Self {
        for k in 0..n {
            if let Err(e) = self.step() {
                panic!("instruction {k} at {:#x} faulted: {e}", self.cpu.eip);
            }
        }
        self
    }
    /// Step once, expecting `exc`, and check nothing changed.
    pub fn expect_fault(&mut self, exc: Exception) {
        let (cpu, mem) = (self.cpu.clone(), self.bus.mem.clone());
        assert_eq!(self.step(), Err(exc));
        assert_eq!(self.cpu, cpu, "a faulting instruction changed the CPU");
        assert!(self.bus.mem == mem, "a faulting instruction changed memory");
    }
}
