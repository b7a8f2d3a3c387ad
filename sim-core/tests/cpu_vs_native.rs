//! Differential test of the CPU against the real processor.
//!
//! Thousands of generated snippets (`cpu_native/ops.rs`) over the user-mode subset
//! are assembled with GNU `as`, linked at fixed addresses and run natively as 32-bit
//! Linux processes (`cpu_native/harness.rs`). The same object's `.text` bytes
//! (`objcopy -O binary`, so this checks the CPU independently of our assembler) are
//! run by `sim_core::cpu::step` in ring 3 on a flat bus. All eight registers, the
//! scratch memory and EFLAGS (masked per case; by default all status flags, DF and
//! IF) must agree. On an AMD host that includes the flags the SDM leaves undefined,
//! which the engine sets as its reference CPU (AMD Zen 4) does; on any other host
//! exactly those flags are left out, per case (`cpu_native/sdm.rs`), and a summary
//! line says how many cases that touched. Cases that raise #DE in the simulator are
//! built one per binary and must die natively with SIGFPE.
//!
//! Needs `as`, `ld`, `objcopy` and `nm` (binutils) and a kernel that runs i386
//! binaries; set `RINGSIDE_SKIP_NATIVE=1` to skip where they are missing.

#[path = "cpu_native/gen.rs"]
mod gen;
#[path = "cpu_native/harness.rs"]
mod harness;
#[path = "cpu_native/ops.rs"]
mod ops;
#[path = "cpu_native/sdm.rs"]
mod sdm;

use std::path::PathBuf;

use gen::{Case, SCRATCH, SCRATCH_LEN, TEXT};
use harness::NativeResult;
use sim_core::bus::{AccessCtx, Bus, ReadKind, Size};
use sim_core::cpu::{flags, selector, step, Cpu, DecodeCache, Reg};
use sim_core::trap::{pf, Exception};

/// Cases per native binary.
const BATCH: usize = 300;
/// Rounds of every generator (each round is ~570 cases).
const ROUNDS: u32 = 6;
const SIGFPE: i32 = 8;

/// Flat memory: the program text and the scratch area; anything else is #PF.
struct FlatBus {
    text: Vec<u8>,
    scratch: Vec<u8>,
}

impl FlatBus {
    fn byte(&mut self, a: u32, write: bool) -> Result<&mut u8, Exception> {
        let code = if write { pf::W | pf::U } else { pf::U };
        let fault = Exception::PageFault { addr: a, code };
        let (mem, base) = if a >= SCRATCH {
            (&mut self.scratch, SCRATCH)
        } else {
            (&mut self.text, TEXT)
        };
        a.checked_sub(base)
            .and_then(|off| mem.get_mut(off as usize))
            .ok_or(fault)
    }
}

impl Bus for FlatBus {
    fn read(&mut self, _: AccessCtx, lin: u32, size: Size, _: ReadKind) -> Result<u32, Exception> {
        let mut v = 0;
        for k in (0..size.bytes()).rev() {
            v = (v << 8) | u32::from(*self.byte(lin.wrapping_add(k), false)?);
        }
        Ok(v)
    }
    fn write(&mut self, _: AccessCtx, lin: u32, size: Size, value: u32) -> Result<(), Exception> {
        for k in 0..size.bytes() {
            self.byte(lin.wrapping_add(k), true)?;
        }
        for k in 0..size.bytes() {
            *self.byte(lin.wrapping_add(k), true)? = (value >> (8 * k)) as u8;
        }
        Ok(())
    }
    fn port_in(&mut self, _: u16, _: Size) -> u32 {
        0
    }
    fn port_out(&mut self, _: u16, _: Size, _: u32) {}
    fn code_epoch(&self) -> Option<u64> {
        Some(0)
    }
}

/// What the simulator did with a case.
enum SimOutcome {
    Done(NativeResult),
    Fault(Exception),
}

fn initial_cpu(case: &Case, start: u32) -> Cpu {
    let mut cpu = Cpu {
        gpr: case.regs,
        eip: start,
        eflags: case.eflags | flags::RESERVED1 | flags::IF,
        ..Cpu::default()
    };
    cpu.seg.cs = selector::USER_CODE;
    cpu.seg.ss = selector::USER_DATA;
    cpu.seg.ds = selector::USER_DATA;
    cpu.seg.es = selector::USER_DATA;
    cpu
}

