//! Straight-line runs of plain instructions, for bursts.
//!
//! A burst that takes each instruction from the decode cache looks it up
//! (mask, two tag compares), stores EIP, and checks the cycle limit and the
//! stop after every one: in a tight loop that is a third of the work. A
//! [`Block`] is a run of cached plain instructions that follow each other
//! in memory, ending at the first control transfer (or before a
//! non-plain instruction), copied out of the decode cache in order. A
//! burst looks up a block once, and if the whole block fits before the
//! cycle limit and holds no stop, runs its instructions back to back:
//! EIP is stored once, at the end. A block whose last instruction goes
//! back to its first (a tight loop) runs again without a lookup while the
//! checks that follow a block could only pass. Anything else runs
//! instruction by instruction as before.
//!
//! Why it is exact: a block holds copies of decode-cache entries that were
//! current under one address-space tag and generation, and carries both,
//! so it is valid exactly as long as they would have been (any write to
//! code or page tables, or change of mapping, moves the bus's code epoch
//! and with it the generation). An instruction that used the bus may have
//! moved the epoch: the burst leaves the block right after it and makes
//! the same check it makes today. A faulting instruction changed nothing,
//! so the block is left at it with EIP pointing at it, for `cpu::step`.

use iced_x86::Mnemonic;

use super::cache::{Decoded, Table};
use super::cost;
use super::uop::Uop;

/// Longest block, in instructions. Straight-line code between branches is
/// short; the bound keeps a block's copy small.
const MAX_OPS: usize = 16;

/// Number of slots; a power of two.
const SLOTS: usize = 1024;

/// A run of plain instructions, first at `eip`, in the address space and
/// cache generation of `key` (see `cache::key`).
#[derive(Debug)]
pub(crate) struct Block {
    eip: u32,
    key: u64,
    /// Bytes from `eip` to the end of the last instruction: a stop at an
    /// offset in `1..span` may lie inside the block.
    pub span: u32,
    /// Cycles the whole block can cost: every instruction's own, plus a
    /// taken branch for each that may transfer control.
    pub most: u64,
    pub ops: Box<[Decoded]>,
}

/// Blocks in a direct-mapped table by first EIP. A machine cloned for a
/// snapshot starts with none (they are rebuilt from the decode cache on
/// first use), so snapshots cost nothing for them.
#[derive(Debug, Default)]
pub(crate) struct Blocks {
    slots: Vec<Option<Block>>,
}

impl Clone for Blocks {
    fn clone(&self) -> Self {
        Blocks::default()
    }
}

impl Blocks {
    /// The block at `eip` in `table`'s space and generation, built from
    /// `table` if the slot holds another. `None` if the instruction at
    /// `eip` is not cached or not plain.
    #[inline(always)]
    pub(crate) fn at(&mut self, table: &Table, eip: u32) -> Option<&Block> {
        let slot = eip as usize & (SLOTS - 1);
        let key = table.key();
        let hit = matches!(self.slots.get(slot), Some(Some(b)) if b.eip == eip && b.key == key);
        if !hit {
            let block = build(table, eip)?;
            if self.slots.is_empty() {
                self.slots.resize_with(SLOTS, || None);
            }
            self.slots[slot] = Some(block);
        }
        self.slots[slot].as_ref()
    }
}

/// The block starting at `eip`, from the instructions cached in `table`.
#[inline(never)]
fn build(table: &Table, eip: u32) -> Option<Block> {
    let mut ops = Vec::new();
    let mut at = eip;
    let mut most = 0u64;
    while ops.len() < MAX_OPS {
        let Some(d) = table.lookup(at) else { break };
        if d.uop == Uop::Step {
            break;
        }
        ops.push(*d);
        at = d.next_eip;
        let transfers = TRANSFERS.contains(&d.mnemonic());
        most += u64::from(d.cycles)
            + if transfers {
                u64::from(cost::TAKEN_BRANCH)
            } else {
                0
            };
        if transfers {
            break;
        }
    }
    (!ops.is_empty()).then(|| Block {
        eip,
        key: table.key(),
        span: at.wrapping_sub(eip),
        most,
        ops: ops.into_boxed_slice(),
    })
}

/// The plain mnemonics (see `cache::is_plain`) that may transfer control.
const TRANSFERS: &[Mnemonic] = {
    use Mnemonic::*;
    &[
        Jo, Jno, Jb, Jae, Je, Jne, Jbe, Ja, Js, Jns, Jp, Jnp, Jl, Jge, Jle, Jg, Jmp, Call, Ret,
        Loop, Loope, Loopne, Jcxz, Jecxz,
    ]
};
