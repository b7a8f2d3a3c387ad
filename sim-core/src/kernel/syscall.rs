//! System call numbers and names (the ABI: number in %eax, `int $64`, arguments
//! on the user stack above the return address as in xv6, result in %eax).

/// (number, name). `read` is 6, so the classic `movl $6, %eax; int $64` reads.
pub const SYSCALLS: [(u32, &str); 13] = [
    (1, "fork"),
    (2, "exit"),
    (3, "wait"),
    (4, "getpid"),
    (5, "write"),
    (6, "read"),
    (7, "sleep"),
    (8, "yield"),
    (9, "kill"),
    (10, "uptime"),
    (11, "thread_create"),
    (12, "thread_join"),
    (13, "thread_exit"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sys {
    Fork,
    Exit,
    Wait,
    Getpid,
    Write,
    Read,
    Sleep,
    Yield,
    Kill,
    Uptime,
    ThreadCreate,
    ThreadJoin,
    ThreadExit,
}

impl Sys {
    pub fn from_number(n: u32) -> Option<Sys> {
        use Sys::*;
        Some(match n {
            1 => Fork,
            2 => Exit,
            3 => Wait,
            4 => Getpid,
            5 => Write,
            6 => Read,
            7 => Sleep,
            8 => Yield,
            9 => Kill,
            10 => Uptime,
            11 => ThreadCreate,
            12 => ThreadJoin,
            13 => ThreadExit,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        SYSCALLS[self as usize].1
    }
}

/// Cycles one kernel clock tick lasts: `uptime` counts them, `sleep` waits them.
pub const TICK_CYCLES: u64 = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_agree() {
        for (n, name) in SYSCALLS {
            assert_eq!(Sys::from_number(n).map(Sys::name), Some(name));
        }
        assert_eq!(Sys::from_number(6), Some(Sys::Read));
        assert_eq!(Sys::from_number(0), None);
        assert_eq!(Sys::from_number(99), None);
    }
}
