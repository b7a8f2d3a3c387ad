//! `ringside ostep TOOL ARGS…`: the OSTEP homework simulators (`process-run`,
//! `scheduler`, `mlfq`, `lottery`) with the Python scripts' flags and output.
//! See [`crate::ostep`].

/// Entry point with an explicit output (tests capture it).
pub fn main(args: &[String], out: &mut dyn std::io::Write) -> i32 {
    crate::ostep::main(args, out)
}

/// Entry point for the subcommand table: writes to standard output.
pub fn run(args: &[String]) -> i32 {
    main(args, &mut std::io::stdout().lock())
}
