//! Address spaces (compare xv6's vm.c): the kernel half shared by every page
//! directory, user pages private to a process and shared by its threads.

use serde::{Deserialize, Serialize};

use crate::mem::{FrameAllocator, PhysMem};
use crate::mmu::{map_page, pdx, pte, MapError};

use crate::machine::Machine;

use super::layout::{p2v, KERNBASE, PAGE, PHYSTOP, TSS_PHYS};
use super::outcome::StepOutcome;
use super::proc::Tid;
use super::{ExecMode, Kernel};

/// Physical frames for the kernel: a bump allocator plus a free list, so that
/// frames of exited processes are reused (xv6's kalloc/kfree).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frames {
    bump: FrameAllocator,
    free: Vec<u32>,
}

impl Frames {
    /// Heap bytes of the free list.
    pub fn heap_bytes(&self) -> usize {
        self.free.capacity() * std::mem::size_of::<u32>()
    }

    pub fn new(start: u32, end: u32) -> Self {
        Frames {
            bump: FrameAllocator::new(start, u64::from(end)),
            free: Vec::new(),
        }
    }

    /// A zeroed frame, or `None` when memory is exhausted.
    pub fn alloc(&mut self, mem: &mut PhysMem) -> Option<u32> {
        if let Some(f) = self.free.pop() {
            mem.zero_frame(f >> 12);
            return Some(f);
        }
        self.bump.alloc(mem).ok()
    }

    pub fn free(&mut self, frame: u32) {
        self.free.push(frame & !0xfff);
    }

    pub fn available(&self) -> u64 {
        self.bump.remaining() + self.free.len() as u64
    }
}

/// Builds the kernel mappings once: KERNBASE + phys → phys for all managed
/// memory, writable, supervisor only. Returns a page directory whose upper
/// entries every new address space copies (so the page tables are shared).
pub fn setup_kernel_template(mem: &mut PhysMem, frames: &mut Frames) -> Result<u32, MapError> {
    let pgdir = frames.alloc(mem).ok_or(out_of_memory())?;
    // A page table (4 MiB) at a time, each written whole: the same frames,
    // entries and flags as `map_page` a page at a time (4,096 calls), which
    // every boot paid before the page's first screen.
    const SPAN: u32 = PAGE * 1024;
    const _: () = assert!(PHYSTOP.is_multiple_of(SPAN));
    let mut entries = [0u8; PAGE as usize];
    for base in (0..PHYSTOP).step_by(SPAN as usize) {
        let table = frames.alloc(mem).ok_or(out_of_memory())?;
        for (i, e) in entries.chunks_exact_mut(4).enumerate() {
            let phys = base + i as u32 * PAGE;
            e.copy_from_slice(&(phys | pte::RW | pte::P).to_le_bytes());
        }
        mem.write_bytes(table, &entries);
        let pde = table | pte::P | pte::RW | pte::US;
        mem.write_u32(pgdir + pdx(KERNBASE + base) * 4, pde);
    }
    Ok(pgdir)
}

/// Whether page-directory slot `pdx` maps the kernel (shared by every
/// address space); all others belong to the process, including the user
/// stack at the top of the 4 GiB space.
pub const fn is_kernel_pdx(pdx: u32) -> bool {
    pdx >= KERNBASE >> 22 && pdx < (KERNBASE + PHYSTOP) >> 22
}

/// A new page directory holding only the kernel half (copied from the template).
pub fn new_address_space(mem: &mut PhysMem, frames: &mut Frames, template: u32) -> Option<u32> {
    let pgdir = frames.alloc(mem)?;
    for pdx in (0..1024).filter(|p| is_kernel_pdx(*p)) {
        let pde = mem.read_u32(template + pdx * 4);
        mem.write_u32(pgdir + pdx * 4, pde);
    }
    Some(pgdir)
}

/// Maps fresh frames for `[lin, lin + len)` and copies `bytes` to its start.
pub fn map_user(
    mem: &mut PhysMem,
    frames: &mut Frames,
    pgdir: u32,
    lin: u32,
    len: u32,
    bytes: &[u8],
    flags: u32,
) -> Result<(), MapError> {
    let first = u64::from(lin & !0xfff);
    let last = (u64::from(lin) + u64::from(len.max(1)) - 1).min(0xffff_ffff) & !0xfff;
    for page in (first..=last).step_by(PAGE as usize) {
        let page = page as u32;
        let frame = frames.alloc(mem).ok_or(out_of_memory())?;
        map_with(mem, &mut BorrowFrames(frames), pgdir, page, frame, flags)?;
        // Copy the part of `bytes` that falls into this page.
        let lo = u64::from(page).max(u64::from(lin));
        let hi = (u64::from(page) + u64::from(PAGE)).min(u64::from(lin) + bytes.len() as u64);
        if hi > lo {
            let from = (lo - u64::from(lin)) as usize;
            let to = (hi - u64::from(lin)) as usize;
            mem.write_bytes(frame + (lo - u64::from(page)) as u32, &bytes[from..to]);
        }
    }
    Ok(())
}

