//! Loading a kernel the way a multiboot (v1) boot loader does, for
//! `ringside boot`: the ELF's PT_LOAD segments at their physical addresses,
//! a flat GDT, a multiboot information structure, and the CPU as the
//! Multiboot Specification 0.6.96, section 3.2 ("Machine state") leaves it.

mod elf;

pub use elf::{parse as parse_elf, Elf32, LoadSegment};

use crate::cpu::{flags, segment, Cpu, Reg, TableReg};
use crate::dev::Devices;
use crate::machine::{Board, Machine};

/// The header magic (in the first 8 KiB of the image, 4-aligned).
pub const HEADER_MAGIC: u32 = 0x1bad_b002;
/// What EAX holds when the kernel starts.
pub const BOOTLOADER_MAGIC: u32 = 0x2bad_b002;
/// Where the loader puts its flat GDT (null, code 0x08, data 0x10).
pub const LOADER_GDT: u32 = 0x7000;
/// Where the multiboot information structure goes.
pub const LOADER_INFO: u32 = 0x7100;
/// Bytes the loader's GDT and info structure occupy from [`LOADER_GDT`].
const LOADER_SPAN: u32 = 0x200;
/// RAM the info structure reports: QEMU's default 128 MiB (640 KiB low,
/// the rest from 1 MiB).
pub const MEM_LOWER_KIB: u32 = 639;
pub const MEM_UPPER_KIB: u32 = 128 * 1024 - 1024;
const LOADER_NAME: &[u8] = b"ringside\0";

/// Why a kernel image cannot be booted; `offset` is a byte offset in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BootError {
    Elf { offset: usize, message: String },
    NoHeader,
    Header { offset: usize, message: String },
}

impl std::fmt::Display for BootError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BootError::Elf { offset, message } => write!(f, "ELF, at byte {offset:#x}: {message}"),
            BootError::NoHeader => f.write_str(
                "no multiboot header (magic 0x1badb002 with a valid checksum) in the first 8 KiB",
            ),
            BootError::Header { offset, message } => {
                write!(f, "multiboot header at byte {offset:#x}: {message}")
            }
        }
    }
}

impl std::error::Error for BootError {}

/// The multiboot header's `flags` word and where it was found.
fn find_header(image: &[u8]) -> Result<(usize, u32), BootError> {
    let window = image.len().min(8192);
    for at in (0..window.saturating_sub(11)).step_by(4) {
        let word = |k: usize| elf::u32_at(image, at + 4 * k).unwrap_or(0);
        if word(0) == HEADER_MAGIC && word(0).wrapping_add(word(1)).wrapping_add(word(2)) == 0 {
            return Ok((at, word(1)));
        }
    }
    Err(BootError::NoHeader)
}

/// Builds a machine with `image` loaded and the CPU at its entry point, as
/// a multiboot loader leaves it: protected mode, paging off, ring 0,
/// interrupts off, a flat GDT loaded (CS = 0x08, the others 0x10),
/// EAX = 0x2BADB002, EBX = the physical address of the multiboot info.
/// The board has the PC wiring ([`crate::dev::pc`]).
pub fn boot(image: &[u8]) -> Result<Machine, BootError> {
    let (at, header_flags) = find_header(image)?;
    if header_flags & 0x0001_0000 != 0 {
        return Err(BootError::Header {
            offset: at + 4,
            message: "the address fields (flags bit 16, a.out kludge) are not supported: \
                      link an ELF kernel without them"
                .into(),
        });
    }
    // Bits 0-15 are requirements; 0 (page-aligned modules), 1 (memory
    // info) and 2 (video mode, which a serial-only board ignores) are met.
    let unknown = header_flags & 0xfff8;
    if unknown != 0 {
        return Err(BootError::Header {
            offset: at + 4,
            message: format!("requires features this loader lacks (flags {unknown:#x})"),
        });
    }
    let elf = parse_elf(image)?;
    let mut board = Board::default();
    board.devices = Devices::pc();
    let mut m = Machine::with_parts(Cpu::default(), board);
    for seg in &elf.segments {
        let end = u64::from(seg.paddr) + u64::from(seg.mem_size);
        if u64::from(seg.paddr) < u64::from(LOADER_GDT + LOADER_SPAN) && end > u64::from(LOADER_GDT)
        {
            return Err(BootError::Elf {
                offset: seg.offset as usize,
                message: format!(
                    "a PT_LOAD segment at {:#x} overlaps the loader's data at {LOADER_GDT:#x}",
                    seg.paddr
                ),
            });
        }
        let from = seg.offset as usize;
        m.load(seg.paddr, &image[from..from + seg.file_size as usize]);
        let zeros = vec![0u8; (seg.mem_size - seg.file_size) as usize];
        m.load(seg.paddr + seg.file_size, &zeros);
    }
    write_loader_data(&mut m);
    let entry = physical_entry(&elf);
    let cpu = m.cpu_mut();
    *cpu = Cpu::default();
    cpu.gdtr = TableReg {
        base: LOADER_GDT,
        limit: 3 * 8 - 1,
    };
    cpu.eflags = flags::RESERVED1;
    cpu.eip = entry;
    cpu.set_reg(Reg::Eax, BOOTLOADER_MAGIC);
    cpu.set_reg(Reg::Ebx, LOADER_INFO);
    Ok(m)
}

/// The entry point as a physical address: a loader runs it with paging
/// off, so an entry inside a segment linked at a different virtual
/// address is translated by that segment's offset (as QEMU does).
fn physical_entry(elf: &Elf32) -> u32 {
    elf.segments
        .iter()
        .find(|s| elf.entry.wrapping_sub(s.vaddr) < s.mem_size.max(1))
        .map_or(elf.entry, |s| s.paddr.wrapping_add(elf.entry - s.vaddr))
}

/// The flat GDT and the multiboot information structure (flags: memory
/// sizes and the boot loader's name).
fn write_loader_data(m: &mut Machine) {
    let gdt = [
        0,
        segment::flat(segment::CODE_READ, 0),
        segment::flat(segment::DATA_WRITE, 0),
    ];
    let mem = m.mem_mut();
    for (k, d) in gdt.iter().enumerate() {
        mem.write_u32(LOADER_GDT + 8 * k as u32, *d as u32);
        mem.write_u32(LOADER_GDT + 8 * k as u32 + 4, (*d >> 32) as u32);
    }
    let name = LOADER_INFO + 0x80;
    mem.write_bytes(name, LOADER_NAME);
    const MEMORY: u32 = 1 << 0;
    const LOADER_NAME_FLAG: u32 = 1 << 9;
    mem.write_u32(LOADER_INFO, MEMORY | LOADER_NAME_FLAG);
    mem.write_u32(LOADER_INFO + 4, MEM_LOWER_KIB);
    mem.write_u32(LOADER_INFO + 8, MEM_UPPER_KIB);
    mem.write_u32(LOADER_INFO + 64, name);
}

#[cfg(test)]
mod tests;
