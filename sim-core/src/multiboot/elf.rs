//! Just enough of ELF (System V ABI, i386 supplement) to load a 32-bit
//! kernel: the file header and its PT_LOAD program headers.

use super::BootError;

/// A loadable segment: `file_size` bytes from `offset` go to physical
/// address `paddr`, followed by `mem_size - file_size` zero bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadSegment {
    pub offset: u32,
    pub vaddr: u32,
    pub paddr: u32,
    pub file_size: u32,
    pub mem_size: u32,
}

/// The parts of an ELF32 executable a loader uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elf32 {
    pub entry: u32,
    pub segments: Vec<LoadSegment>,
}

const PT_LOAD: u32 = 1;
const EM_386: u16 = 3;
const ET_EXEC: u16 = 2;

pub(super) fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

pub(super) fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Parses the header and program headers of a 32-bit little-endian i386
/// executable.
pub fn parse(bytes: &[u8]) -> Result<Elf32, BootError> {
    let bad = |offset: usize, what: &str| BootError::Elf {
        offset,
        message: what.to_string(),
    };
    if bytes.get(..4) != Some(b"\x7fELF") {
        return Err(bad(0, "not an ELF file (no \\x7fELF magic)"));
    }
    if bytes.get(4) != Some(&1) {
        return Err(bad(4, "not a 32-bit ELF file (EI_CLASS is not ELFCLASS32)"));
    }
    if bytes.get(5) != Some(&1) {
        return Err(bad(5, "not little-endian (EI_DATA is not ELFDATA2LSB)"));
    }
    let short = |at: usize| bad(at, "file ends inside the ELF header");
    if u16_at(bytes, 16).ok_or(short(16))? != ET_EXEC {
        return Err(bad(16, "not an executable (e_type is not ET_EXEC)"));
    }
    if u16_at(bytes, 18).ok_or(short(18))? != EM_386 {
        return Err(bad(18, "not an i386 file (e_machine is not EM_386)"));
    }
    let entry = u32_at(bytes, 24).ok_or(short(24))?;
    let phoff = u32_at(bytes, 28).ok_or(short(28))? as usize;
    let phentsize = usize::from(u16_at(bytes, 42).ok_or(short(42))?);
    let phnum = usize::from(u16_at(bytes, 44).ok_or(short(44))?);
    if phnum > 0 && phentsize < 32 {
        return Err(bad(42, "program header entries shorter than 32 bytes"));
    }
    let mut segments = Vec::new();
    for k in 0..phnum {
        let at = phoff.saturating_add(k * phentsize);
        let field = |off: usize| {
            u32_at(bytes, at + off).ok_or_else(|| bad(at, "file ends inside a program header"))
        };
        if field(0)? != PT_LOAD {
            continue;
        }
        let seg = LoadSegment {
            offset: field(4)?,
            vaddr: field(8)?,
            paddr: field(12)?,
            file_size: field(16)?,
            mem_size: field(20)?,
        };
        if seg.file_size > seg.mem_size {
            return Err(bad(at, "PT_LOAD with p_filesz larger than p_memsz"));
        }
        let end = u64::from(seg.offset) + u64::from(seg.file_size);
        if end > bytes.len() as u64 {
            return Err(bad(at, "PT_LOAD reaches past the end of the file"));
        }
        if u64::from(seg.paddr) + u64::from(seg.mem_size) > 1 << 32 {
            return Err(bad(at, "PT_LOAD reaches past 4 GiB"));
        }
        segments.push(seg);
    }
    if segments.is_empty() {
        return Err(bad(phoff, "no PT_LOAD segment"));
    }
    Ok(Elf32 { entry, segments })
}
