//! Static 32-bit ELF executables as user programs (compare xv6's elf.h and
//! the header checks at the top of exec.c).
//!
//! [`parse`] reads what `as --32` + `ld -m elf_i386` produce: an `ET_EXEC`
//! file for `EM_386` whose `PT_LOAD` segments the kernel maps at their
//! virtual addresses. It is strict and never panics: every refusal is an
//! [`ElfError`] naming the byte offset and the header field at fault.
//!
//! Where a program may live: `[USER_TEXT, KERNBASE)` = 0x1000 to 0x80000000.
//! Page 0 stays unmapped (a null pointer faults), the kernel owns
//! 0x80000000 to 0x81000000, and the user stacks sit near the top of the 4 GiB
//! space ([`super::layout`]), so a segment in that range cannot collide with
//! either.

use super::layout::{KERNBASE, PAGE, USER_TEXT};

/// Largest ELF file accepted (a share link or an upload is untrusted).
pub const MAX_ELF_BYTES: usize = 256 * 1024;
/// Most pages the loaded image may take (1 MiB), `.bss` included.
pub const MAX_IMAGE_PAGES: u32 = 256;
/// Most program headers read.
pub const MAX_PROGRAM_HEADERS: usize = 32;

const EHDR_SIZE: usize = 52;
const PHDR_SIZE: usize = 32;
const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const EM_386: u16 = 3;
const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const PT_TLS: u32 = 7;
/// `p_flags` bits.
pub const PF_X: u32 = 1;
pub const PF_W: u32 = 2;

/// One `PT_LOAD` segment: `bytes` (its file part) at `vaddr`, then zeros up
/// to `mem_size` (`.bss`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u32,
    pub bytes: Vec<u8>,
    pub mem_size: u32,
    /// `PF_X`, `PF_W` (`PF_R` = 4 is implied).
    pub flags: u32,
}

impl Segment {
    /// First address after the segment in memory.
    pub fn end(&self) -> u32 {
        self.vaddr.saturating_add(self.mem_size)
    }
}

/// A parsed executable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elf {
    pub entry: u32,
    /// In file order; byte ranges never overlap.
    pub segments: Vec<Segment>,
    /// Index in `segments` of the one executable segment (holding `entry`).
    pub text: usize,
}

/// Why a file is not a program this kernel runs: `offset` is the byte in the
/// file (the field's start), `field` the ELF field's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfError {
    pub offset: usize,
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for ElfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "byte {} ({}): {}", self.offset, self.field, self.message)
    }
}

