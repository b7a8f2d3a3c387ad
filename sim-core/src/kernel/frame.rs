//! The trap frame: what the hardware pushed plus what `alltraps` saved
//! (xv6's `struct trapframe`, without the segment registers, which this
//! kernel's `alltraps` does not save: see README, *Booting kernels*).

use serde::{Deserialize, Serialize};

use crate::mem::PhysMem;

/// Field offsets from the frame's base (ESP at `trap_c`), lowest address first.
pub const FIELDS: [&str; 15] = [
    "edi", "esi", "ebp", "oesp", "ebx", "edx", "ecx", "eax", "trapno", "err", "eip", "cs",
    "eflags", "esp", "ss",
];
/// Words saved by `pushal` (the kernel's part); the rest the CPU pushed.
pub const SAVED_BY_KERNEL: usize = 8;

/// Whether the CPU pushes an error code for a vector (the table in
/// `trap::vectors`); the entry stubs of the other vectors push a dummy 0.
pub use crate::trap::has_error_code;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrapFrame {
    pub edi: u32,
    pub esi: u32,
    pub ebp: u32,
    pub oesp: u32,
    pub ebx: u32,
    pub edx: u32,
    pub ecx: u32,
    pub eax: u32,
    pub trapno: u32,
    pub err: u32,
    pub eip: u32,
    pub cs: u32,
    pub eflags: u32,
    /// Only pushed on a trap from user mode.
    pub esp: u32,
    pub ss: u32,
}

/// Size in bytes of a full (from-user) frame.
pub const SIZE: u32 = 15 * 4;
/// Size of a frame from a trap without privilege change (no ESP, SS).
pub const SIZE_SAME_RING: u32 = 13 * 4;

impl TrapFrame {
    fn to_words(self) -> [u32; 15] {
        [
            self.edi,
            self.esi,
            self.ebp,
            self.oesp,
            self.ebx,
            self.edx,
            self.ecx,
            self.eax,
            self.trapno,
            self.err,
            self.eip,
            self.cs,
            self.eflags,
            self.esp,
            self.ss,
        ]
    }

    fn from_words(w: [u32; 15]) -> Self {
        TrapFrame {
            edi: w[0],
            esi: w[1],
            ebp: w[2],
            oesp: w[3],
            ebx: w[4],
            edx: w[5],
            ecx: w[6],
            eax: w[7],
            trapno: w[8],
            err: w[9],
            eip: w[10],
            cs: w[11],
            eflags: w[12],
            esp: w[13],
            ss: w[14],
        }
    }

    /// Reads the frame at linear address `lin` of the address space `pgdir`
    /// (kernel stacks are mapped in every address space; in direct mode the
    /// frame sits on the user stack). Unmapped words read as 0.
    pub fn read(mem: &PhysMem, pgdir: u32, lin: u32) -> Self {
        let mut w = [0u32; 15];
        for (i, word) in w.iter_mut().enumerate() {
            let a = lin.wrapping_add(4 * i as u32);
            *word = crate::mmu::walk(mem, pgdir, a)
                .phys
                .map_or(0, |p| mem.read_u32(p));
        }
        Self::from_words(w)
    }

    /// Writes the frame at `lin` in `pgdir`. A frame for a trap that did not
    /// change privilege has no ESP/SS words, so only 13 words are written then.
    pub fn write(&self, mem: &mut PhysMem, pgdir: u32, lin: u32) {
        let words = self.to_words();
        let n = if self.from_user() { 15 } else { 13 };
        for (i, word) in words.iter().take(n).enumerate() {
            let a = lin.wrapping_add(4 * i as u32);
            if let Some(p) = crate::mmu::walk(mem, pgdir, a).phys {
                mem.write_u32(p, *word);
            }
        }
    }

    /// Bytes the frame occupies on the stack.
    pub const fn size(&self) -> u32 {
        if self.from_user() {
            SIZE
        } else {
            SIZE_SAME_RING
        }
    }

    /// The interrupted code's ESP for a frame at `at`: pushed by the CPU on a
    /// ring change, otherwise just above the frame (direct execution).
    pub const fn user_esp(&self, at: u32) -> u32 {
        if self.from_user() {
            self.esp
        } else {
            at.wrapping_add(SIZE_SAME_RING)
        }
    }

    /// Whether the trap came from user mode (CPL 3 in the saved CS).
    pub const fn from_user(&self) -> bool {
        self.cs & 3 == 3
    }

    /// (name, value) pairs, lowest address first, for the kernel-stack view.
    pub fn named(&self) -> Vec<(&'static str, u32)> {
        FIELDS.iter().copied().zip(self.to_words()).collect()
    }
}