fn simulate(case: &Case, text: &[u8], (start, end): (u32, u32)) -> Result<SimOutcome, String> {
    let mut bus = FlatBus {
        text: text.to_vec(),
        scratch: case.mem.clone(),
    };
    let mut cpu = initial_cpu(case, start);
    let mut cache = DecodeCache::default();
    for _ in 0..10_000 {
        if cpu.eip == end {
            return Ok(SimOutcome::Done(NativeResult {
                regs: cpu.gpr,
                eflags: cpu.eflags,
                mem: bus.scratch,
            }));
        }
        let before = cpu.clone();
        if let Err(e) = step(&mut cpu, &mut bus, &mut cache) {
            if cpu != before {
                return Err(format!("fault {e} changed the CPU: {before:?} -> {cpu:?}"));
            }
            return Ok(SimOutcome::Fault(e));
        }
    }
    Err("did not reach the end of the snippet in 10000 steps".into())
}

/// The host CPU's vendor (CPUID), read once.
fn host_vendor() -> &'static str {
    static VENDOR: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VENDOR.get_or_init(sdm::host_vendor)
}

/// EFLAGS bits of `case.flag_mask` left out of the comparison on this host: none on
/// an AMD host, else the ones the SDM leaves undefined for the case's instruction.
fn uncompared_flags(case: &Case) -> u32 {
    if host_vendor() == sdm::REFERENCE_VENDOR {
        0
    } else {
        sdm::undefined_flags(case) & case.flag_mask
    }
}

/// The summary line: host, cases, and how many of those whose results (not a #DE)
/// were compared had SDM-undefined flags masked.
fn summary<'a>(what: &str, total: usize, compared: impl Iterator<Item = &'a Case>) {
    let masked = compared.filter(|c| uncompared_flags(c) != 0).count();
    eprintln!(
        "cpu_vs_native ({what}): host {}; {total} cases, {masked} compared with \
         SDM-undefined flags masked",
        host_vendor()
    );
}

/// Differences between native and simulated results, as readable lines.
fn diff(case: &Case, native: &NativeResult, sim: &NativeResult) -> Vec<String> {
    let mut out = Vec::new();
    for r in Reg::ALL {
        let (n, s) = (native.regs[r as usize], sim.regs[r as usize]);
        if n != s {
            out.push(format!("{}: native {n:#010x} sim {s:#010x}", r.name()));
        }
    }
    let mask = case.flag_mask & !uncompared_flags(case);
    let (n, s) = (native.eflags & mask, sim.eflags & mask);
    if n != s {
        let names: Vec<&str> = flags::NAMED
            .iter()
            .filter(|(b, _)| (n ^ s) & b != 0)
            .map(|(_, name)| *name)
            .collect();
        out.push(format!(
            "eflags: native {n:#x} sim {s:#x} (differ: {names:?})"
        ));
    }
    for k in 0..SCRATCH_LEN {
        if native.mem[k] != sim.mem[k] {
            out.push(format!(
                "mem[{:#x}]: native {:#04x} sim {:#04x}",
                SCRATCH as usize + k,
                native.mem[k],
                sim.mem[k]
            ));
            break;
        }
    }
    out
}

fn describe(case: &Case) -> String {
    format!(
        "[{}] `{}` regs {:x?} eflags {:#x}",
        case.name, case.asm, case.regs, case.eflags
    )
}

