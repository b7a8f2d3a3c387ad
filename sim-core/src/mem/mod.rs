//! Physical memory: the full 4 GiB physical address space, sparse and
//! copy-on-write at 4 KiB page granularity.
//!
//! Untouched pages read as zero and cost nothing. Pages live behind `Rc`s in a
//! three-level radix table (64 × 128 × 128 pages), and the root itself is
//! shared, so cloning a [`PhysMem`] (a snapshot) costs one reference count.
//! The first write to a page after a clone copies the page and the small
//! nodes on its path (`Rc::make_mut`: 4 KiB + 2.5 KiB), which is what each
//! snapshot ends up costing per page written after it.

// `Rc`, not `Arc`: the machine lives on one thread, and `make_mut` on every
// write would otherwise be an atomic compare-and-swap per level.
use std::rc::Rc;

mod share;
pub use share::PackedPage;

/// Bytes in a page (and in a page frame).
pub const PAGE_SIZE: usize = 4096;
/// `addr >> PAGE_SHIFT` is the frame (or virtual page) number.
pub const PAGE_SHIFT: u32 = 12;
/// Low bits of an address that select the byte within its page.
pub const PAGE_MASK: u32 = 0xfff;

type Page = [u8; PAGE_SIZE];
/// Frame number bits: 6 (root) + 7 (middle) + 7 (leaf) = 20.
const LEAF_BITS: u32 = 7;
const MID_BITS: u32 = 7;
const LEAF_LEN: usize = 1 << LEAF_BITS;
const MID_LEN: usize = 1 << MID_BITS;
const ROOT_LEN: usize = 1 << (20 - LEAF_BITS - MID_BITS);
/// Frames under one middle node.
const MID_SPAN: u32 = 1 << (LEAF_BITS + MID_BITS);
type Leaf = [Option<Rc<Page>>; LEAF_LEN];
type Mid = [Option<Rc<Leaf>>; MID_LEN];
type Root = [Option<Rc<Mid>>; ROOT_LEN];
/// The two reference counts in front of every `Rc` allocation.
const RC_HEADER: usize = 2 * std::mem::size_of::<usize>();

#[inline(always)]
fn split(frame: u32) -> (usize, usize, usize) {
    let frame = frame as usize;
    (
        (frame >> (LEAF_BITS + MID_BITS)) & (ROOT_LEN - 1),
        (frame >> LEAF_BITS) & (MID_LEN - 1),
        frame & (LEAF_LEN - 1),
    )
}

/// `Rc::make_mut` with its copying path out of line: inlined, it gave
/// every write (`frame_mut`) a kilobyte of stack frame to set up.
#[inline(always)]
fn own<T: Clone>(rc: &mut Rc<T>) -> &mut T {
    if Rc::get_mut(rc).is_none() {
        unshare(rc);
    }
    match Rc::get_mut(rc) {
        Some(x) => x,
        None => unreachable!("unshared above"),
    }
}

#[cold]
#[inline(never)]
fn unshare<T: Clone>(rc: &mut Rc<T>) {
    Rc::make_mut(rc);
}

// New nodes and pages out of line, for the same reason.
#[cold]
#[inline(never)]
fn empty_node<T, const N: usize>() -> Rc<[Option<T>; N]> {
    Rc::new(std::array::from_fn(|_| None))
}

#[cold]
#[inline(never)]
fn zero_page() -> Rc<Page> {
    Rc::new([0; PAGE_SIZE])
}

/// Sparse, copy-on-write physical memory.
#[derive(Clone)]
pub struct PhysMem {
    root: Rc<Root>,
    touched: usize,
}

impl Default for PhysMem {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for PhysMem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhysMem")
            .field("touched_pages", &self.touched)
            .finish()
    }
}