/// The user pages of an address space (every slot but the kernel's): (linear page, PTE), lowest first.
pub fn user_pages(mem: &PhysMem, pgdir: u32) -> Vec<(u32, u32)> {
    let mut pages = Vec::new();
    for pdx in (0..1024).filter(|p| !is_kernel_pdx(*p)) {
        let pde = mem.read_u32(pgdir + pdx * 4);
        if pde & pte::P == 0 {
            continue;
        }
        let table = pde & pte::FRAME;
        for ptx in 0..1024 {
            let e = mem.read_u32(table + ptx * 4);
            if e & pte::P != 0 {
                pages.push((pdx << 22 | ptx << 12, e));
            }
        }
    }
    pages
}

/// `fork`'s copy of the user half (an eager copy; real kernels share pages
/// copy-on-write). Returns the child's page directory.
pub fn copy_address_space(
    mem: &mut PhysMem,
    frames: &mut Frames,
    template: u32,
    parent: u32,
) -> Option<u32> {
    let child = new_address_space(mem, frames, template)?;
    for (lin, e) in user_pages(mem, parent) {
        let Some(frame) = frames.alloc(mem) else {
            free_address_space(mem, frames, child);
            return None;
        };
        let mut buf = vec![0u8; PAGE as usize];
        mem.read_bytes(e & pte::FRAME, &mut buf);
        mem.write_bytes(frame, &buf);
        let flags = e & (pte::RW | pte::US);
        if map_with(mem, &mut BorrowFrames(frames), child, lin, frame, flags).is_err() {
            free_address_space(mem, frames, child);
            return None;
        }
    }
    Some(child)
}

/// Returns the user frames, the user page tables and the directory itself.
pub fn free_address_space(mem: &mut PhysMem, frames: &mut Frames, pgdir: u32) {
    for (_, e) in user_pages(mem, pgdir) {
        frames.free(e & pte::FRAME);
    }
    for pdx in (0..1024).filter(|p| !is_kernel_pdx(*p)) {
        let pde = mem.read_u32(pgdir + pdx * 4);
        if pde & pte::P != 0 {
            frames.free(pde & pte::FRAME);
        }
    }
    frames.free(pgdir);
}

/// Why a user buffer could not be used by a system call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadAddress(pub u32);

/// Physical address of user byte `lin`, if a user access (`write` or read) is allowed.
pub fn user_phys(mem: &PhysMem, pgdir: u32, lin: u32, write: bool) -> Result<u32, BadAddress> {
    let w = crate::mmu::walk(mem, pgdir, lin);
    let (Some(pde), Some(e), Some(phys)) = (w.pde, w.pte, w.phys) else {
        return Err(BadAddress(lin));
    };
    let user = pde & e & pte::US != 0;
    let writable = pde & e & pte::RW != 0;
    if !user || (write && !writable) {
        return Err(BadAddress(lin));
    }
    Ok(phys)
}

/// Copies `len` bytes from user memory (a system call's `copyin`).
pub fn copy_in(mem: &PhysMem, pgdir: u32, lin: u32, len: u32) -> Result<Vec<u8>, BadAddress> {
    (0..len)
        .map(|i| {
            let a = lin.checked_add(i).ok_or(BadAddress(lin))?;
            Ok(mem.read_u8(user_phys(mem, pgdir, a, false)?))
        })
        .collect()
}

/// Copies bytes to user memory (`copyout`): checks every page first, so a bad
/// buffer changes nothing.
pub fn copy_out(mem: &mut PhysMem, pgdir: u32, lin: u32, bytes: &[u8]) -> Result<(), BadAddress> {
    let mut phys = Vec::with_capacity(bytes.len());
    for i in 0..bytes.len() as u32 {
        let a = lin.checked_add(i).ok_or(BadAddress(lin))?;
        phys.push(user_phys(mem, pgdir, a, true)?);
    }
    for (p, b) in phys.into_iter().zip(bytes) {
        mem.write_u8(p, *b);
    }
    Ok(())
}

