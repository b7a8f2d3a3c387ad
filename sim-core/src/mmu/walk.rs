//! Page walks: the recorded one the UI shows and the one the hardware does.

use serde::{Deserialize, Serialize};

use super::{pdx, pte, ptx};
use crate::bus::AccessCtx;
use crate::mem::{PhysMem, PAGE_MASK};
use crate::trap::{pf, Exception};

/// Which table a walk step reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WalkLevel {
    Directory,
    Table,
}

/// Why a recorded walk stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WalkFault {
    /// The entry at this level has P = 0.
    NotPresent(WalkLevel),
}

/// Every step of translating one linear address, for display.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Walk {
    pub lin: u32,
    pub cr3: u32,
    /// Page-directory index, bits 31..22.
    pub pdx: u32,
    /// Page-table index, bits 21..12.
    pub ptx: u32,
    /// Byte within the page, bits 11..0.
    pub offset: u32,
    /// Physical address of the PDE: CR3 frame + 4 × PDX.
    pub pde_addr: u32,
    pub pde: Option<u32>,
    /// Physical address of the PTE (if the PDE is present).
    pub pte_addr: Option<u32>,
    pub pte: Option<u32>,
    /// The frame's physical address (if the PTE is present).
    pub frame: Option<u32>,
    pub phys: Option<u32>,
    pub fault: Option<WalkFault>,
}

/// Walks the tables for `lin` under `cr3` without changing anything (no A/D
/// updates, no protection checks: those depend on the access).
pub fn walk(mem: &PhysMem, cr3: u32, lin: u32) -> Walk {
    let pde_addr = (cr3 & pte::FRAME) | pdx(lin) << 2;
    let pde = mem.read_u32(pde_addr);
    let mut w = Walk {
        lin,
        cr3,
        pdx: pdx(lin),
        ptx: ptx(lin),
        offset: lin & PAGE_MASK,
        pde_addr,
        pde: Some(pde),
        pte_addr: None,
        pte: None,
        frame: None,
        phys: None,
        fault: None,
    };
    if pde & pte::P == 0 {
        w.fault = Some(WalkFault::NotPresent(WalkLevel::Directory));
        return w;
    }
    let pte_addr = (pde & pte::FRAME) | ptx(lin) << 2;
    let entry = mem.read_u32(pte_addr);
    w.pte_addr = Some(pte_addr);
    w.pte = Some(entry);
    if entry & pte::P == 0 {
        w.fault = Some(WalkFault::NotPresent(WalkLevel::Table));
        return w;
    }
    w.frame = Some(entry & pte::FRAME);
    w.phys = Some((entry & pte::FRAME) | (lin & PAGE_MASK));
    w
}

/// The kind of access being translated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// A successful hardware translation, with the combined rights of both levels
/// (what a TLB entry caches).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Translation {
    pub phys: u32,
    /// Physical address of the page directory frame and of the page-table frame
    /// used: writes to either must invalidate cached translations.
    pub pd_frame: u32,
    pub pt_frame: u32,
    /// U/S = 1 in both PDE and PTE.
    pub user: bool,
    /// R/W = 1 in both PDE and PTE.
    pub writable: bool,
    /// The PTE's D bit is set (after this access).
    pub dirty: bool,
}

/// Whether an access with these rights is allowed (Intel SDM vol. 3, 4.6.1):
/// user accesses need U/S in both levels; user writes need R/W in both levels;
/// supervisor writes need R/W only when CR0.WP = 1.
pub(crate) fn allowed(ctx: AccessCtx, access: Access, user: bool, writable: bool) -> bool {
    if ctx.user && !user {
        return false;
    }
    match access {
        Access::Read => true,
        Access::Write => writable || (!ctx.user && !ctx.write_protect),
    }
}

/// The page-fault error code for this access (P set for a protection violation).
pub(crate) fn fault(lin: u32, ctx: AccessCtx, access: Access, present: bool) -> Exception {
    let mut code = 0;
    if present {
        code |= pf::P;
    }
    if access == Access::Write {
        code |= pf::W;
    }
    if ctx.user {
        code |= pf::U;
    }
    Exception::PageFault { addr: lin, code }
}

/// The hardware walk for one access under `ctx` (paging assumed on): checks
/// presence and protection, then sets A in both entries and, on a write, D in
/// the PTE, writing them back to memory as the processor does. A faulting
/// walk changes nothing (the SDM allows A to be set on the PDE of a faulting
/// walk; we keep the simpler rule).
pub fn translate(
    mem: &mut PhysMem,
    ctx: AccessCtx,
    lin: u32,
    access: Access,
) -> Result<Translation, Exception> {
    let pde_addr = (ctx.cr3 & pte::FRAME) | pdx(lin) << 2;
    let pde = mem.read_u32(pde_addr);
    if pde & pte::P == 0 {
        return Err(fault(lin, ctx, access, false));
    }
    let pte_addr = (pde & pte::FRAME) | ptx(lin) << 2;
    let entry = mem.read_u32(pte_addr);
    if entry & pte::P == 0 {
        return Err(fault(lin, ctx, access, false));
    }
    let user = pde & entry & pte::US != 0;
    let writable = pde & entry & pte::RW != 0;
    if !allowed(ctx, access, user, writable) {
        return Err(fault(lin, ctx, access, true));
    }
    if pde & pte::A == 0 {
        mem.write_u32(pde_addr, pde | pte::A);
    }
    let mut new_pte = entry | pte::A;
    if access == Access::Write {
        new_pte |= pte::D;
    }
    if new_pte != entry {
        mem.write_u32(pte_addr, new_pte);
    }
    Ok(Translation {
        phys: (entry & pte::FRAME) | (lin & PAGE_MASK),
        pd_frame: ctx.cr3 & pte::FRAME,
        pt_frame: pde & pte::FRAME,
        user,
        writable,
        dirty: new_pte & pte::D != 0,
    })
}

/// Whether `access` at `lin` would succeed, without setting A/D bits: the
/// same checks as [`translate`], for probing a write before making it.
pub fn check(mem: &PhysMem, ctx: AccessCtx, lin: u32, access: Access) -> Result<(), Exception> {
    let w = walk(mem, ctx.cr3, lin);
    let (Some(pde), Some(entry)) = (w.pde, w.pte) else {
        return Err(fault(lin, ctx, access, false));
    };
    if w.fault.is_some() {
        return Err(fault(lin, ctx, access, false));
    }
    let (user, writable) = (pde & entry & pte::US != 0, pde & entry & pte::RW != 0);
    if allowed(ctx, access, user, writable) {
        Ok(())
    } else {
        Err(fault(lin, ctx, access, true))
    }
}
