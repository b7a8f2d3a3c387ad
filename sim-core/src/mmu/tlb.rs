//! A small software TLB: direct-mapped, 64 entries, caching the combined
//! rights of a translation. Like a real TLB it is tagged by nothing but the
//! virtual page number, so it must be flushed when CR3 (or CR0.PG) changes;
//! unlike a real TLB it is also flushed when a page-table frame is written, so
//! kernels modelled here need no `invlpg`.

const ENTRIES: usize = 64;
const INVALID: u32 = u32::MAX;

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

    pub fn flush(&mut self) {
        self.entries = [TlbEntry::EMPTY; ENTRIES];
    }

    #[inline]
    pub fn get(&self, vpn: u32) -> Option<&TlbEntry> {
        let e = &self.entries[vpn as usize % ENTRIES];
        (e.vpn == vpn).then_some(e)
    }

    #[inline]
    pub fn insert(&mut self, entry: TlbEntry) {
        self.entries[entry.vpn as usize % ENTRIES] = entry;
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
        assert!(t.sync(true, 0x2000));
        assert!(t.is_empty());
    }
}