impl PartialEq for PhysMem {
    /// Two memories are equal when every byte is; shared nodes compare by pointer.
    fn eq(&self, other: &Self) -> bool {
        if Rc::ptr_eq(&self.root, &other.root) {
            return true;
        }
        let zero = [0u8; PAGE_SIZE];
        (0..ROOT_LEN as u32).all(
            |r| match (&self.root[r as usize], &other.root[r as usize]) {
                (None, None) => true,
                (Some(x), Some(y)) if Rc::ptr_eq(x, y) => true,
                _ => (r * MID_SPAN..(r + 1) * MID_SPAN).all(|fr| {
                    let pa = self.frame(fr).unwrap_or(&zero);
                    let pb = other.frame(fr).unwrap_or(&zero);
                    std::ptr::eq(pa, pb) || pa[..] == pb[..]
                }),
            },
        )
    }
}

impl Eq for PhysMem {}

impl PhysMem {
    pub fn new() -> Self {
        PhysMem {
            root: Rc::new(std::array::from_fn(|_| None)),
            touched: 0,
        }
    }

    /// Number of pages that hold data (were written and not zeroed since).
    pub fn touched_pages(&self) -> usize {
        self.touched
    }

    /// The bytes of frame number `frame`, or `None` if it was never written
    /// (and so reads as zero).
    #[inline]
    pub fn frame(&self, frame: u32) -> Option<&[u8; PAGE_SIZE]> {
        let (r, m, l) = split(frame);
        let mid = self.root[r].as_ref()?;
        let leaf = mid[m].as_ref()?;
        leaf[l].as_deref()
    }

    /// Mutable bytes of frame `frame`, allocating it (zeroed) or un-sharing it.
    #[inline(always)]
    pub fn frame_mut(&mut self, frame: u32) -> &mut [u8; PAGE_SIZE] {
        let (r, m, l) = split(frame);
        let root = own(&mut self.root);
        let mid = own(root[r].get_or_insert_with(empty_node));
        let leaf = own(mid[m].get_or_insert_with(empty_node));
        let slot = &mut leaf[l];
        if slot.is_none() {
            self.touched += 1;
        }
        own(slot.get_or_insert_with(zero_page))
    }

    /// Makes frame `frame` read as zero again, releasing its storage.
    pub fn zero_frame(&mut self, frame: u32) {
        if self.frame(frame).is_none() {
            return;
        }
        let (r, m, l) = split(frame);
        let root = Rc::make_mut(&mut self.root);
        if let Some(mid) = root[r].as_mut() {
            if let Some(leaf) = Rc::make_mut(mid)[m].as_mut() {
                Rc::make_mut(leaf)[l] = None;
                self.touched -= 1;
            }
        }
    }

    #[inline]
    pub fn read_u8(&self, phys: u32) -> u8 {
        self.frame(phys >> PAGE_SHIFT)
            .map_or(0, |p| p[(phys & PAGE_MASK) as usize])
    }

    #[inline]
    pub fn write_u8(&mut self, phys: u32, value: u8) {
        self.frame_mut(phys >> PAGE_SHIFT)[(phys & PAGE_MASK) as usize] = value;
    }

    /// Little-endian read of `bytes` (1, 2 or 4) bytes; the physical address
    /// space wraps at 4 GiB.
    #[inline]
    pub fn read(&self, phys: u32, bytes: u32) -> u32 {
        let off = (phys & PAGE_MASK) as usize;
        let n = bytes as usize;
        if off + n <= PAGE_SIZE {
            let Some(p) = self.frame(phys >> PAGE_SHIFT) else {
                return 0;
            };
            let mut buf = [0u8; 4];
            buf[..n].copy_from_slice(&p[off..off + n]);
            return u32::from_le_bytes(buf);
        }
        (0..bytes).fold(0, |acc, i| {
            acc | u32::from(self.read_u8(phys.wrapping_add(i))) << (8 * i)
        })
    }

    /// Little-endian write of the low `bytes` (1, 2 or 4) bytes of `value`.
    #[inline]
    pub fn write(&mut self, phys: u32, bytes: u32, value: u32) {
        let off = (phys & PAGE_MASK) as usize;
        let n = bytes as usize;
        if off + n <= PAGE_SIZE {
            let p = self.frame_mut(phys >> PAGE_SHIFT);
            p[off..off + n].copy_from_slice(&value.to_le_bytes()[..n]);
            return;
        }
        for i in 0..bytes {
            self.write_u8(phys.wrapping_add(i), (value >> (8 * i)) as u8);
        }
    }

