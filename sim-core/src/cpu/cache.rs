//! Fetch and decode, with a decoded-instruction cache.
//!
//! Decoding x86 is the most expensive part of a step, and a program spends its time
//! in loops, so decoded instructions are kept in a direct-mapped table indexed by
//! the low bits of the linear EIP and tagged with (EIP, CR3, CPL). The table is
//! flushed whenever [`Bus::code_epoch`] changes (a write to memory that may hold
//! code or page tables, or a change of mapping), and bypassed when the bus returns
//! `None`. A hit means the same bytes were fetched successfully under the same
//! mapping and privilege, so skipping the fetch cannot hide a fault.

use iced_x86::{Code, Decoder, DecoderError, DecoderOptions, Instruction, Mnemonic, OpKind};

use super::block::Blocks;
use super::cost;
use super::operand::Predecoded;
use super::state::Cpu;
use super::uop::Uop;
use crate::bus::{Bus, ReadKind, Size};
use crate::trap::Exception;

/// Longest x86 instruction (SDM vol. 2, 2.3.11): longer ones are #GP, but iced
/// reports them as invalid, which we map to #UD.
const MAX_INSN_LEN: usize = 15;

/// Number of entries; a power of two.
const ENTRIES: usize = 1024;

/// A decoded instruction, its operands as execution needs them, and its base
/// cycle cost. Derefs to the iced [`Instruction`].
#[derive(Clone, Copy, Debug)]
pub struct Decoded {
    pub instr: Instruction,
    pub pre: Predecoded,
    pub cycles: u32,
    /// iced derives the mnemonic from the opcode through a table on every
    /// call; execution dispatches on it, so it is looked up once here.
    mnemonic: Mnemonic,
    /// Address of the next instruction (EIP after a fall-through).
    pub next_eip: u32,
    /// What a burst executes: [`Uop::Step`] unless the instruction is
    /// plain (see [`super::burst`]: at most a near transfer, no port
    /// access, no change of IF, CPL, CR0/CR3 or segments).
    pub(crate) uop: Uop,
}

impl Decoded {
    pub fn new(instr: Instruction) -> Self {
        let pre = Predecoded::new(&instr);
        Decoded {
            cycles: cost::base_cycles(&instr),
            uop: if is_plain(&instr) {
                Uop::new(&instr, &pre)
            } else {
                Uop::Step
            },
            pre,
            mnemonic: instr.mnemonic(),
            next_eip: instr.next_ip32(),
            instr,
        }
    }

    /// The instruction's mnemonic (shadows [`Instruction::mnemonic`]).
    #[inline(always)]
    pub fn mnemonic(&self) -> Mnemonic {
        self.mnemonic
    }
}

impl std::ops::Deref for Decoded {
    type Target = Instruction;
    fn deref(&self) -> &Instruction {
        &self.instr
    }
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    eip: u32,
    /// The address space and generation the entry was cached in, in one
    /// word so that a lookup compares two tags, not three (see [`key`]).
    key: u64,
    decoded: Decoded,
}

/// An entry's key: the address space (see [`space_of`]) and the cache's
/// generation.
#[inline(always)]
fn key(space: u32, generation: u32) -> u64 {
    u64::from(generation) << 32 | u64::from(space)
}

/// Cache of decoded instructions keyed by (CR3, CPL, linear EIP).
#[derive(Clone, Debug, Default)]
pub struct DecodeCache {
    /// Allocated on first use, so an unused cache (and its clones) cost nothing.
    /// Shared copy-on-write: cloning a machine for a snapshot costs a
    /// pointer, and the live cache copies its table on its next miss.
    entries: std::sync::Arc<[Entry]>,
    /// Entries from an older generation are stale; bumping it flushes in O(1).
    generation: u32,
    epoch: Option<u64>,
    hits: u64,
    misses: u64,
    /// The last instruction decoded while caching is off (`code_epoch` is `None`).
    uncached: Option<Decoded>,
    /// Runs of cached instructions, for bursts.
    blocks: Blocks,
}

