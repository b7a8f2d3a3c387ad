use super::*;
use crate::cpu::selector;
use crate::cpu::Reg;
use crate::machine::StopReason;

/// A minimal ELF32 kernel: one PT_LOAD of `code` (after a multiboot
/// header) at physical 0x100000, 16 bytes of bss, entry at the code.
fn kernel(code: &[u8], header_flags: u32) -> Vec<u8> {
    let mut body = Vec::new();
    for w in [
        HEADER_MAGIC,
        header_flags,
        0u32.wrapping_sub(HEADER_MAGIC + header_flags),
    ] {
        body.extend(w.to_le_bytes());
    }
    body.extend(code);
    let (ehsize, phsize) = (52u32, 32u32);
    let offset = ehsize + phsize;
    let mut f = vec![0x7f, b'E', b'L', b'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    f.extend(2u16.to_le_bytes()); // ET_EXEC
    f.extend(3u16.to_le_bytes()); // EM_386
    f.extend(1u32.to_le_bytes());
    f.extend((0x10_0000u32 + 12).to_le_bytes()); // entry
    f.extend(ehsize.to_le_bytes()); // phoff
    f.extend(0u32.to_le_bytes()); // shoff
    f.extend(0u32.to_le_bytes()); // flags
    f.extend((ehsize as u16).to_le_bytes());
    f.extend((phsize as u16).to_le_bytes());
    f.extend(1u16.to_le_bytes()); // phnum
    f.extend([0u8; 6]); // shentsize, shnum, shstrndx
    for w in [
        1,
        offset,
        0x10_0000,
        0x10_0000,
        body.len() as u32,
        body.len() as u32 + 16,
        5,
        0x1000,
    ] {
        f.extend(w.to_le_bytes());
    }
    f.extend(body);
    f
}

#[test]
fn a_kernel_starts_as_multiboot_specifies() {
    // mov $'k', %al; out %al, $0xe9 (unwired); mov $0x3f8,%dx; out %al,%dx;
    // mov $3, %al; out %al, $0xf4
    let code = [
        0xb0, b'k', 0xe6, 0xe9, 0x66, 0xba, 0xf8, 0x03, 0xee, 0xb0, 3, 0xe6, 0xf4,
    ];
    let mut m = boot(&kernel(&code, 3)).expect("boots");
    let cpu = m.cpu();
    assert_eq!(cpu.eip, 0x10_000c);
    assert_eq!(cpu.reg(Reg::Eax), BOOTLOADER_MAGIC);
    assert_eq!(cpu.reg(Reg::Ebx), LOADER_INFO);
    assert_eq!(
        (cpu.cpl(), cpu.eflags, cpu.cr0),
        (0, 2, crate::cpu::cr0::PE)
    );
    assert_eq!(cpu.seg.cs, selector::KERNEL_CODE);
    assert_eq!(m.mem().read_u32(LOADER_INFO + 8), MEM_UPPER_KIB);
    assert_eq!(m.run(1000), StopReason::DebugExit(3));
    assert_eq!(m.devices().console.output(), b"k");
}

#[test]
fn bad_images_are_refused_with_a_location() {
    let good = kernel(&[0xf4], 0);
    assert!(boot(&good).is_ok());
    assert_eq!(boot(&[0; 64]).err(), Some(BootError::NoHeader));
    let mut not_elf = good.clone();
    not_elf[1] = b'X';
    assert!(matches!(
        boot(&not_elf),
        Err(BootError::Elf { offset: 0, .. })
    ));
    let kludge = kernel(&[0xf4], 1 << 16);
    assert!(matches!(boot(&kludge), Err(BootError::Header { .. })));
    let mut truncated = good.clone();
    truncated[28..32].copy_from_slice(&0x1000u32.to_le_bytes()); // e_phoff
    let err = boot(&truncated).unwrap_err().to_string();
    assert!(err.contains("program header"), "{err}");
}