    pub fn read_u32(&self, phys: u32) -> u32 {
        self.read(phys, 4)
    }

    pub fn write_u32(&mut self, phys: u32, value: u32) {
        self.write(phys, 4, value)
    }

    /// Copies `buf.len()` bytes starting at `phys` into `buf`.
    pub fn read_bytes(&self, phys: u32, buf: &mut [u8]) {
        let mut addr = phys;
        let mut rest = buf;
        while !rest.is_empty() {
            let off = (addr & PAGE_MASK) as usize;
            let n = rest.len().min(PAGE_SIZE - off);
            let (chunk, tail) = rest.split_at_mut(n);
            match self.frame(addr >> PAGE_SHIFT) {
                Some(p) => chunk.copy_from_slice(&p[off..off + n]),
                None => chunk.fill(0),
            }
            rest = tail;
            addr = addr.wrapping_add(n as u32);
        }
    }

    /// Copies `bytes` into memory starting at `phys`. Writing zeros into an
    /// untouched page still materialises it, which keeps the rule simple:
    /// a page is touched iff something was stored in it.
    pub fn write_bytes(&mut self, phys: u32, bytes: &[u8]) {
        let mut addr = phys;
        let mut rest = bytes;
        while !rest.is_empty() {
            let off = (addr & PAGE_MASK) as usize;
            let n = rest.len().min(PAGE_SIZE - off);
            self.frame_mut(addr >> PAGE_SHIFT)[off..off + n].copy_from_slice(&rest[..n]);
            rest = &rest[n..];
            addr = addr.wrapping_add(n as u32);
        }
    }
}

/// Ran out of frames in a [`FrameAllocator`]'s range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OutOfFrames {
    /// The exclusive end of the allocator's range (physical address).
    pub end: u64,
}

impl std::fmt::Display for OutOfFrames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "out of physical frames (range ends at {:#x})", self.end)
    }
}

impl std::error::Error for OutOfFrames {}

/// A bump allocator of page frames in `[next, end)`: what a boot loader uses
/// before the kernel has a free list. Frames are never returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FrameAllocator {
    next: u64,
    end: u64,
}

impl FrameAllocator {
    /// Allocates frames from the physical range `[start, end)`; both ends are
    /// rounded inwards to page boundaries. `end` may be `1 << 32`.
    pub fn new(start: u32, end: u64) -> Self {
        let page = PAGE_SIZE as u64;
        FrameAllocator {
            next: u64::from(start).div_ceil(page) * page,
            end: end.min(1 << 32) / page * page,
        }
    }

    /// Physical address of a fresh frame, zeroed in `mem`.
    pub fn alloc(&mut self, mem: &mut PhysMem) -> Result<u32, OutOfFrames> {
        if self.next >= self.end {
            return Err(OutOfFrames { end: self.end });
        }
        let phys = self.next as u32;
        self.next += PAGE_SIZE as u64;
        mem.zero_frame(phys >> PAGE_SHIFT);
        Ok(phys)
    }

