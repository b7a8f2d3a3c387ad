//! What memories shared copy-on-write cost beside each other, and packing
//! away the pages a snapshot shares with neither neighbour.

use std::rc::Rc;

use super::{PhysMem, LEAF_BITS, MID_BITS, PAGE_SIZE, RC_HEADER};

/// A page taken out of a memory by [`PhysMem::pack_unshared`]: its bytes
/// from the first non-zero one to the last (the rest are zeros).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackedPage {
    frame: u32,
    start: u16,
    bytes: Box<[u8]>,
}

impl PackedPage {
    /// Heap bytes it holds.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.len()
    }
}

impl PhysMem {
    /// Bytes of the pages and table nodes this memory holds that `newer`
    /// does not share with it (heap allocations, reference counts
    /// included): what keeping this memory costs beside `newer`. Shared
    /// subtrees are skipped by pointer, so the walk costs what differs.
    pub fn bytes_not_in(&self, newer: &PhysMem) -> usize {
        fn node<T>(a: &Rc<T>, b: Option<&Rc<T>>) -> Option<usize> {
            match b {
                Some(b) if Rc::ptr_eq(a, b) => None,
                _ => Some(std::mem::size_of::<T>() + RC_HEADER),
            }
        }
        let Some(mut bytes) = node(&self.root, Some(&newer.root)) else {
            return 0;
        };
        for (r, mid) in self.root.iter().enumerate() {
            let Some(mid) = mid else { continue };
            let other_mid = newer.root[r].as_ref();
            let Some(b) = node(mid, other_mid) else {
                continue;
            };
            bytes += b;
            for (m, leaf) in mid.iter().enumerate() {
                let Some(leaf) = leaf else { continue };
                let other_leaf = other_mid.and_then(|o| o[m].as_ref());
                let Some(b) = node(leaf, other_leaf) else {
                    continue;
                };
                bytes += b;
                for (l, page) in leaf.iter().enumerate() {
                    if let Some(page) = page {
                        bytes += node(page, other_leaf.and_then(|o| o[l].as_ref())).unwrap_or(0);
                    }
                }
            }
        }
        bytes
    }

    /// Takes out the pages that neither `older` nor `newer` shares with
    /// this memory (by pointer), packed without their leading and trailing
    /// zeros: [`PhysMem::unpack`] puts them back byte for byte. A snapshot
    /// between two others keeps whole only the pages it shares; a kernel
    /// stack written between its neighbours costs the few bytes in use.
    pub fn pack_unshared(&mut self, older: Option<&PhysMem>, newer: &PhysMem) -> Vec<PackedPage> {
        let frames = self.unshared_frames(older, newer);
        let mut packed = Vec::with_capacity(frames.len());
        for frame in frames {
            let Some(page) = self.frame(frame) else {
                continue;
            };
            let start = page.iter().position(|&b| b != 0).unwrap_or(PAGE_SIZE);
            let end = page.iter().rposition(|&b| b != 0).map_or(start, |e| e + 1);
            packed.push(PackedPage {
                frame,
                start: start as u16,
                bytes: page[start..end].into(),
            });
            self.zero_frame(frame);
        }
        packed
    }

    /// Puts back pages taken out by [`PhysMem::pack_unshared`].
    pub fn unpack(&mut self, pages: &[PackedPage]) {
        for p in pages {
            let start = usize::from(p.start);
            self.frame_mut(p.frame)[start..start + p.bytes.len()].copy_from_slice(&p.bytes);
        }
    }

    /// Frames whose page is shared with neither `older` nor `newer`;
    /// subtrees shared with either are skipped whole.
    fn unshared_frames(&self, older: Option<&PhysMem>, newer: &PhysMem) -> Vec<u32> {
        fn shared<T>(a: &Rc<T>, b: [Option<&Rc<T>>; 2]) -> bool {
            b.into_iter().flatten().any(|b| Rc::ptr_eq(a, b))
        }
        let mut frames = Vec::new();
        let roots = [older.map(|o| &o.root), Some(&newer.root)];
        if shared(&self.root, roots) {
            return frames;
        }
        for (r, mid) in self.root.iter().enumerate() {
            let Some(mid) = mid else { continue };
            let mids = roots.map(|o| o.and_then(|o| o[r].as_ref()));
            if shared(mid, mids) {
                continue;
            }
            for (m, leaf) in mid.iter().enumerate() {
                let Some(leaf) = leaf else { continue };
                let leaves = mids.map(|o| o.and_then(|o| o[m].as_ref()));
                if shared(leaf, leaves) {
                    continue;
                }
                for (l, page) in leaf.iter().enumerate() {
                    let Some(page) = page else { continue };
                    if !shared(page, leaves.map(|o| o.and_then(|o| o[l].as_ref()))) {
                        frames.push((r << (MID_BITS + LEAF_BITS) | m << LEAF_BITS | l) as u32);
                    }
                }
            }
        }
        frames
    }

    /// Bytes of every page and table node (what a memory shared with
    /// nothing costs).
    pub fn bytes(&self) -> usize {
        self.bytes_not_in(&PhysMem::new())
    }
}