fn fail(offset: usize, field: &'static str, message: impl Into<String>) -> ElfError {
    ElfError {
        offset,
        field,
        message: message.into(),
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Reads and checks an executable. Never panics, whatever `file` holds.
pub fn parse(file: &[u8]) -> Result<Elf, ElfError> {
    if file.len() > MAX_ELF_BYTES {
        return Err(fail(
            0,
            "file",
            format!(
                "the file is {} bytes; the limit is {MAX_ELF_BYTES}",
                file.len()
            ),
        ));
    }
    check_ident(file)?;
    let (phoff, phnum) = check_header(file)?;
    let mut segments = Vec::new();
    for i in 0..phnum {
        let at = phoff + i * PHDR_SIZE;
        if let Some(s) = segment(file, at)? {
            segments.push((at, s));
        }
    }
    check_layout(&segments)?;
    let entry = u32_at(file, 24);
    let text = text_segment(&segments, entry)?;
    Ok(Elf {
        entry,
        segments: segments.into_iter().map(|(_, s)| s).collect(),
        text,
    })
}

fn check_ident(file: &[u8]) -> Result<(), ElfError> {
    if file.len() < EHDR_SIZE || file[..4] != *b"\x7fELF" {
        return Err(fail(
            0,
            "e_ident",
            "not an ELF file (it does not start with 0x7f 'E' 'L' 'F' and a 52-byte header)",
        ));
    }
    match file[4] {
        1 => {}
        2 => {
            return Err(fail(
                4,
                "EI_CLASS",
                "a 64-bit ELF; link with ld -m elf_i386",
            ))
        }
        c => {
            return Err(fail(
                4,
                "EI_CLASS",
                format!("unknown class {c}; need 1 (32-bit)"),
            ))
        }
    }
    if file[5] != 1 {
        return Err(fail(5, "EI_DATA", "not little-endian"));
    }
    if file[6] != 1 {
        return Err(fail(
            6,
            "EI_VERSION",
            format!("version {}; need 1", file[6]),
        ));
    }
    Ok(())
}

/// Checks type, machine and the program-header table; returns its offset
/// and entry count.
fn check_header(file: &[u8]) -> Result<(usize, usize), ElfError> {
    match u16_at(file, 16) {
        ET_EXEC => {}
        ET_DYN => {
            return Err(fail(
                16,
                "e_type",
                "position-independent (ET_DYN); link a static executable (ld -m elf_i386, no -pie)",
            ))
        }
        1 => {
            return Err(fail(
                16,
                "e_type",
                "an object file (ET_REL), not an executable: link it with ld -m elf_i386",
            ))
        }
        t => return Err(fail(16, "e_type", format!("type {t} is not an executable"))),
    }
    match u16_at(file, 18) {
        EM_386 => {}
        62 => return Err(fail(18, "e_machine", "x86-64 code; assemble with as --32")),
        m => {
            return Err(fail(
                18,
                "e_machine",
                format!("machine {m} is not i386 (3)"),
            ))
        }
    }
    let phoff = u32_at(file, 28) as usize;
    let phentsize = u16_at(file, 42) as usize;
    let phnum = u16_at(file, 44) as usize;
    if phentsize != PHDR_SIZE {
        return Err(fail(
            42,
            "e_phentsize",
            format!("{phentsize}; need {PHDR_SIZE}"),
        ));
    }
    if phnum == 0 || phnum > MAX_PROGRAM_HEADERS {
        return Err(fail(
            44,
            "e_phnum",
            format!("{phnum} program headers; need 1 to {MAX_PROGRAM_HEADERS}"),
        ));
    }
    if phoff
        .checked_add(phnum * PHDR_SIZE)
        .is_none_or(|end| end > file.len())
    {
        return Err(fail(
            28,
            "e_phoff",
            "the program headers run past the end of the file",
        ));
    }
    Ok((phoff, phnum))
}

/// The program header at `at`: a `PT_LOAD` segment, nothing (other kinds
/// that need no loading), or why the file cannot run.
fn segment(file: &[u8], at: usize) -> Result<Option<Segment>, ElfError> {
    let field = |o: usize| u32_at(file, at + o);
    match field(0) {
        PT_LOAD => {}
        PT_INTERP | PT_DYNAMIC => {
            return Err(fail(
                at,
                "p_type",
                "dynamically linked; link a static executable without libc",
            ))
        }
        PT_TLS => return Err(fail(at, "p_type", "thread-local storage is not supported")),
        _ => return Ok(None),
    }
    let (offset, vaddr, filesz, memsz, flags) =
        (field(4), field(8), field(16), field(20), field(24));
    if filesz > memsz {
        return Err(fail(
            at + 16,
            "p_filesz",
            format!("{filesz} bytes in the file but only {memsz} in memory"),
        ));
    }
    let start = offset as usize;
    let Some(bytes) = start
        .checked_add(filesz as usize)
        .and_then(|end| file.get(start..end))
    else {
        return Err(fail(
            at + 4,
            "p_offset",
            format!(
                "bytes {offset}..+{filesz} lie outside the {}-byte file",
                file.len()
            ),
        ));
    };
    if memsz == 0 {
        return Ok(None);
    }
    let end = u64::from(vaddr) + u64::from(memsz);
    if vaddr < USER_TEXT || end > u64::from(KERNBASE) {
        return Err(fail(
            at + 8,
            "p_vaddr",
            format!(
                "segment 0x{vaddr:08x}..0x{end:08x} is outside user space 0x{USER_TEXT:08x}..0x{KERNBASE:08x} \
                 (page 0 stays unmapped; the kernel is at 0x{KERNBASE:08x}); ld's default 0x08048000 fits"
            ),
        ));
    }
    Ok(Some(Segment {
        vaddr,
        bytes: bytes.to_vec(),
        mem_size: memsz,
        flags,
    }))
}

fn pages(s: &Segment) -> std::ops::Range<u32> {
    s.vaddr / PAGE..s.end().div_ceil(PAGE)
}

/// Segments may share a page but not a byte; the image has a size cap.
fn check_layout(segments: &[(usize, Segment)]) -> Result<(), ElfError> {
    if segments.is_empty() {
        return Err(fail(28, "e_phoff", "no PT_LOAD segment: nothing to load"));
    }
    for (i, (at, s)) in segments.iter().enumerate() {
        if let Some((_, t)) = segments[..i]
            .iter()
            .find(|(_, t)| s.vaddr < t.end() && t.vaddr < s.end())
        {
            return Err(fail(
                at + 8,
                "p_vaddr",
                format!(
                    "segment 0x{:08x}..0x{:08x} overlaps segment 0x{:08x}..0x{:08x}",
                    s.vaddr,
                    s.end(),
                    t.vaddr,
                    t.end()
                ),
            ));
        }
    }
    // Pages counted once even where segments share them. (No sort: the
    // page's download would grow by a sort's code for this alone.)
    let mut count = 0u32;
    for (i, (_, s)) in segments.iter().enumerate() {
        let mine = pages(s);
        if mine.len() as u32 > MAX_IMAGE_PAGES {
            count = mine.len() as u32;
            break;
        }
        count += mine
            .filter(|p| !segments[..i].iter().any(|(_, t)| pages(t).contains(p)))
            .count() as u32;
        if count > MAX_IMAGE_PAGES {
            break;
        }
    }
    if count > MAX_IMAGE_PAGES {
        let at = segments.last().map_or(0, |(at, _)| *at);
        return Err(fail(
            at + 20,
            "p_memsz",
            format!(
                "the segments need at least {count} pages ({} KiB); the limit is {MAX_IMAGE_PAGES} pages ({} KiB)",
                count * 4,
                MAX_IMAGE_PAGES * 4
            ),
        ));
    }
    Ok(())
}

/// The one executable segment, which must hold the entry point.
fn text_segment(segments: &[(usize, Segment)], entry: u32) -> Result<usize, ElfError> {
    let exec: Vec<usize> = (0..segments.len())
        .filter(|&i| segments[i].1.flags & PF_X != 0)
        .collect();
    let [text] = exec[..] else {
        return Err(fail(
            segments.get(exec.get(1).copied().unwrap_or(0)).map_or(0, |(at, _)| *at + 24),
            "p_flags",
            format!(
                "{} executable segments; ringside runs programs with exactly one (as ld links them)",
                exec.len()
            ),
        ));
    };
    let s = &segments[text].1;
    let code_end = s.vaddr + s.bytes.len() as u32;
    if !(s.vaddr..code_end).contains(&entry) {
        return Err(fail(
            24,
            "e_entry",
            format!(
                "entry 0x{entry:08x} is not in the executable segment 0x{:08x}..0x{code_end:08x} \
                 (is _start defined and global?)",
                s.vaddr
            ),
        ));
    }
    Ok(text)
}

#[cfg(test)]
#[path = "elf_tests.rs"]
pub(crate) mod tests;