fn out_of_memory() -> MapError {
    MapError::OutOfFrames(crate::mem::OutOfFrames {
        end: u64::from(PHYSTOP),
    })
}

/// Adapts [`Frames`] to `map_page`'s need for page-table frames.
struct BorrowFrames<'a>(&'a mut Frames);

fn map_with(
    mem: &mut PhysMem,
    frames: &mut BorrowFrames<'_>,
    pgdir: u32,
    lin: u32,
    phys: u32,
    flags: u32,
) -> Result<(), MapError> {
    // map_page takes a bump allocator; give it one covering exactly one fresh
    // frame from our pool when a page table is needed.
    let pde = mem.read_u32(pgdir + (lin >> 22) * 4);
    let mut one = if pde & pte::P == 0 {
        let f = frames.0.alloc(mem).ok_or(out_of_memory())?;
        FrameAllocator::new(f, u64::from(f) + u64::from(PAGE))
    } else {
        FrameAllocator::new(0, 0)
    };
    map_page(mem, &mut one, pgdir, lin, phys, flags)
}

impl Kernel {
    /// `switchuvm()`: load `to`'s page directory into CR3 and write its
    /// kernel stack into the TSS's esp0 in memory (where the CPU finds its
    /// stack on the next trap from user mode).
    pub(super) fn switchuvm(&mut self, m: &mut Machine, to: Tid) -> StepOutcome {
        let Some(t) = self.threads.get(&to) else {
            return StepOutcome::NoSuchThread;
        };
        let Some(p) = self.procs.get(&t.pid) else {
            return StepOutcome::NoSuchProcess;
        };
        let (pgdir, esp0, pid) = (p.pgdir, p2v(t.kstack) + PAGE, t.pid);
        m.cpu_mut().cr3 = pgdir;
        m.mem_mut()
            .write_u32(TSS_PHYS + crate::cpu::segment::tss::ESP0, esp0);
        self.free_deferred(m);
        // The periodic timer keeps its period from boot (preemptive mode);
        // otherwise the idle loop's clock stops once a thread runs.
        if self.config.mode != ExecMode::Preemptive {
            m.devices_mut().timer.set_interval(0);
        }
        StepOutcome::SwitchUvm { pid, pgdir, esp0 }
    }

    pub(super) fn free_deferred(&mut self, m: &mut Machine) {
        for pgdir in std::mem::take(&mut self.to_free) {
            free_address_space(m.mem_mut(), &mut self.frames, pgdir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::layout::FREE_PHYS;
    use super::*;
    use crate::mmu::ptx;

    #[test]
    fn the_kernel_template_is_what_mapping_page_by_page_builds() {
        let (mut mem, mut frames) = (PhysMem::new(), Frames::new(FREE_PHYS, PHYSTOP));
        let pgdir = setup_kernel_template(&mut mem, &mut frames).unwrap();

        // xv6's way: mappages, a page at a time, page tables as needed.
        let (mut want_mem, mut want_frames) = (PhysMem::new(), Frames::new(FREE_PHYS, PHYSTOP));
        let want_pgdir = want_frames.alloc(&mut want_mem).unwrap();
        let mut bump = BorrowFrames(&mut want_frames);
        for phys in (0..PHYSTOP).step_by(PAGE as usize) {
            map_with(
                &mut want_mem,
                &mut bump,
                want_pgdir,
                KERNBASE + phys,
                phys,
                pte::RW,
            )
            .unwrap();
        }

        assert_eq!((pgdir, &frames), (want_pgdir, &want_frames));
        for pd in 0..1024 {
            let (pde, want_pde) = (
                mem.read_u32(pgdir + pd * 4),
                want_mem.read_u32(pgdir + pd * 4),
            );
            assert_eq!(pde, want_pde, "PDE {pd}");
            if pde & pte::P != 0 {
                for pt in 0..1024 {
                    let at = (pde & pte::FRAME) + pt * 4;
                    assert_eq!(mem.read_u32(at), want_mem.read_u32(at), "PTE {pd}.{pt}");
                }
            }
        }
        // Spot check: the last page of physical memory, read through the kernel half.
        let lin = KERNBASE + PHYSTOP - PAGE;
        let pde = mem.read_u32(pgdir + pdx(lin) * 4);
        let pte = mem.read_u32((pde & pte::FRAME) + ptx(lin) * 4);
        assert_eq!(pte, (PHYSTOP - PAGE) | pte::RW | pte::P);
    }
}
