//! The user library (xv6's usys.S): one stub per system call, so programs can
//! `call fork`, plus the trampolines a returning `main` or thread function
//! lands in, written in usys.s. The `.equ SYS_name` numbers, made from the
//! system-call table, are available to every program.

use super::syscall::SYSCALLS;

/// `.equ SYS_fork, 1; …;` — put on the first line of a program so that its own
/// line numbers do not move.
pub fn prologue() -> String {
    let mut s = String::new();
    for c in SYSCALLS {
        s += &format!(".equ SYS_{}, {}; ", c.name, c.num);
    }
    s
}

/// The stubs (usys.s), appended after the program on a line of their own.
/// Its stubs must match the system-call table; a test checks they do.
pub fn epilogue() -> &'static str {
    concat!("\n", include_str!("usys.s"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// usys.s has one stub per entry of the table, in table order, each
    /// loading its own number; then the two trampolines.
    #[test]
    fn usys_s_has_one_stub_per_system_call() {
        let labels: Vec<&str> = epilogue()
            .lines()
            .filter_map(|l| l.strip_suffix(':'))
            .collect();
        let mut want: Vec<&str> = SYSCALLS.iter().map(|c| c.name).collect();
        want.extend(["__main_return", "__thread_return"]);
        assert_eq!(labels, want);
        for c in SYSCALLS {
            let stub = epilogue()
                .split(&format!("\n{}:\n", c.name))
                .nth(1)
                .and_then(|s| s.lines().next())
                .unwrap_or_default();
            assert_eq!(stub.trim(), format!("movl $SYS_{}, %eax", c.name));
        }
    }
}
