//! Test-case generation for the differential test: snippets of GNU `as` source
//! over the user-mode subset, with initial registers, EFLAGS and scratch memory.

use sim_core::cpu::flags;

/// Fixed addresses shared by the native binary and the simulator.
pub const TEXT: u32 = 0x0810_0000;
pub const SCRATCH: u32 = 0x0830_0000;
pub const SCRATCH_LEN: usize = 0x200;
/// ESI points here in cases with memory operands (displacements stay within ±0x40).
pub const MEM_BASE: u32 = SCRATCH + 0x100;
/// The stack: pushes go down from here, still inside the scratch area.
pub const STACK: u32 = SCRATCH + 0x1c0;

/// Small deterministic PRNG (xorshift64*), so failures reproduce.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u32) as usize]
    }
    /// An edge value half the time, a random one otherwise.
    pub fn value(&mut self) -> u32 {
        const EDGES: [u32; 11] = [
            0,
            1,
            0x7f,
            0x80,
            0xff,
            0x7fff,
            0x8000,
            0xffff,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
        ];
        match self.below(4) {
            0 | 1 => *self.pick(&EDGES),
            2 => self.next() as u32 & 0xff,
            _ => self.next() as u32,
        }
    }
    /// Random status flags and DF (TF must stay clear: it would trap natively).
    pub fn eflags(&mut self) -> u32 {
        (self.next() as u32) & (flags::STATUS | flags::DF)
    }
}

/// One differential case.
#[derive(Clone, Debug)]
pub struct Case {
    /// Short description for failure messages (the op and form).
    pub name: String,
    /// The snippet, GNU `as` syntax, `;`-separated instructions allowed.
    pub asm: String,
    /// EAX ECX EDX EBX ESP EBP ESI EDI.
    pub regs: [u32; 8],
    pub eflags: u32,
    pub mem: Vec<u8>,
    /// EFLAGS bits compared after the snippet.
    pub flag_mask: u32,
}

pub const SIZES: [(char, &str); 3] = [('b', "b"), ('w', "w"), ('l', "l")];
const R32: [&str; 7] = ["eax", "ecx", "edx", "ebx", "ebp", "esi", "edi"];
const R16: [&str; 7] = ["ax", "cx", "dx", "bx", "bp", "si", "di"];
const R8: [&str; 8] = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];

/// A register name of the given size suffix (never ESP/SP).
pub fn reg(rng: &mut Rng, sfx: char) -> String {
    match sfx {
        'b' => rng.pick(&R8).to_string(),
        'w' => rng.pick(&R16).to_string(),
        _ => rng.pick(&R32).to_string(),
    }
}

/// A memory operand relative to ESI (= [`MEM_BASE`]) or absolute (moffs-style).
pub fn mem(rng: &mut Rng) -> String {
    let disp = rng.below(0x40) as i32 - 0x20;
    match rng.below(4) {
        0 => format!("{:#x}", (MEM_BASE as i32 + disp) as u32),
        1 => "(%esi)".to_string(),
        _ => format!("{disp}(%esi)"),
    }
}

pub fn imm(rng: &mut Rng, sfx: char) -> String {
    let v = rng.value();
    match sfx {
        'b' => format!("${:#x}", v & 0xff),
        'w' => format!("${:#x}", v & 0xffff),
        _ => {
            if rng.below(3) == 0 {
                // Small signed values select the sign-extended imm8 encodings.
                format!("${}", rng.below(256) as i32 - 128)
            } else {
                format!("${v:#x}")
            }
        }
    }
}

impl Case {
    /// A case with random registers (ESP = [`STACK`], ESI = [`MEM_BASE`]), flags and
    /// scratch memory.
    pub fn new(name: impl Into<String>, asm: impl Into<String>, rng: &mut Rng) -> Case {
        let mut regs = [0u32; 8];
        for r in regs.iter_mut() {
            *r = rng.value();
        }
        regs[4] = STACK;
        regs[6] = MEM_BASE;
        let mut mem = vec![0u8; SCRATCH_LEN];
        for chunk in mem.chunks_mut(4) {
            chunk.copy_from_slice(&rng.value().to_le_bytes());
        }
        Case {
            name: name.into(),
            asm: asm.into(),
            regs,
            eflags: rng.eflags(),
            mem,
            flag_mask: flags::STATUS | flags::DF,
        }
    }
    #[allow(dead_code)]
    pub fn mask(mut self, m: u32) -> Case {
        self.flag_mask = m;
        self
    }
    pub fn reg(mut self, i: usize, v: u32) -> Case {
        self.regs[i] = v;
        self
    }
}