fn work_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cpu_vs_native");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn tools_available() -> bool {
    ["as", "ld", "objcopy", "nm"].iter().all(|t| {
        std::process::Command::new(t)
            .arg("--version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    })
}

/// Everything the native run established, shared by the two tests.
struct NativeRun {
    /// Cases that ran to completion natively, with their native results.
    completed: Vec<(Case, NativeResult)>,
    /// Cases that are #DE in the simulator (natively checked for SIGFPE, up to 40).
    divide_errors: Vec<Case>,
    /// Simulator-vs-native differences.
    failures: Vec<String>,
    generated: usize,
}

fn skip_native() -> bool {
    if std::env::var_os("RINGSIDE_SKIP_NATIVE").is_some() {
        eprintln!("RINGSIDE_SKIP_NATIVE set: skipping the native differential test");
        return true;
    }
    assert!(
        tools_available(),
        "binutils (as, ld, objcopy, nm) are needed for the differential test; \
         install them or set RINGSIDE_SKIP_NATIVE=1"
    );
    false
}

fn native_run() -> &'static NativeRun {
    static RUN: std::sync::OnceLock<NativeRun> = std::sync::OnceLock::new();
    RUN.get_or_init(run_natively)
}

fn run_natively() -> NativeRun {
    let dir = work_dir();
    let cases = ops::all(0x5eed_1234, ROUNDS);
    let mut failures = Vec::new();
    let mut divide_errors = Vec::new();
    let mut completed = Vec::new();
    for (b, batch) in cases.chunks(BATCH).enumerate() {
        let name = format!("batch{b}");
        let built = harness::build(&dir, &name, batch).unwrap_or_else(|e| panic!("{e}"));
        let mut runnable = Vec::new();
        for (k, case) in batch.iter().enumerate() {
            match simulate(case, &built.text, built.bounds[k]) {
                Ok(SimOutcome::Done(_)) => runnable.push(case.clone()),
                Ok(SimOutcome::Fault(Exception::DivideError)) => divide_errors.push(case.clone()),
                Ok(SimOutcome::Fault(e)) => {
                    failures.push(format!("{}: sim fault {e}", describe(case)))
                }
                Err(e) => failures.push(format!("{}: {e}", describe(case))),
            }
        }
        // Rebuild without the faulting cases, which would kill the process, and
        // simulate on the rebuilt text (addresses moved).
        let built = harness::build(&dir, &name, &runnable).unwrap_or_else(|e| panic!("{e}"));
        let natives = harness::run(&built, runnable.len()).unwrap_or_else(|e| panic!("{e}"));
        for (k, (case, native)) in runnable.into_iter().zip(natives).enumerate() {
            match simulate(&case, &built.text, built.bounds[k]) {
                Ok(SimOutcome::Done(sim)) => {
                    let d = diff(&case, &native, &sim);
                    if !d.is_empty() {
                        failures.push(format!("{}:\n    {}", describe(&case), d.join("\n    ")));
                    }
                }
                _ => failures.push(format!(
                    "{}: changed behaviour when rebuilt",
                    describe(&case)
                )),
            }
            completed.push((case, native));
        }
    }
    // #DE cases: one binary each (capped), which must die with SIGFPE.
    for (k, case) in divide_errors.iter().take(40).enumerate() {
        let built = harness::build(&dir, &format!("fault{k}"), std::slice::from_ref(case))
            .unwrap_or_else(|e| panic!("{e}"));
        match harness::run_expecting_signal(&built) {
            Ok(Some(SIGFPE)) => {}
            other => failures.push(format!("{}: sim #DE, native {other:?}", describe(case))),
        }
    }
    NativeRun {
        completed,
        divide_errors,
        failures,
        generated: cases.len(),
    }
}

/// Panic with at most three examples per op, so one broken op does not hide the
/// others.
fn report(what: &str, failures: &[String], total: usize) {
    if failures.is_empty() {
        return;
    }
    let mut per_op = std::collections::BTreeMap::<String, usize>::new();
    let shown: Vec<_> = failures
        .iter()
        .filter(|f| {
            let op = f.split(']').next().unwrap_or("").to_string();
            let n = per_op.entry(op).or_default();
            *n += 1;
            *n <= 3
        })
        .take(60)
        .cloned()
        .collect();
    eprintln!("failures per op: {per_op:?}");
    panic!(
        "{what}: {} of {total} cases differ:\n{}",
        failures.len(),
        shown.join("\n")
    );
}

#[test]
fn cpu_matches_native_execution() {
    if skip_native() {
        return;
    }
    let run = native_run();
    eprintln!(
        "compared {} cases natively, {} #DE cases",
        run.completed.len(),
        run.divide_errors.len()
    );
    assert!(
        run.completed.len() > 2000,
        "only {} cases compared",
        run.completed.len()
    );
    assert!(!run.divide_errors.is_empty(), "no #DE case generated");
    let compared = run.completed.iter().map(|(c, _)| c);
    summary("cpu::step", run.generated, compared);
    report("cpu::step vs native", &run.failures, run.generated);
}

/// The same cases through `ringside exec` (source → our assembler → our machine),
/// compared with the native results. Skipped: cases whose results contain code
/// addresses (`call`, `$1f`), since exec loads code elsewhere. exec runs in ring 0,
/// so IF (which `popf` may change there) is not compared.
#[test]
fn exec_matches_native_execution() {
    if skip_native() {
        return;
    }
    let run = native_run();
    let uses_code_address = |c: &Case| c.asm.contains("call") || c.asm.contains("$1f");
    let mut input = String::new();
    let mut expected = Vec::new();
    for (case, native) in run.completed.iter().filter(|(c, _)| !uses_code_address(c)) {
        input.push_str(&exec_line(case));
        expected.push((case, Some(native)));
    }
    for case in run.divide_errors.iter() {
        input.push_str(&exec_line(case));
        expected.push((case, None));
    }
    let output = run_exec(&input);
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(
        lines.len(),
        expected.len(),
        "ringside exec printed a wrong number of lines"
    );
    let mut failures = Vec::new();
    for ((case, native), line) in expected.iter().zip(lines) {
        if let Err(e) = check_exec_line(case, *native, line) {
            failures.push(format!("{}: {e}\n    exec: {line}", describe(case)));
        }
    }
    eprintln!("compared {} cases through ringside exec", expected.len());
    let compared = expected.iter().filter(|(_, n)| n.is_some());
    summary("ringside exec", expected.len(), compared.map(|(c, _)| *c));
    report("ringside exec vs native", &failures, expected.len());
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn exec_line(case: &Case) -> String {
    let regs: serde_json::Map<String, serde_json::Value> = Reg::ALL
        .iter()
        .map(|r| (r.name().to_string(), case.regs[*r as usize].into()))
        .collect();
    let line = serde_json::json!({
        "code": case.asm.replace(';', "\n"),
        "regs": regs,
        "eflags": case.eflags | flags::RESERVED1 | flags::IF,
        "mem": {"addr": SCRATCH, "hex": hex(&case.mem)},
    });
    format!("{line}\n")
}

fn run_exec(input: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    // `option_env!`: the binary only exists with the default `cli` feature.
    let Some(exe) = option_env!("CARGO_BIN_EXE_ringside") else {
        panic!("the ringside binary is not built (needs the `cli` feature)");
    };
    let mut child = Command::new(exe)
        .arg("exec")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start ringside exec: {e}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("no stdin"));
    let input = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("ringside exec failed: {e}"));
    let _ = writer.join();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn check_exec_line(case: &Case, native: Option<&NativeResult>, line: &str) -> Result<(), String> {
    let v: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("bad JSON: {e}"))?;
    let fault = v.get("fault").and_then(|f| f.as_str());
    let Some(native) = native else {
        return match fault {
            Some("#DE") => Ok(()),
            other => Err(format!("expected #DE, exec says {other:?}")),
        };
    };
    if let Some(f) = fault {
        return Err(format!("exec fault {f}"));
    }
    let num = |x: Option<&serde_json::Value>| x.and_then(|x| x.as_u64()).map(|x| x as u32);
    let mut regs = [0u32; 8];
    for r in Reg::ALL {
        regs[r as usize] = num(v.get("regs").and_then(|g| g.get(r.name())))
            .ok_or(format!("no {} in output", r.name()))?;
    }
    let eflags = num(v.get("eflags")).ok_or("no eflags in output")?;
    let mem_hex = v
        .get("mem")
        .and_then(|m| m.get("hex"))
        .and_then(|h| h.as_str())
        .ok_or("no mem in output")?;
    let mem: Vec<u8> = (0..mem_hex.len() / 2)
        .filter_map(|k| u8::from_str_radix(mem_hex.get(2 * k..2 * k + 2)?, 16).ok())
        .collect();
    if mem.len() != SCRATCH_LEN {
        return Err(format!("mem has {} bytes", mem.len()));
    }
    let mut masked = case.clone();
    masked.flag_mask &= !flags::IF;
    let d = diff(&masked, native, &NativeResult { regs, eflags, mem });
    if d.is_empty() {
        Ok(())
    } else {
        Err(d.join("; "))
    }
}
