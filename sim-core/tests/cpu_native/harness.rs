//! The native side: one static i386 program per batch of cases, built with GNU `as`
//! and `ld` at fixed addresses, run as a Linux process (no libc).
//!
//! For each case the program copies the case's scratch image into the scratch area,
//! loads EDI..EAX with `popal`, EFLAGS with `popfl` and ESP last, runs the snippet
//! (between the labels `snip_N` and `end_N`), then saves ESP, all registers (`pushal`),
//! EFLAGS (`pushfl`) and the scratch area into the case's output record. At the end
//! it `write`s all records to stdout and exits.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::gen::{Case, SCRATCH, SCRATCH_LEN, TEXT};

/// Output record: EFLAGS, EDI ESI EBP (ESP) EBX EDX ECX EAX, ESP, scratch.
pub const RECORD: usize = 40 + SCRATCH_LEN;

/// Results of one case on the real CPU.
#[derive(Clone, Debug)]
pub struct NativeResult {
    pub regs: [u32; 8],
    pub eflags: u32,
    pub mem: Vec<u8>,
}

/// A linked batch: the binary, its `.text` bytes and each case's snippet bounds.
pub struct Built {
    pub exe: PathBuf,
    pub text: Vec<u8>,
    /// (start, end) of each case's snippet.
    pub bounds: Vec<(u32, u32)>,
}

fn words(bytes: &[u8]) -> String {
    bytes
        .chunks(4)
        .map(|c| format!("{:#x}", u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
        .collect::<Vec<_>>()
        .join(",")
}

/// GNU as source of a batch.
pub fn source(cases: &[Case]) -> String {
    let mut s = String::from(".code32\n.text\n.globl _start\n_start:\n");
    let n_words = SCRATCH_LEN / 4;
    for (n, c) in cases.iter().enumerate() {
        let _ = write!(
            s,
            "case_{n}:\n cld\n movl $init_{n},%esi\n movl ${SCRATCH:#x},%edi\n movl ${n_words},%ecx\n rep movsl\n \
             movl $regs_{n},%esp\n popal\n popfl\n movl (%esp),%esp\n\
             snip_{n}:\n {}\nend_{n}:\n movl %esp,out_{n}+36\n movl $out_{n}+36,%esp\n pushal\n pushfl\n \
             cld\n movl ${SCRATCH:#x},%esi\n movl $out_{n}+40,%edi\n movl ${n_words},%ecx\n rep movsl\n",
            c.asm.replace(';', "\n ")
        );
    }
    let _ = write!(
        s,
        " movl $4,%eax\n movl $1,%ebx\n movl $out_0,%ecx\n movl ${},%edx\n int $0x80\n \
         movl $1,%eax\n xorl %ebx,%ebx\n int $0x80\n",
        cases.len() * RECORD
    );
    s.push_str(".data\n.align 4\n");
    for (n, c) in cases.iter().enumerate() {
        let r = c.regs;
        // popal order: EDI ESI EBP (skipped) EBX EDX ECX EAX; then EFLAGS; then ESP.
        let _ = writeln!(
            s,
            "regs_{n}: .long {:#x},{:#x},{:#x},0,{:#x},{:#x},{:#x},{:#x},{:#x},{:#x}\ninit_{n}: .long {}",
            r[7], r[6], r[5], r[3], r[2], r[1], r[0], c.eflags, r[4], words(&c.mem)
        );
    }
    s.push_str(".section .scratch,\"aw\"\n.globl scratch\nscratch: .fill ");
    let _ = writeln!(s, "{SCRATCH_LEN},1,0\n.bss\n.align 4");
    for n in 0..cases.len() {
        let _ = writeln!(s, "out_{n}: .skip {RECORD}");
    }
    s
}

fn run_tool(cmd: &mut Command) -> Result<Output, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out)
}

/// Assemble and link `cases` into `dir/name`.
pub fn build(dir: &Path, name: &str, cases: &[Case]) -> Result<Built, String> {
    let src = dir.join(format!("{name}.s"));
    let obj = dir.join(format!("{name}.o"));
    let exe = dir.join(name);
    let bin = dir.join(format!("{name}.text"));
    std::fs::write(&src, source(cases)).map_err(|e| e.to_string())?;
    run_tool(Command::new("as").arg("--32").arg(&src).arg("-o").arg(&obj))?;
    run_tool(
        Command::new("ld")
            .args(["-m", "elf_i386", "-static"])
            .arg(format!("-Ttext={TEXT:#x}"))
            .arg(format!("--section-start=.scratch={SCRATCH:#x}"))
            .arg(&obj)
            .arg("-o")
            .arg(&exe),
    )?;
    run_tool(
        Command::new("objcopy")
            .args(["-O", "binary", "-j", ".text"])
            .arg(&exe)
            .arg(&bin),
    )?;
    let text = std::fs::read(&bin).map_err(|e| e.to_string())?;
    let nm = run_tool(Command::new("nm").arg(&exe))?;
    let mut starts = vec![0u32; cases.len()];
    let mut ends = vec![0u32; cases.len()];
    for line in String::from_utf8_lossy(&nm.stdout).lines() {
        let mut parts = line.split_whitespace();
        let (Some(addr), Some(_), Some(sym)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(addr) = u32::from_str_radix(addr, 16) else {
            continue;
        };
        let slot = |prefix: &str| {
            sym.strip_prefix(prefix)
                .and_then(|n| n.parse::<usize>().ok())
        };
        if let Some(n) = slot("snip_") {
            starts[n] = addr;
        } else if let Some(n) = slot("end_") {
            ends[n] = addr;
        }
    }
    Ok(Built {
        exe,
        text,
        bounds: starts.into_iter().zip(ends).collect(),
    })
}

/// Run a batch binary and split its output into per-case results.
pub fn run(built: &Built, count: usize) -> Result<Vec<NativeResult>, String> {
    let out = run_tool(&mut Command::new(&built.exe))?;
    if out.stdout.len() != count * RECORD {
        return Err(format!(
            "{:?}: expected {} bytes of output, got {}",
            built.exe,
            count * RECORD,
            out.stdout.len()
        ));
    }
    Ok(out.stdout.chunks(RECORD).map(parse_record).collect())
}

fn parse_record(rec: &[u8]) -> NativeResult {
    let w =
        |i: usize| u32::from_le_bytes([rec[4 * i], rec[4 * i + 1], rec[4 * i + 2], rec[4 * i + 3]]);
    // Record words: 0 EFLAGS, 1 EDI, 2 ESI, 3 EBP, 4 (ESP from pushal), 5 EBX, 6 EDX,
    // 7 ECX, 8 EAX, 9 ESP.
    NativeResult {
        regs: [w(8), w(7), w(6), w(5), w(9), w(3), w(2), w(1)],
        eflags: w(0),
        mem: rec[40..].to_vec(),
    }
}

/// Run a single-case binary that is expected to die; returns the signal number.
pub fn run_expecting_signal(built: &Built) -> Result<Option<i32>, String> {
    use std::os::unix::process::ExitStatusExt;
    let status = Command::new(&built.exe)
        .status()
        .map_err(|e| format!("cannot run {:?}: {e}", built.exe))?;
    Ok(status.signal())
}
