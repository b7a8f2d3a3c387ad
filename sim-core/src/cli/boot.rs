//! `ringside boot KERNEL.elf [--max-cycles N]`: boots a multiboot (v1) ELF
//! kernel on the PC wiring ([`crate::dev::pc`]) as QEMU's `-kernel` does.
//! Bytes the kernel writes to the serial port go to standard output as they
//! are written; why the run ended goes to standard error. The exit status
//! is QEMU's: (value << 1) | 1 for a write to isa-debug-exit, 0 for a
//! triple fault (QEMU's `-no-reboot` exits cleanly), 1 for a hlt with
//! interrupts off or the cycle limit (where QEMU would hang).

use std::io::Write;

use crate::dev::pc;
use crate::machine::{Machine, StopReason};
use crate::multiboot;

const USAGE: &str = "usage: ringside boot KERNEL.elf [--max-cycles N]";
/// The default cycle budget: about a second of a 1 GHz machine.
pub const DEFAULT_MAX_CYCLES: u64 = 1_000_000_000;
/// Cycles run between two flushes of the serial output.
const SLICE: u64 = 100_000;

/// `ringside boot`.
pub fn main(args: &[String]) -> i32 {
    let mut path = None;
    let mut max_cycles = DEFAULT_MAX_CYCLES;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--max-cycles" => match it.next().and_then(|v| v.parse::<u64>().ok()) {
                Some(n) => max_cycles = n,
                None => return usage("--max-cycles needs a number of cycles"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return 0;
            }
            s if s.starts_with("--") => return usage(&format!("unknown option {s}")),
            s if path.is_none() => path = Some(s.to_string()),
            s => return usage(&format!("unexpected argument {s}")),
        }
    }
    let Some(path) = path else {
        return usage("no kernel given");
    };
    let image = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("ringside boot: {path}: {e}");
            return 1;
        }
    };
    let mut m = match multiboot::boot(&image) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("ringside boot: {path}: {e}");
            return 1;
        }
    };
    let mut out = std::io::stdout().lock();
    let stop = match run(&mut m, max_cycles, &mut out) {
        Ok(stop) => stop,
        Err(e) => {
            eprintln!("ringside boot: writing the serial output: {e}");
            return 1;
        }
    };
    if let Some((eip, what)) = m.unmodelled() {
        eprintln!("ringside boot: note: #UD at eip {eip:#010x}: {what}");
    }
    let (reason, status) = describe(&m, stop);
    eprintln!("ringside boot: {reason} after {} cycles", m.cycle());
    status
}

/// Runs until the machine stops or `max_cycles` have passed, copying the
/// serial output to `out` slice by slice.
pub fn run(m: &mut Machine, max_cycles: u64, out: &mut impl Write) -> std::io::Result<StopReason> {
    let mut written = 0;
    let mut left = max_cycles;
    loop {
        let slice = left.min(SLICE);
        let stop = m.run(slice);
        left -= slice;
        let output = m.devices().console.output();
        if output.len() > written {
            out.write_all(&output[written..])?;
            out.flush()?;
            written = output.len();
        }
        match stop {
            StopReason::CycleLimit if left > 0 => {}
            // `run` stops at breakpoints only, and a booted machine has none.
            StopReason::Breakpoint(_) => {}
            stop => return Ok(stop),
        }
    }
}

/// The end of a run in words, and the exit status QEMU would give.
fn describe(m: &Machine, stop: StopReason) -> (String, i32) {
    let at = m.cpu().eip;
    match stop {
        StopReason::DebugExit(v) => (
            format!("isa-debug-exit: the kernel wrote {v:#x} to port 0xf4"),
            pc::exit_status(v),
        ),
        StopReason::TripleFault => (format!("triple fault at eip {at:#010x}"), 0),
        StopReason::HaltedForever => (
            format!(
                "hlt with interrupts off at eip {:#010x}",
                at.wrapping_sub(1)
            ),
            1,
        ),
        StopReason::CycleLimit => ("cycle limit reached".to_string(), 1),
        StopReason::Exception(e) => (format!("stopped on {e}"), 1),
        StopReason::Breakpoint(a) => (format!("breakpoint at {a:#010x}"), 1),
    }
}

fn usage(msg: &str) -> i32 {
    eprintln!("ringside boot: {msg}\n{USAGE}");
    super::EXIT_USAGE
}
