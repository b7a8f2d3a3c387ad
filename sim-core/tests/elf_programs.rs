//! User programs as static ELF executables: `tests/data/elf/hello.s` built
//! with `as --32` + `ld -m elf_i386` runs as a process through `Session` and
//! the CLI (a path, a scenario's `elf_path`, a share link), shows its
//! disassembly in the code panel with the current line and breakpoints, and
//! hostile files are refused with located errors. Set RINGSIDE_SKIP_GAS=1 to
//! skip when binutils are not installed.

use std::path::PathBuf;
use std::process::Command;

use sim_core::kernel::elf::MAX_ELF_BYTES;
use sim_core::scenario::base64;
use sim_core::session::{Command as Cmd, Granularity, ProgramSource, RunStop, Scenario, Session};

const HELLO: &str = include_str!("data/elf/hello.s");
const OUTPUT: &str = "hello from an ELF program\n";

fn skip() -> bool {
    std::env::var_os("RINGSIDE_SKIP_GAS").is_some()
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ringside_elf_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn tool(cmd: &str, args: &[&str]) {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .expect("binutils installed");
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Assembles and links `source` in `dir`; returns the executable's path.
fn build(dir: &std::path::Path, source: &str, as_args: &[&str], ld_args: &[&str]) -> PathBuf {
    let p = |n: &str| dir.join(n).to_string_lossy().into_owned();
    std::fs::write(p("prog.s"), source).expect("write");
    let (src, o, elf) = (p("prog.s"), p("prog.o"), p("prog.elf"));
    let mut a = as_args.to_vec();
    a.extend(["-o", &o, &src]);
    tool("as", &a);
    let mut l = ld_args.to_vec();
    l.extend(["-o", &elf, &o]);
    tool("ld", &l);
    dir.join("prog.elf")
}

fn hello_elf(dir: &std::path::Path) -> Vec<u8> {
    std::fs::read(build(dir, HELLO, &["--32"], &["-m", "elf_i386"])).expect("read")
}

fn scenario_of(programs: Vec<ProgramSource>) -> Scenario {
    let procs: Vec<_> = programs
        .iter()
        .map(|p| serde_json::json!({"program": p.name}))
        .collect();
    let doc = serde_json::json!({
        "version": 1, "title": "elf", "mode": "preemptive",
        "scheduler": {"policy": "round_robin", "quantum": 2000},
        "programs": programs, "processes": procs,
    });
    Scenario::from_json(&doc.to_string()).expect("valid scenario")
}

#[test]
fn an_elf_program_runs_as_a_process() {
    if skip() {
        return;
    }
    let elf = hello_elf(&scratch("session"));
    // Two processes of the same executable, beside an assembled program.
    let s = scenario_of(vec![
        ProgramSource::from_elf("hello", &elf),
        ProgramSource::assembly("asm", "main:\n    pushl $0\n    call exit\n"),
    ]);
    let mut session = Session::new(s).expect("builds");
    assert_eq!(
        session.apply(&Cmd::Run { cycles: 1_000_000 }),
        Some(RunStop::Halted)
    );
    let v = session.view();
    assert_eq!(v.console, OUTPUT.repeat(3));
    let hello = v
        .processes
        .iter()
        .find(|p| p.name == "hello")
        .expect("hello ran");
    assert_eq!(hello.exit_status, Some(3), "the .bss counter reached 3");
}

#[test]
fn the_code_panel_shows_the_disassembly_with_the_current_line_and_breakpoints() {
    if skip() {
        return;
    }
    let elf = hello_elf(&scratch("code"));
    let mut session =
        Session::new(scenario_of(vec![ProgramSource::from_elf("hello", &elf)])).expect("builds");
    // Into user code: the first instruction is _start's.
    while session.view().code.kernel {
        session.apply(&Cmd::Step {
            granularity: Granularity::Instruction,
        });
    }
    let code = session.view().code;
    assert_eq!(code.lines[0].text, "mov    $0x3,%ecx");
    assert_eq!(code.lines[0].addr, Some(0x0804_9000));
    assert_eq!(code.lines[0].bytes, "b9 03 00 00 00");
    assert_eq!(code.current_line, Some(1));
    let int = code
        .lines
        .iter()
        .find(|l| l.text == "int    $0x40")
        .expect("the write stub's int $64");
    session.apply(&Cmd::SetBreakpoints {
        lines: vec![(0, int.line)],
    });
    assert_eq!(
        session.apply(&Cmd::Run { cycles: 100_000 }),
        Some(RunStop::Breakpoint)
    );
    let v = session.view();
    assert_eq!(v.code.current_line, Some(int.line));
    assert_eq!(Some(v.cpu.eip), int.addr);
    session.apply(&Cmd::Step {
        granularity: Granularity::Instruction,
    });
    assert_eq!(session.view().active_gate, Some(64));
}

fn ringside(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ringside"))
        .args(args)
        .output()
        .expect("ringside runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_cli_runs_an_elf_path_an_elf_path_field_and_its_link() {
    if skip() {
        return;
    }
    let dir = scratch("cli");
    let elf = build(&dir, HELLO, &["--32"], &["-m", "elf_i386"]);
    let (ok, out, err) = ringside(&["run", &elf.to_string_lossy()]);
    assert!(ok, "{err}");
    assert!(out.starts_with(&OUTPUT.repeat(3)), "{out}");
    assert!(out.contains("# prog after"), "{out}");

    let json = dir.join("two.json");
    std::fs::write(
        &json,
        r#"{"version": 1, "title": "two", "mode": "cooperative", "scheduler": {"policy": "fifo"},
            "programs": [{"name": "hello", "elf_path": "prog.elf"}],
            "processes": [{"program": "hello"}, {"program": "hello"}]}"#,
    )
    .expect("write");
    let (ok, out, err) = ringside(&["run", &json.to_string_lossy()]);
    assert!(ok, "{err}");
    assert!(out.starts_with(&OUTPUT.repeat(6)), "{out}");

    let (ok, link, err) = ringside(&["link", &json.to_string_lossy()]);
    assert!(ok, "{err}");
    let (ok, out, err) = ringside(&["run", link.trim()]);
    assert!(ok, "{err}");
    assert!(out.starts_with(&OUTPUT.repeat(6)), "{out}");

    std::fs::write(&json, r#"{"version": 1, "title": "x", "mode": "cooperative", "scheduler": {"policy": "fifo"}, "programs": [{"name": "a", "elf_path": "missing.elf"}], "processes": [{"program": "a"}]}"#).expect("write");
    let (ok, _, err) = ringside(&["run", &json.to_string_lossy()]);
    assert!(!ok);
    assert!(
        err.contains("$.programs[0].elf_path: ") && err.contains("missing.elf"),
        "{err}"
    );
}

/// The error `from_json` gives for a program with `elf` = these bytes.
fn elf_error(bytes: &[u8]) -> String {
    let doc = serde_json::json!({
        "version": 1, "title": "x", "mode": "preemptive",
        "scheduler": {"policy": "round_robin", "quantum": 2000},
        "programs": [{"name": "p", "elf": base64::encode(bytes)}],
        "processes": [{"program": "p"}],
    });
    let errors = Scenario::from_json(&doc.to_string()).expect_err("refused");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path, "$.programs[0].elf");
    errors[0].message.clone()
}

#[test]
fn hostile_or_foreign_executables_get_located_errors() {
    if skip() {
        return;
    }
    let dir = scratch("hostile");
    let x86_64 = build(&dir, ".globl _start\n_start: nop\n", &["--64"], &[]);
    let m = elf_error(&std::fs::read(x86_64).expect("read"));
    assert_eq!(
        m,
        "byte 4 (EI_CLASS): a 64-bit ELF; link with ld -m elf_i386"
    );
    // The object file, not linked.
    let m = elf_error(&std::fs::read(dir.join("prog.o")).expect("read"));
    assert!(m.starts_with("byte 4 (EI_CLASS)"), "{m}");
    build(&dir, HELLO, &["--32"], &["-m", "elf_i386"]);
    let m = elf_error(&std::fs::read(dir.join("prog.o")).expect("read"));
    assert!(m.starts_with("byte 16 (e_type): an object file"), "{m}");
    // Linked into page 0 (the headers' segment) or into the kernel's half.
    let low = build(
        &dir,
        HELLO,
        &["--32"],
        &["-m", "elf_i386", "-Ttext", "0x1000"],
    );
    let m = elf_error(&std::fs::read(low).expect("read"));
    assert!(
        m.starts_with("byte 60 (p_vaddr): segment 0x00000000..")
            && m.contains("outside user space"),
        "{m}"
    );
    let high = build(
        &dir,
        HELLO,
        &["--32"],
        &["-m", "elf_i386", "-Ttext-segment", "0x80000000"],
    );
    let m = elf_error(&std::fs::read(high).expect("read"));
    assert!(m.contains("outside user space"), "{m}");
    // A .bss over the image cap.
    let big = HELLO.replace("count: .space 4", "count: .space 4\nbig: .space 0x200000");
    let big = build(&dir, &big, &["--32"], &["-m", "elf_i386"]);
    let m = elf_error(&std::fs::read(big).expect("read"));
    assert!(
        m.contains("(p_memsz): the segments need at least") && m.contains("limit is 256 pages"),
        "{m}"
    );
    // Not ELF, not base64, too large, truncated.
    assert!(elf_error(b"#!/bin/sh\necho hi\n").starts_with("byte 0 (e_ident): not an ELF file"));
    assert!(elf_error(&vec![0x7f; MAX_ELF_BYTES + 1]).contains("the limit is 262144"));
    let good = hello_elf(&dir);
    assert!(
        elf_error(&good[..100]).starts_with("byte 28 (e_phoff)"),
        "cut in the headers"
    );
    assert!(
        elf_error(&good[..0x1010]).contains("(p_offset)"),
        "cut inside a segment"
    );
    let doc = r#"{"version": 1, "title": "x", "mode": "preemptive", "scheduler": {"policy": "fifo"},
        "programs": [{"name": "p", "elf": "f0VMR*"}], "processes": [{"program": "p"}]}"#;
    let e = &Scenario::from_json(doc).expect_err("refused")[0];
    assert_eq!(
        e.to_string(),
        "$.programs[0].elf: not base64: character 6 ('*') is not base64"
    );
    // Source and ELF at once.
    let both = doc.replace(
        r#""elf": "f0VMR*""#,
        r#""source": "main:", "elf": "f0VMRg==""#,
    );
    let e = &Scenario::from_json(&both).expect_err("refused")[0];
    assert_eq!(e.path, "$.programs[0]");
    assert!(e.message.contains("not both"));
}
