use super::*;
use proptest::prelude::*;

/// A minimal ET_EXEC/EM_386 file: the header, the program headers, then each
/// segment's bytes. Segments: (vaddr, bytes, memsz, flags).
pub(crate) fn build(entry: u32, segs: &[(u32, &[u8], u32, u32)]) -> Vec<u8> {
    let mut f = vec![0u8; EHDR_SIZE];
    f[..7].copy_from_slice(b"\x7fELF\x01\x01\x01");
    f[16..18].copy_from_slice(&ET_EXEC.to_le_bytes());
    f[18..20].copy_from_slice(&EM_386.to_le_bytes());
    f[20..24].copy_from_slice(&1u32.to_le_bytes());
    f[24..28].copy_from_slice(&entry.to_le_bytes());
    f[28..32].copy_from_slice(&(EHDR_SIZE as u32).to_le_bytes());
    f[40..42].copy_from_slice(&(EHDR_SIZE as u16).to_le_bytes());
    f[42..44].copy_from_slice(&(PHDR_SIZE as u16).to_le_bytes());
    f[44..46].copy_from_slice(&(segs.len() as u16).to_le_bytes());
    let mut offset = EHDR_SIZE + PHDR_SIZE * segs.len();
    for (vaddr, bytes, memsz, flags) in segs {
        for w in [
            PT_LOAD,
            offset as u32,
            *vaddr,
            *vaddr,
            bytes.len() as u32,
            *memsz,
            *flags,
            4096,
        ] {
            f.extend_from_slice(&w.to_le_bytes());
        }
        offset += bytes.len();
    }
    for (_, bytes, _, _) in segs {
        f.extend_from_slice(bytes);
    }
    f
}

const CODE: &[u8] = &[0xb8, 0x02, 0, 0, 0, 0xcd, 0x40]; // movl $2,%eax; int $64

fn good() -> Vec<u8> {
    build(
        0x0804_9000,
        &[
            (0x0804_9000, CODE, 7, PF_X | 4),
            (0x0804_a000, b"hi", 0x100, PF_W | 4),
        ],
    )
}

fn error(file: &[u8]) -> ElfError {
    parse(file).expect_err("should be refused")
}

#[test]
fn reads_segments_and_entry() {
    let elf = parse(&good()).unwrap();
    assert_eq!(elf.entry, 0x0804_9000);
    assert_eq!(elf.segments.len(), 2);
    assert_eq!(elf.text, 0);
    assert_eq!(elf.segments[1].bytes, b"hi");
    assert_eq!(elf.segments[1].mem_size, 0x100);
}

#[test]
fn refusals_name_the_field() {
    assert_eq!(error(b"#!/bin/sh\n").field, "e_ident");
    let mut f = good();
    f[4] = 2;
    assert!(error(&f)
        .to_string()
        .starts_with("byte 4 (EI_CLASS): a 64-bit ELF"));
    let mut f = good();
    f[18] = 62;
    assert_eq!(
        error(&f).to_string(),
        "byte 18 (e_machine): x86-64 code; assemble with as --32"
    );
    let mut f = good();
    f[16] = 1;
    assert!(error(&f).message.contains("object file"));
    let mut f = good();
    f[16] = 3;
    assert!(error(&f).message.contains("ET_DYN"));
    let mut f = good();
    f[44] = 40;
    assert_eq!(error(&f).field, "e_phnum");
}

#[test]
fn segments_must_fit_user_space() {
    let e = error(&build(0x10, &[(0, CODE, 7, PF_X)]));
    assert_eq!((e.offset, e.field), (EHDR_SIZE + 8, "p_vaddr"));
    assert!(e.message.contains("outside user space"), "{e}");
    let e = error(&build(0x7fff_fff0, &[(0x7fff_fff0, CODE, 0x20, PF_X)]));
    assert!(e.message.contains("0x80000010"), "{e}");
    // Wrapping around the 4 GiB space is caught too.
    let e = error(&build(0xffff_f000, &[(0xffff_f000, CODE, 0x2000, PF_X)]));
    assert_eq!(e.field, "p_vaddr");
}

#[test]
fn overlaps_sizes_and_entry_are_checked() {
    let e = error(&build(
        0x2000,
        &[(0x2000, CODE, 0x100, PF_X), (0x2080, b"x", 1, PF_W)],
    ));
    assert!(e.message.contains("overlaps"), "{e}");
    let e = error(&build(0x2000, &[(0x2000, CODE, 0x10_0000 + 1, PF_X)]));
    assert_eq!(e.field, "p_memsz");
    assert!(e.message.contains("limit is 256 pages"), "{e}");
    let e = error(&build(0x9000, &[(0x2000, CODE, 7, PF_X)]));
    assert_eq!(e.field, "e_entry");
    let e = error(&build(
        0x2000,
        &[(0x2000, CODE, 7, PF_X), (0x4000, CODE, 7, PF_X)],
    ));
    assert!(e.message.contains("2 executable segments"), "{e}");
    let e = error(&build(0x2000, &[(0x2000, CODE, 3, PF_X)]));
    assert_eq!(e.field, "p_filesz");
    // Sharing a page is fine (ld -n packs segments this way).
    assert!(parse(&build(
        0x2000,
        &[(0x2000, CODE, 7, PF_X), (0x2007, b"x", 1, PF_W)]
    ))
    .is_ok());
}

#[test]
fn truncated_files_are_refused() {
    let f = good();
    for n in 0..f.len() - 2 {
        assert!(parse(&f[..n]).is_err(), "accepted {n} bytes");
    }
    let mut big = good();
    big.resize(MAX_ELF_BYTES + 1, 0);
    assert_eq!(error(&big).field, "file");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    /// Arbitrary bytes never panic the parser.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse(&bytes);
    }

    /// Nor does a valid file with any bytes changed: deep checks are reached.
    #[test]
    fn mutated_files_never_panic(edits in proptest::collection::vec((0usize..200, any::<u8>()), 1..8)) {
        let mut f = good();
        for (at, b) in edits {
            if let Some(x) = f.get_mut(at) {
                *x = b;
            }
        }
        if let Ok(elf) = parse(&f) {
            prop_assert!(elf.segments.iter().all(|s| s.vaddr >= USER_TEXT && u64::from(s.vaddr) + u64::from(s.mem_size) <= u64::from(KERNBASE)));
        }
    }
}
