//! A small software TLB: direct-mapped, 64 entries, caching the combined
//! rights of a translation. The slot is the page number folded onto itself
//! ([`slot`]), so arrays a multiple of 256 KiB apart (a common layout: two
//! buffers at 4 MiB and 8 MiB) do not evict each other on every access. Like a real TLB it is tagged by nothing but the
//! virtual page number, so it must be flushed when CR3 (or CR0.PG) changes;
//! unlike a real TLB it is also flushed when a page-table frame is written, so
//! kernels modelled here need no `invlpg`.

const ENTRIES: usize = 64;
const INVALID: u32 = u32::MAX;

/// The slot of linear page `vpn`: its low bits folded with the next ones.
#[inline(always)]
fn slot(vpn: u32) -> usize {
    (vpn ^ (vpn >> 6) ^ (vpn >> 12)) as usize % ENTRIES
}

/// One cached translation of a linear page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlbEntry {
    /// Linear page number (lin >> 12); `u32::MAX` marks an empty slot.
    pub vpn: u32,
    /// Physical frame address.
    pub frame: u32,
    /// User accesses allowed (U/S in both levels).
    pub user: bool,
    /// R/W in both levels.
    pub writable: bool,
    /// The PTE's D bit is already set, so a write needs no walk.
    pub dirty: bool,
    /// The frame holds a page directory or page table: writing it flushes
    /// the TLB.
    pub page_table: bool,
    /// Instructions were fetched from the frame: writing it invalidates
    /// decoded instructions.
    pub code: bool,
}

impl TlbEntry {
    pub const EMPTY: TlbEntry = TlbEntry {
        vpn: INVALID,
        frame: 0,
        user: false,
        writable: false,
        dirty: false,
        page_table: false,
        code: false,
    };
}

/// The translation cache, keyed by the context it was filled under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tlb {
    entries: [TlbEntry; ENTRIES],
    /// (CR0.PG, CR3) the entries were filled under.
    key: (bool, u32),
}

impl Default for Tlb {
    fn default() -> Self {
        Tlb {
            entries: [TlbEntry::EMPTY; ENTRIES],
            key: (false, 0),
        }
    }
}

impl Tlb {
    /// Flushes if `(paging, cr3)` differs from the context of the cached
    /// entries; returns whether it did (the linear mapping changed).
    #[inline]
    pub fn sync(&mut self, paging: bool, cr3: u32) -> bool {
        if self.key == (paging, cr3) {
            return false;
        }
        self.key = (paging, cr3);
        self.flush();
        true
    }

    /// Whether the entries were filled under `(paging, cr3)` (what
    /// [`Tlb::sync`] would keep without flushing).
    #[inline(always)]
    pub fn is_for(&self, paging: bool, cr3: u32) -> bool {
        self.key == (paging, cr3)
    }

    pub fn flush(&mut self) {
        self.entries = [TlbEntry::EMPTY; ENTRIES];
    }

    #[inline]
    pub fn get(&self, vpn: u32) -> Option<&TlbEntry> {
        let e = &self.entries[slot(vpn)];
        (e.vpn == vpn).then_some(e)
    }

    #[inline]
    pub fn insert(&mut self, entry: TlbEntry) {
        self.entries[slot(entry.vpn)] = entry;
    }

    /// Number of valid entries (for the UI).
    pub fn len(&self) -> usize {
        self.entries.iter().filter(|e| e.vpn != INVALID).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_change_flushes() {
        let mut t = Tlb::default();
        t.sync(true, 0x1000);
        t.insert(TlbEntry {
            vpn: 5,
            frame: 0x9000,
            ..TlbEntry::EMPTY
        });
        assert_eq!(t.get(5).map(|e| e.frame), Some(0x9000));
        assert!(t.get(5 + ENTRIES as u32).is_none());
        assert!(!t.sync(true, 0x1000));
        // Pages 4 MiB and 8 MiB apart share low bits but not a slot.
        for vpn in [0x400, 0x800, 0x401, 0x801] {
            t.insert(TlbEntry {
                vpn,
                frame: vpn << 12,
                ..TlbEntry::EMPTY
            });
        }
        for vpn in [0x400, 0x800, 0x401, 0x801] {
            assert_eq!(t.get(vpn).map(|e| e.frame), Some(vpn << 12));
        }
        assert!(t.sync(true, 0x2000));
        assert!(t.is_empty());
    }
}
