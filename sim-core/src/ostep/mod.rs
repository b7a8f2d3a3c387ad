//! Byte-identical re-implementations of the OSTEP homework simulators
//! (remzi-arpacidusseau/ostep-homework): `process-run`, `scheduler`, `mlfq`, `lottery`.
//!
//! Each tool parses the same flags as the Python script ([`optparse`]), draws the
//! same random numbers from [`crate::sched::pyrandom::PyRandom`] and prints exactly
//! what the script prints. `scheduler`, `mlfq` and `lottery` drive the policies of
//! [`crate::sched`]; `process-run` models its own two-state CPU/I-O machine.
//!
//! Where the Python scripts crash or loop forever (bad numbers, I/O completing in
//! the past) we stop with an [`OstepError`] instead.

mod lottery;
mod mlfq;
pub mod optparse;
mod process_run;
pub mod pyfmt;
mod scenario;
mod scheduler;

pub use scenario::to_scenario;

/// Why a tool stopped without finishing normally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OstepError {
    /// Bad command line (optparse exits with status 2).
    Usage(String),
    /// The input is rejected; the message goes to standard error (status 1).
    Invalid(String),
    /// The tool already printed its own message to standard output, then exited
    /// with this status (as the Python scripts' `exit(1)`).
    Exit(i32),
    /// Unknown tool name.
    UnknownTool(String),
}

impl OstepError {
    /// Process exit status, as the Python tool would return it.
    pub fn status(&self) -> i32 {
        match self {
            OstepError::Usage(_) | OstepError::UnknownTool(_) => 2,
            OstepError::Invalid(_) => 1,
            OstepError::Exit(code) => *code,
        }
    }
}

impl std::fmt::Display for OstepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OstepError::Usage(m) | OstepError::Invalid(m) => f.write_str(m),
            OstepError::Exit(code) => write!(f, "exited with status {code}"),
            OstepError::UnknownTool(t) => write!(
                f,
                "unknown tool '{t}' (expected process-run, scheduler, mlfq or lottery)"
            ),
        }
    }
}

impl std::error::Error for OstepError {}

/// The tools, by the names used on the command line.
pub const TOOLS: [&str; 4] = ["process-run", "scheduler", "mlfq", "lottery"];

/// Runs `tool` with `args` (without the tool name), appending its standard output to
/// `out`. On error, `out` holds what the tool printed before stopping.
///
/// ```
/// let mut out = String::new();
/// let args: Vec<String> = ["-p", "FIFO", "-l", "10,20", "-c"].iter().map(|s| s.to_string()).collect();
/// sim_core::ostep::run("scheduler", &args, &mut out).unwrap();
/// assert!(out.contains("Average -- Response: 5.00  Turnaround 20.00  Wait 5.00"));
/// ```
pub fn run(tool: &str, args: &[String], out: &mut String) -> Result<(), OstepError> {
    match tool {
        "process-run" | "process-run.py" => process_run::run(args, out),
        "scheduler" | "scheduler.py" => scheduler::run(args, out),
        "mlfq" | "mlfq.py" => mlfq::run(args, out),
        "lottery" | "lottery.py" => lottery::run(args, out),
        other => Err(OstepError::UnknownTool(other.to_string())),
    }
}

/// Python's `print(line)`.
pub(crate) fn println(out: &mut String, line: &str) {
    out.push_str(line);
    out.push('\n');
}

/// `ringside ostep TOOL ARGS… [--scenario]`: runs the tool (or, with
/// `--scenario`, prints its jobs as a scenario: see [`to_scenario`]), writes its standard output to `out`
/// and errors to standard error; returns the exit status the Python tool would.
pub fn main(args: &[String], out: &mut dyn std::io::Write) -> i32 {
    let Some((tool, rest)) = args.split_first() else {
        eprintln!("usage: ringside ostep {{{}}} [options]", TOOLS.join("|"));
        return 2;
    };
    if rest.iter().any(|a| a == "--scenario") {
        let rest: Vec<String> = rest
            .iter()
            .filter(|a| *a != "--scenario")
            .cloned()
            .collect();
        return match to_scenario(tool, &rest) {
            Ok(s) => match writeln!(out, "{}", s.to_json()) {
                Ok(()) => 0,
                Err(_) => 1,
            },
            Err(e) => {
                eprintln!("ringside ostep {tool} --scenario: error: {e}");
                e.status()
            }
        };
    }
    let mut text = String::new();
    let result = run(tool, rest, &mut text);
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return 1;
    }
    match result {
        Ok(()) => 0,
        Err(OstepError::Exit(code)) => code,
        Err(e) => {
            eprintln!("ringside ostep {tool}: error: {e}");
            e.status()
        }
    }
}
