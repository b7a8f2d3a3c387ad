//! The native `ringside` command-line tool: one file per subcommand.
//!
//! To add a subcommand, add its module and one row to [`SUBCOMMANDS`].

pub mod boot;
pub mod exec;
pub mod link;
pub mod ostep;
pub mod run;
pub mod schema;

use std::io::{self, Write};

/// A subcommand: name, one-line help, entry point (args after the name) →
/// process exit code.
pub type Subcommand = (&'static str, &'static str, fn(&[String]) -> i32);

pub const SUBCOMMANDS: &[Subcommand] = &[
    (
        "exec",
        "read JSON test cases on stdin, run each on a fresh machine, print JSON results",
        exec::main,
    ),
    (
        "run",
        "run a scenario: SCENARIO.json|PROG.elf|builtin:NAME|URL#s=… [--until C] [--trace text|json] [--metrics [--json]]",
        run::main,
    ),
    (
        "link",
        "print the share link fragment #s=… of a scenario: SCENARIO.json|builtin:NAME [--cycle N] [--panels A,B]",
        link::main,
    ),
    (
        "scenarios",
        "list the built-in scenarios with their chapters, or print one as JSON: [--json] [NAME]",
        run::scenarios,
    ),
    (
        "schema",
        "print the JSON Schema (draft 2020-12) of the scenario format",
        schema::main,
    ),
    (
        "boot",
        "boot a multiboot ELF kernel as QEMU -kernel does; serial port to stdout: KERNEL.elf [--max-cycles N]",
        boot::main,
    ),
    (
        "ostep",
        "OSTEP homework simulators: process-run, scheduler, mlfq, lottery (… --scenario: as a scenario)",
        ostep::run,
    ),
];

/// Exit code for bad usage.
pub const EXIT_USAGE: i32 = 2;

/// Dispatches `args` (without the program name) to a subcommand.
pub fn main(args: &[String]) -> i32 {
    let Some(name) = args.first() else {
        return usage(None);
    };
    match SUBCOMMANDS.iter().find(|(n, _, _)| n == name) {
        Some((_, _, run)) => run(&args[1..]),
        None if name == "-h" || name == "--help" || name == "help" => {
            let _ = write_usage(&mut io::stdout());
            0
        }
        None => usage(Some(name)),
    }
}

fn usage(unknown: Option<&str>) -> i32 {
    let mut err = io::stderr();
    if let Some(name) = unknown {
        let _ = writeln!(err, "ringside: unknown subcommand `{name}`");
    }
    let _ = write_usage(&mut err);
    EXIT_USAGE
}

fn write_usage(out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "usage: ringside <subcommand> [args]\n\nsubcommands:")?;
    for (name, help, _) in SUBCOMMANDS {
        writeln!(out, "  {name:<10} {help}")?;
    }
    Ok(())
}