impl DecodeCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget every cached instruction.
    pub fn flush(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // After wrap-around old entries could look current again.
            self.entries = std::sync::Arc::from(Vec::new());
            self.blocks = Blocks::default();
        }
    }

    /// (hits, misses) since creation, for the performance panel and benchmarks.
    pub fn stats(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }

    /// The instruction at CS:EIP, from the cache or fetched through the bus.
    /// Returns a reference into the table (copying the 40-byte instruction out costs
    /// measurably in the hot loop).
    #[inline(always)]
    pub(crate) fn fetch(&mut self, cpu: &Cpu, bus: &mut impl Bus) -> Result<&Decoded, Exception> {
        let epoch = bus.code_epoch();
        if epoch.is_none() {
            self.misses += 1;
            self.uncached = Some(fetch_decode(cpu, bus)?);
            return self.uncached.as_ref().ok_or(Exception::InvalidOpcode);
        }
        self.sync(epoch);
        let eip = cpu.eip;
        let space = space_of(cpu);
        let slot = eip as usize & (ENTRIES - 1);
        if self.lookup(eip, space).is_some() {
            self.hits += 1;
            return Ok(&self.entries[slot].decoded);
        }
        self.misses += 1;
        let decoded = fetch_decode(cpu, bus)?;
        if self.entries.is_empty() {
            let blank = Entry {
                eip: 0,
                key: key(0, self.generation.wrapping_sub(1)),
                decoded,
            };
            self.entries = std::sync::Arc::from(vec![blank; ENTRIES]);
        }
        std::sync::Arc::make_mut(&mut self.entries)[slot] = Entry {
            eip,
            key: key(space, self.generation),
            decoded,
        };
        Ok(&self.entries[slot].decoded)
    }

    /// Flushes the table if the bus's code epoch moved on; returns whether
    /// it did. Callers compare epochs first, so this stays out of line.
    pub(crate) fn sync(&mut self, epoch: Option<u64>) -> bool {
        if epoch == self.epoch {
            return false;
        }
        self.epoch = epoch;
        self.flush();
        true
    }

    /// The epoch the table is current for (`None`: caching is off).
    #[inline(always)]
    pub(crate) fn epoch(&self) -> Option<u64> {
        self.epoch
    }

    /// The cached instruction at `eip` in `space` (see [`space_of`]), if any;
    /// only valid right after [`DecodeCache::sync`] with the bus's epoch.
    #[inline(always)]
    pub(crate) fn lookup(&self, eip: u32, space: u32) -> Option<&Decoded> {
        let e = self.entries.get(eip as usize & (ENTRIES - 1))?;
        if e.eip == eip && e.key == key(space, self.generation) {
            Some(&e.decoded)
        } else {
            None
        }
    }

    /// The table as it stands, for a burst (which only reads it) in one
    /// address space: lookups without a bounds check, the key computed
    /// once; and the blocks built from it. `None` while the table is not
    /// allocated.
    #[inline(always)]
    pub(crate) fn table(&mut self, space: u32) -> Option<(Table<'_>, &mut Blocks)> {
        let table = Table {
            entries: self.entries.as_ref().try_into().ok()?,
            key: key(space, self.generation),
        };
        Some((table, &mut self.blocks))
    }

    /// Counts hits made through [`DecodeCache::lookup`] by a burst.
    #[inline(always)]
    pub(crate) fn count_hits(&mut self, n: u64) {
        self.hits += n;
    }
}

/// A read-only view of the cache's table (see [`DecodeCache::table`]).
pub(crate) struct Table<'a> {
    entries: &'a [Entry; ENTRIES],
    key: u64,
}

impl<'a> Table<'a> {
    /// As [`DecodeCache::lookup`], in the table's address space.
    #[inline(always)]
    pub(crate) fn lookup(&self, eip: u32) -> Option<&'a Decoded> {
        let e = &self.entries[eip as usize & (ENTRIES - 1)];
        (e.eip == eip && e.key == self.key).then_some(&e.decoded)
    }

    /// The address space and generation the table's lookups match.
    #[inline(always)]
    pub(crate) fn key(&self) -> u64 {
        self.key
    }
}

