//! The IA-32 subset: fetch → decode → execute, one instruction at a time.
//!
//! [`step`] fetches the bytes at CS:EIP through the [`Bus`] (every segment is
//! flat, see [`segment`], so the linear address is EIP), decodes them with iced-x86 (cached in a
//! [`DecodeCache`]), executes them with the semantics of the Intel SDM and moves
//! EIP. Faults come back as `Err(Exception)` with the CPU unchanged and EIP still at
//! the faulting instruction, so `trap` can deliver them and the handler can restart
//! the instruction.
//!
//! Modules: [`alu`] (pure arithmetic and flags), `operand` (register/memory/
//! immediate operands), `cond` (condition codes), `exec` (one function per
//! instruction group), [`cost`] (the cycle table), `cache` (fetch and decode).
//!
//! ```
//! use sim_core::bus::{AccessCtx, Bus, ReadKind, Size};
//! use sim_core::cpu::{step, Cpu, DecodeCache, Effect, Reg};
//! use sim_core::trap::Exception;
//!
//! struct Flat(Vec<u8>);
//! impl Bus for Flat {
//!     fn read(&mut self, _: AccessCtx, lin: u32, size: Size, _: ReadKind) -> Result<u32, Exception> {
//!         let mut v = 0;
//!         for k in (0..size.bytes()).rev() {
//!             v = v << 8 | u32::from(*self.0.get((lin + k) as usize).ok_or(Exception::GeneralProtection(0))?);
//!         }
//!         Ok(v)
//!     }
//!     fn write(&mut self, _: AccessCtx, lin: u32, size: Size, v: u32) -> Result<(), Exception> {
//!         for k in 0..size.bytes() {
//!             *self.0.get_mut((lin + k) as usize).ok_or(Exception::GeneralProtection(0))? = (v >> (8 * k)) as u8;
//!         }
//!         Ok(())
//!     }
//!     fn port_in(&mut self, _: u16, _: Size) -> u32 { 0 }
//!     fn port_out(&mut self, _: u16, _: Size, _: u32) {}
//! }
//!
//! // mov $5, %eax ; add %eax, %eax ; hlt
//! let mut bus = Flat(vec![0xb8, 5, 0, 0, 0, 0x01, 0xc0, 0xf4]);
//! let (mut cpu, mut cache) = (Cpu::default(), DecodeCache::default());
//! step(&mut cpu, &mut bus, &mut cache).unwrap();
//! step(&mut cpu, &mut bus, &mut cache).unwrap();
//! assert_eq!(cpu.reg(Reg::Eax), 10);
//! assert_eq!(step(&mut cpu, &mut bus, &mut cache).unwrap().effect, Effect::Halt);
//! ```

pub mod alu;
mod block;
mod burst;
mod cache;
mod cond;
pub mod cost;
mod exec;
mod lazy;
pub(crate) mod operand;
pub mod segment;
pub mod state;
#[cfg(test)]
mod tests;
mod uop;

pub(crate) use burst::{burst, Burst, BurstEnd};
pub use cache::DecodeCache;
pub use state::{cr0, flags, selector, Cpu, Reg, Segments, TableReg};

use crate::bus::Bus;
use crate::trap::Exception;
use exec::FlowKind;

/// Execute one instruction at CS:EIP.
///
/// On success EIP points at the next instruction (or the branch target) and the
/// returned [`Retired`] says what else the machine must do ([`Effect`]). On a fault
/// the CPU and memory are exactly as before the instruction (EIP at it), and the
/// exception is returned for `trap` to deliver. Instructions outside the modelled
/// subset are [`Exception::InvalidOpcode`].
#[inline]
pub fn step(
    cpu: &mut Cpu,
    bus: &mut impl Bus,
    cache: &mut DecodeCache,
) -> Result<Retired, Exception> {
    let decoded = cache.fetch(cpu, bus)?;
    let instr = &decoded.instr;
    let eip = cpu.eip;
    let mut cycles = decoded.cycles;
    let mut effect = Effect::None;
    let flow = exec::execute(cpu, bus, decoded)?;
    cpu.eip = match flow.kind {
        FlowKind::Next => decoded.next_eip,
        FlowKind::Jump => flow.target,
        FlowKind::Iret => {
            effect = Effect::Iret;
            flow.target
        }
        FlowKind::Taken => {
            cycles += cost::TAKEN_BRANCH;
            flow.target
        }
        FlowKind::SoftInt => {
            effect = Effect::SoftInt(flow.target as u8);
            instr.next_ip32()
        }
        FlowKind::Halt => {
            cpu.halted = true;
            effect = Effect::Halt;
            instr.next_ip32()
        }
    };
    Ok(Retired {
        eip,
        len: instr.len() as u8,
        cycles,
        effect,
    })
}

/// What an instruction asks of the machine once it has retired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing beyond its changes to registers and memory.
    None,
    /// `int n`: EIP already points past the instruction; `trap` delivers vector n
    /// (with the gate's DPL check).
    SoftInt(u8),
    /// `hlt`: the CPU waits for an interrupt.
    Halt,
    /// `iret` returned (EIP, and the ring, are already the ones popped): the
    /// machine reports the return and any change of ring.
    Iret,
}

/// One executed instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retired {
    /// Address (linear) of the instruction.
    pub eip: u32,
    /// Its length in bytes.
    pub len: u8,
    /// Cycles it costs (see the cost table in this module's docs).
    pub cycles: u32,
    pub effect: Effect,
}
