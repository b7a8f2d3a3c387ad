//! The user library (xv6's usys.S): one stub per system call, so programs can
//! `call fork`, plus the trampolines a returning `main` or thread function
//! lands in. The `.equ SYS_name` numbers are available to every program.

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

/// Appended after the program, in `.text`.
pub fn epilogue() -> String {
    let mut s = String::from("\n.text\n");
    for c in SYSCALLS {
        let name = c.name;
        s += &format!("{name}:\n    movl $SYS_{name}, %eax\n    int $64\n    ret\n");
    }
    // main's return value becomes the exit status; a thread's, its join value.
    s += "__main_return:\n    pushl %eax\n    pushl $0\n    movl $SYS_exit, %eax\n    int $64\n";
    s += "__thread_return:\n    pushl %eax\n    pushl $0\n    movl $SYS_thread_exit, %eax\n    int $64\n";
    s
}