    /// Frames still available.
    pub fn remaining(&self) -> u64 {
        (self.end.saturating_sub(self.next)) / PAGE_SIZE as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untouched_memory_reads_zero_and_costs_nothing() {
        let m = PhysMem::new();
        assert_eq!(m.read(0, 4), 0);
        assert_eq!(m.read(0xffff_fffc, 4), 0);
        assert_eq!(m.read(0x1234_5ffe, 4), 0);
        assert_eq!(m.touched_pages(), 0);
    }

    #[test]
    fn little_endian_and_cross_page_accesses() {
        let mut m = PhysMem::new();
        m.write(0x1ffe, 4, 0xaabb_ccdd);
        assert_eq!(m.read_u8(0x1ffe), 0xdd);
        assert_eq!(m.read_u8(0x2001), 0xaa);
        assert_eq!(m.read(0x1ffe, 4), 0xaabb_ccdd);
        assert_eq!(m.read(0x1fff, 2), 0xbbcc);
        assert_eq!(m.touched_pages(), 2);
        m.write_u32(0xffff_fffe, 0x1122_3344);
        assert_eq!(m.read_u8(0), 0x22, "physical addresses wrap at 4 GiB");
    }

    #[test]
    fn clones_are_independent() {
        let mut a = PhysMem::new();
        a.write_u32(0x5000, 1);
        let mut b = a.clone();
        b.write_u32(0x5000, 2);
        b.write_u32(0x9000, 3);
        a.write_u32(0x5004, 4);
        assert_eq!(a.read_u32(0x5000), 1);
        assert_eq!(b.read_u32(0x5000), 2);
        assert_eq!(a.read_u32(0x9000), 0);
        assert_eq!(b.read_u32(0x5004), 0);
        assert_ne!(a, b);
        b.write_u32(0x5000, 1);
        b.zero_frame(9);
        b.write_u32(0x5004, 4);
        assert_eq!(a, b);
    }

    #[test]
    fn pages_no_neighbour_shares_pack_to_their_bytes_and_come_back() {
        let mut older = PhysMem::new();
        older.write_u32(0x1000, 1); // shared by all three
        older.write_u32(0x2ff0, 2);
        let mut mid = older.clone();
        mid.write_u32(0x2ff0, 3); // only `mid` has this version
        mid.write_u32(0x3000, 0); // a page of zeros, only in `mid`
        let mut newer = mid.clone();
        newer.write_u32(0x2ff0, 4);
        newer.zero_frame(3);
        let before = mid.clone();
        let mut packed = mid.clone();
        let pages = packed.pack_unshared(Some(&older), &newer);
        assert_eq!(pages.len(), 2, "{pages:?}");
        assert_eq!(pages.iter().map(PackedPage::heap_bytes).sum::<usize>(), 1);
        assert_eq!(packed.read_u32(0x2ff0), 0);
        assert_eq!(packed.touched_pages(), 1);
        assert!(packed.bytes() < before.bytes());
        packed.unpack(&pages);
        assert_eq!(packed, before);
        assert_eq!(packed.touched_pages(), before.touched_pages());
        assert_eq!(before.bytes_not_in(&before.clone()), 0);
        // One page of its own, and the leaf, middle node and root above it.
        let node = |size: usize| size + RC_HEADER;
        assert_eq!(
            newer.bytes_not_in(&mid),
            node(PAGE_SIZE)
                + node(std::mem::size_of::<Leaf>())
                + node(std::mem::size_of::<Mid>())
                + node(std::mem::size_of::<Root>())
        );
    }

    #[test]
    fn bytes_round_trip_across_pages() {
        let mut m = PhysMem::new();
        let data: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        m.write_bytes(0x0fff_f800, &data);
        let mut back = vec![0; data.len()];
        m.read_bytes(0x0fff_f800, &mut back);
        assert_eq!(back, data);
    }

    #[test]
    fn clone_cost_does_not_depend_on_memory_size() {
        // Addresses spread over all 4 GiB, but only the touched pages exist.
        let mut m = PhysMem::new();
        for i in 0..64u32 {
            m.write_u32(i.wrapping_mul(0x0400_3000), i);
        }
        assert_eq!(m.touched_pages(), 64);
        let c = m.clone();
        assert_eq!(c.touched_pages(), 64);
        assert_eq!(c.read_u32(5 * 0x0400_3000), 5);
    }

    #[test]
    fn frame_allocator_hands_out_zeroed_frames_until_empty() {
        let mut m = PhysMem::new();
        m.write_u32(0x3000, 7);
        let mut fa = FrameAllocator::new(0x2001, 0x5000);
        assert_eq!(fa.remaining(), 2);
        assert_eq!(fa.alloc(&mut m), Ok(0x3000));
        assert_eq!(m.read_u32(0x3000), 0);
        assert_eq!(fa.alloc(&mut m), Ok(0x4000));
        assert!(fa.alloc(&mut m).is_err());
    }
}