/// The tag of an address space: CR3 with the CPL in its low two bits (CR3 is
/// page aligned).
#[inline(always)]
pub(crate) fn space_of(cpu: &Cpu) -> u32 {
    (cpu.cr3 & !3) | u32::from(cpu.cpl())
}

/// Whether `instr` may run in a burst: its only effects are on general
/// registers, arithmetic flags and memory, and at most a near transfer; no
/// LOCK prefix (whose #UD check bursts skip).
/// Anything else (ports, `int`, `iret`, `hlt`, flag instructions, `popf`,
/// moves to control or segment registers, far transfers, and any
/// instruction not listed) goes through [`super::step`] one at a time.
fn is_plain(instr: &Instruction) -> bool {
    let far = matches!(
        instr.code(),
        Code::Jmp_ptr1616
            | Code::Jmp_ptr1632
            | Code::Jmp_m1616
            | Code::Jmp_m1632
            | Code::Call_ptr1616
            | Code::Call_ptr1632
            | Code::Call_m1616
            | Code::Call_m1632
    );
    // Register operands must be general registers (not CRn, segment
    // registers…).
    PLAIN.contains(&instr.mnemonic())
        && !far
        && !instr.has_lock_prefix()
        && (0..instr.op_count()).all(|i| {
            instr.op_kind(i) != OpKind::Register
                || super::operand::gpr(instr.op_register(i)).is_some()
        })
}

/// The mnemonics [`is_plain`] admits (with general-register operands).
const PLAIN: &[Mnemonic] = {
    use Mnemonic::*;
    &[
        Add, Or, Adc, Sbb, And, Sub, Xor, Cmp, Test, Inc, Dec, Neg, Not, Shl, Sal, Shr, Sar, Rol,
        Ror, Mul, Imul, Div, Idiv, Bt, Bts, Btr, Btc, Cbw, Cwde, Cwd, Cdq, Mov, Movzx, Movsx, Lea,
        Xchg, Nop, Push, Pop, Pushad, Pusha, Popad, Popa, Pushfd, Pushf, Leave, Seto, Setno, Setb,
        Setae, Sete, Setne, Setbe, Seta, Sets, Setns, Setp, Setnp, Setl, Setge, Setle, Setg, Cmovo,
        Cmovno, Cmovb, Cmovae, Cmove, Cmovne, Cmovbe, Cmova, Cmovs, Cmovns, Cmovp, Cmovnp, Cmovl,
        Cmovge, Cmovle, Cmovg, Jo, Jno, Jb, Jae, Je, Jne, Jbe, Ja, Js, Jns, Jp, Jnp, Jl, Jge, Jle,
        Jg, Jmp, Call, Ret, Loop, Loope, Loopne, Jcxz, Jecxz,
    ]
};

/// Fetch the instruction at EIP one byte at a time, decoding after each byte, so
/// that only the bytes the instruction really occupies are read: an instruction
/// that ends just before an unmapped page must not fault on it.
fn fetch_decode(cpu: &Cpu, bus: &mut impl Bus) -> Result<Decoded, Exception> {
    let mut bytes = [0u8; MAX_INSN_LEN];
    let ctx = cpu.access_ctx();
    for n in 1..=MAX_INSN_LEN {
        let lin = cpu.eip.wrapping_add(n as u32 - 1);
        bytes[n - 1] = bus.read(ctx, lin, Size::Byte, ReadKind::Fetch)? as u8;
        let mut decoder =
            Decoder::with_ip(32, &bytes[..n], u64::from(cpu.eip), DecoderOptions::NONE);
        let instr = decoder.decode();
        match decoder.last_error() {
            DecoderError::NoMoreBytes => continue,
            DecoderError::None if instr.code() != Code::INVALID => return Ok(Decoded::new(instr)),
            _ => return Err(Exception::InvalidOpcode),
        }
    }
    Err(Exception::InvalidOpcode)
}
