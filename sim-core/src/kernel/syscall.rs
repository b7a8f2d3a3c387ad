//! System calls (compare xv6's syscall.c): the table of numbers, names and
//! handlers, and `syscall()`, which fetches the arguments and dispatches.
//!
//! The ABI: number in %eax, `int $64`, arguments on the user stack above the
//! return address as in xv6, result in %eax.

use crate::machine::Machine;

use super::outcome::SysOutcome;
use super::proc::{Pid, Tid};
use super::{vm, Kernel, OsEvent};

/// What a handler returns: the value for %eax (`None`: the call blocked or
/// ended the thread, and sets the frame itself) and what it did.
pub type SysResult = (Option<i32>, SysOutcome);

/// A system-call handler (a `sys_*` function in sysproc.rs / sysfile.rs).
pub type Handler = fn(&mut Kernel, &mut Machine, &SysArgs) -> SysResult;

/// Who called, when, and the first three argument words (xv6's `argint`;
/// `None`: the word is not readable user memory).
#[derive(Clone, Copy, Debug)]
pub struct SysArgs {
    pub pid: Pid,
    pub tid: Tid,
    pub now: u64,
    pub args: [Option<u32>; 3],
}

/// One system call: its number, its name (the usys stub, `SYS_name`), the
/// kernel function the trace names, the handler that runs it and one line on
/// what it does (shown while it runs).
pub struct Syscall {
    pub num: u32,
    pub name: &'static str,
    pub function: &'static str,
    pub handler: Handler,
    pub about: &'static str,
}

macro_rules! syscall {
    ($num:literal, $name:ident, $handler:ident, $about:literal) => {
        Syscall {
            num: $num,
            name: stringify!($name),
            function: stringify!($handler),
            handler: Kernel::$handler,
            about: $about,
        }
    };
}

/// The system-call table, the only list of system calls: the `SYS_name`
/// constants and the usys stubs (usys.rs) are generated from it. `read` is 6,
/// so the classic `movl $6, %eax; int $64` reads.
pub const SYSCALLS: &[Syscall] = &[
    syscall!(
        1,
        fork,
        sys_fork,
        "copy the address space into a new child process"
    ),
    syscall!(
        2,
        exit,
        sys_exit,
        "end the process: keep its status for wait(), free its memory"
    ),
    syscall!(
        3,
        wait,
        sys_wait,
        "wait for a child to exit and collect its status"
    ),
    syscall!(4, getpid, sys_getpid, "return the caller's process id"),
    syscall!(
        5,
        write,
        sys_write,
        "copy bytes from the user's buffer to the file (console or disk)"
    ),
    syscall!(
        6,
        read,
        sys_read,
        "copy bytes from the file (console or disk) into the user's buffer"
    ),
    syscall!(7, sleep, sys_sleep, "block the caller until a later cycle"),
    syscall!(
        8,
        yield,
        sys_yield,
        "give up the CPU: back to the ready queue"
    ),
    syscall!(9, kill, sys_kill, "mark another process to be killed"),
    syscall!(10, uptime, sys_uptime, "return the timer ticks since boot"),
    syscall!(
        11,
        thread_create,
        sys_thread_create,
        "start a thread in the same address space"
    ),
    syscall!(
        12,
        thread_join,
        sys_thread_join,
        "wait for a thread to finish and collect its value"
    ),
    syscall!(13, thread_exit, sys_thread_exit, "end the calling thread"),
];

/// The system call with number `num`.
pub fn lookup(num: u32) -> Option<&'static Syscall> {
    SYSCALLS.iter().find(|s| s.num == num)
}

/// Cycles one kernel clock tick lasts: `uptime` counts them, `sleep` waits them.
pub const TICK_CYCLES: u64 = 1000;

impl Kernel {
    /// `syscall()`: fetches the arguments of system call `call` for the
    /// current thread, runs its `sys_*` handler and stores the result in %eax.
    pub(super) fn syscall(&mut self, m: &mut Machine, call: &Syscall) -> SysOutcome {
        let now = m.cycle();
        let Some(tid) = self.current else {
            return SysOutcome::NoCurrentThread;
        };
        let Some(pid) = self.threads.get(&tid).map(|t| t.pid) else {
            return SysOutcome::NoSuchThread;
        };
        let pgdir = self.procs[&pid].pgdir;
        let tf = self.entry_frame(m);
        let esp = tf.user_esp(self.entry_tf);
        let arg = |n: u32| -> Option<u32> {
            let bytes = vm::copy_in(m.mem(), pgdir, esp.wrapping_add(4 + 4 * n), 4).ok()?;
            Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
        };
        let args = SysArgs {
            pid,
            tid,
            now,
            args: [arg(0), arg(1), arg(2)],
        };
        let (ret, did) = (call.handler)(self, m, &args);
        if let Some(v) = ret {
            self.set_return(m, v);
            self.events.push(OsEvent::SyscallReturn {
                pid,
                tid,
                name: call.name.into(),
                value: v,
            });
        }
        did
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_agree() {
        for (i, s) in SYSCALLS.iter().enumerate() {
            assert_eq!(lookup(s.num).map(|c| c.name), Some(s.name));
            assert_eq!(s.function, format!("sys_{}", s.name));
            assert!(SYSCALLS[..i].iter().all(|o| o.num != s.num));
        }
        assert_eq!(lookup(6).map(|c| c.name), Some("read"));
        assert!(lookup(0).is_none());
        assert!(lookup(99).is_none());
    }
}
