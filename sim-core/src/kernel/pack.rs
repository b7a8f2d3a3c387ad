//! Packing away the table entries a snapshot shares with neither neighbour.
//!
//! A snapshot in the thinned-out past differs from its neighbours in nearly
//! every entry (every process ran in between), and a PCB and its thread
//! cost ~300 + ~140 bytes as the kernel holds them. Packed, their fields
//! written as variable-length integers, they cost under 100 (64 spinning
//! processes: ~6 KB of kernel per snapshot, was ~31 KB): the snapshot keeps
//! only those bytes, and [`Kernel::unpack`] rebuilds the entries field for
//! field before it runs again (as `mem/share.rs` packs pages).

use super::proc::{Accounting, File, Pid, Process, State, Thread, Tid, WaitFor};
use super::shared::{same_in, Shared};
use super::Kernel;
use crate::ordmap::OrdMap;

/// Entries taken out of a kernel by [`Kernel::pack_unshared`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackedTables {
    bytes: Vec<u8>,
}

impl PackedTables {
    /// Heap bytes it holds.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
    }
}

const PROCESS: u8 = 0;
const THREAD: u8 = 1;

impl Kernel {
    /// Takes out the PCB and thread entries that neither `older` nor
    /// `newer` shares with this kernel (by pointer), packed: for a
    /// snapshot between two others. Entries shared with a neighbour stay
    /// (the neighbour's cost leaves them out), so do the few the packing
    /// does not cover (a process that noted its watched addresses).
    pub fn pack_unshared(
        &mut self,
        older: Option<&Kernel>,
        newer: &Kernel,
        into: &mut PackedTables,
    ) {
        let mut w = Writer(&mut into.bytes);
        let beside = [older.map(|o| &o.procs), Some(&newer.procs)];
        self.procs = take_unshared(&mut self.procs, beside, |p| {
            // What it saw of its watched addresses is rare: not packed.
            let packs = p.last_look.is_empty();
            if packs {
                w.u8(PROCESS);
                w.process(p);
            }
            packs
        });
        let beside = [older.map(|o| &o.threads), Some(&newer.threads)];
        self.threads = take_unshared(&mut self.threads, beside, |t| {
            w.u8(THREAD);
            w.thread(t);
            true
        });
        into.bytes.shrink_to_fit();
    }

    /// Puts back the entries taken out by [`Kernel::pack_unshared`].
    pub fn unpack(&mut self, packed: &PackedTables) {
        let mut r = Reader(&packed.bytes);
        while let Some(tag) = r.u8() {
            // The bytes come from `pack_unshared` alone, whole.
            let unpacked = match tag {
                PROCESS => r.process().map(|p| {
                    self.procs.insert(p.pid, Shared::new(p));
                }),
                THREAD => r.thread().map(|t| {
                    self.threads.insert(t.tid, Shared::new(t));
                }),
                _ => None,
            };
            assert!(
                unpacked.is_some(),
                "packed tables are written by pack_unshared"
            );
        }
    }
}

/// The entries of `table` a neighbour's table (`beside`) shares, or that
/// `pack` declines (returns false); the others are packed and left out.
fn take_unshared<K: Ord, T>(
    table: &mut OrdMap<K, Shared<T>>,
    beside: [Option<&OrdMap<K, Shared<T>>>; 2],
    mut pack: impl FnMut(&T) -> bool,
) -> OrdMap<K, Shared<T>> {
    let [mut in_older, mut in_newer] = beside.map(same_in);
    std::mem::take(table)
        .into_iter()
        .filter(|(k, e)| {
            // Both asked for every entry, in key order (see `same_in`).
            let (older, newer) = (in_older(k, e), in_newer(k, e));
            older || newer || !pack(e)
        })
        .collect()
}

/// Fields as LEB128 integers (most are small, or close to zero).
struct Writer<'a>(&'a mut Vec<u8>);

impl Writer<'_> {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u64(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    fn opt(&mut self, v: Option<u64>) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                self.u64(v);
            }
        }
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn acct(&mut self, a: &Accounting) {
        let Accounting {
            arrival,
            first_run,
            finish,
            cpu,
            wait,
        } = *a;
        self.u64(arrival);
        self.opt(first_run);
        self.opt(finish);
        self.u64(cpu);
        self.u64(wait);
    }
    fn process(&mut self, p: &Process) {
        // Destructured whole: a field added to the PCB must be packed too.
        let Process {
            pid,
            name,
            program,
            parent,
            pgdir,
            threads,
            files,
            exit_status,
            killed,
            image_end,
            acct,
            thread_slots,
            tickets,
            expected_len,
            last_look: _,
            waiting_since,
        } = p;
        self.u64(pid.0.into());
        self.str(name);
        self.u64(*program as u64);
        self.opt(parent.map(|p| p.0.into()));
        self.u64((*pgdir).into());
        self.u64(threads.len() as u64);
        for t in threads {
            self.u64(t.0.into());
        }
        self.u64(files.len() as u64);
        for f in files {
            match f {
                File::ConsoleIn => self.u8(0),
                File::ConsoleOut => self.u8(1),
                File::Disk { offset } => {
                    self.u8(2);
                    self.u64((*offset).into());
                }
            }
        }
        self.opt(exit_status.map(|s| u64::from(s as u32)));
        match killed {
            None => self.u8(0),
            Some(why) => {
                self.u8(1);
                self.str(why);
            }
        }
        self.u64((*image_end).into());
        self.acct(acct);
        self.u64((*thread_slots).into());
        self.u64((*tickets).into());
        self.opt(*expected_len);
        self.opt(*waiting_since);
    }
    fn thread(&mut self, t: &Thread) {
        let Thread {
            tid,
            pid,
            state,
            wait,
            kstack,
            tf,
            slot,
            exit_value,
            acct,
            ready_since,
        } = t;
        self.u64(tid.0.into());
        self.u64(pid.0.into());
        self.u8(match state {
            State::New => 0,
            State::Ready => 1,
            State::Running => 2,
            State::Blocked => 3,
            State::Zombie => 4,
        });
        match wait {
            None => self.u8(0),
            Some(WaitFor::Disk) => self.u8(1),
            Some(WaitFor::Child) => self.u8(2),
            Some(WaitFor::Join(t)) => {
                self.u8(3);
                self.u64(t.0.into());
            }
            Some(WaitFor::Until(c)) => {
                self.u8(4);
                self.u64(*c);
            }
        }
        self.u64((*kstack).into());
        self.u64((*tf).into());
        self.u64((*slot).into());
        self.opt(exit_value.map(u64::from));
        self.acct(acct);
        self.opt(*ready_since);
    }
}

/// Reads what [`Writer`] wrote; `None` past the end or on a bad tag.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn u64(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }
    fn u32(&mut self) -> Option<u32> {
        self.u64()?.try_into().ok()
    }
    fn opt(&mut self) -> Option<Option<u64>> {
        match self.u8()? {
            0 => Some(None),
            1 => self.u64().map(Some),
            _ => None,
        }
    }
    fn opt32(&mut self) -> Option<Option<u32>> {
        self.opt()?.map(u32::try_from).transpose().ok()
    }
    fn str(&mut self) -> Option<String> {
        let len = usize::try_from(self.u64()?).ok()?;
        if len > self.0.len() {
            return None;
        }
        let (s, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8(s.to_vec()).ok()
    }
    fn acct(&mut self) -> Option<Accounting> {
        Some(Accounting {
            arrival: self.u64()?,
            first_run: self.opt()?,
            finish: self.opt()?,
            cpu: self.u64()?,
            wait: self.u64()?,
        })
    }
    fn process(&mut self) -> Option<Process> {
        let pid = Pid(self.u32()?);
        let name = self.str()?;
        let program = usize::try_from(self.u64()?).ok()?;
        let parent = self.opt32()?.map(Pid);
        let pgdir = self.u32()?;
        let threads = (0..self.u64()?)
            .map(|_| self.u32().map(Tid))
            .collect::<Option<Vec<_>>>()?;
        let files = (0..self.u64()?)
            .map(|_| match self.u8()? {
                0 => Some(File::ConsoleIn),
                1 => Some(File::ConsoleOut),
                2 => self.u32().map(|offset| File::Disk { offset }),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        let exit_status = self.opt32()?.map(|s| s as i32);
        let killed = match self.u8()? {
            0 => None,
            1 => Some(self.str()?),
            _ => return None,
        };
        Some(Process {
            pid,
            name,
            program,
            parent,
            pgdir,
            threads,
            files,
            exit_status,
            killed,
            image_end: self.u32()?,
            acct: self.acct()?,
            thread_slots: self.u32()?,
            tickets: self.u32()?,
            expected_len: self.opt()?,
            last_look: Vec::new(),
            waiting_since: self.opt()?,
        })
    }
    fn thread(&mut self) -> Option<Thread> {
        let tid = Tid(self.u32()?);
        let pid = Pid(self.u32()?);
        let state = match self.u8()? {
            0 => State::New,
            1 => State::Ready,
            2 => State::Running,
            3 => State::Blocked,
            4 => State::Zombie,
            _ => return None,
        };
        let wait = match self.u8()? {
            0 => None,
            1 => Some(WaitFor::Disk),
            2 => Some(WaitFor::Child),
            3 => Some(WaitFor::Join(Tid(self.u32()?))),
            4 => Some(WaitFor::Until(self.u64()?)),
            _ => return None,
        };
        Some(Thread {
            tid,
            pid,
            state,
            wait,
            kstack: self.u32()?,
            tf: self.u32()?,
            slot: self.u32()?,
            exit_value: self.opt32()?,
            acct: self.acct()?,
            ready_since: self.opt()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(n: u64) -> Accounting {
        Accounting {
            arrival: n,
            first_run: Some(n + 1),
            finish: n.is_multiple_of(2).then_some(u64::MAX),
            cpu: n << 20,
            wait: 0,
        }
    }

    #[test]
    fn entries_come_back_field_for_field() {
        let process = |pid: u32| Process {
            pid: Pid(pid),
            name: format!("prog-{pid}-é"),
            program: pid as usize,
            parent: (pid > 1).then_some(Pid(pid - 1)),
            pgdir: 0xfff0_0000 - pid * 4096,
            threads: (0..pid).map(Tid).collect(),
            files: vec![
                File::ConsoleIn,
                File::ConsoleOut,
                File::Disk { offset: u32::MAX },
            ],
            exit_status: pid.is_multiple_of(3).then_some(-(pid as i32)),
            killed: pid
                .is_multiple_of(2)
                .then(|| "general protection".to_string()),
            image_end: 0x0804_9000,
            acct: acct(u64::from(pid)),
            thread_slots: pid,
            tickets: 100 * pid,
            expected_len: (pid == 2).then_some(1 << 40),
            last_look: Vec::new(),
            waiting_since: (pid != 2).then_some(u64::MAX - 1),
        };
        let waits = [
            None,
            Some(WaitFor::Disk),
            Some(WaitFor::Child),
            Some(WaitFor::Join(Tid(7))),
            Some(WaitFor::Until(123_456_789_012)),
        ];
        let states = [
            State::New,
            State::Ready,
            State::Running,
            State::Blocked,
            State::Zombie,
        ];
        let thread = |i: usize| Thread {
            tid: Tid(i as u32 * 1000),
            pid: Pid(i as u32),
            state: states[i % states.len()],
            wait: waits[i % waits.len()],
            kstack: 0x0040_0000 + i as u32 * 4096,
            tf: 0x8040_0fb4,
            slot: i as u32,
            exit_value: (i % 2 == 1).then_some(u32::MAX),
            acct: acct(i as u64 * 77_777),
            ready_since: (!i.is_multiple_of(3)).then_some(i as u64),
        };
        let processes: Vec<Process> = (1..=6).map(process).collect();
        let threads: Vec<Thread> = (0..10).map(thread).collect();
        let mut bytes = Vec::new();
        let mut w = Writer(&mut bytes);
        for p in &processes {
            w.process(p);
        }
        for t in &threads {
            w.thread(t);
        }
        let mut r = Reader(&bytes);
        for p in &processes {
            assert_eq!(r.process().as_ref(), Some(p));
        }
        for t in &threads {
            assert_eq!(r.thread().as_ref(), Some(t));
        }
        assert_eq!(r.u8(), None, "every byte read");
        // Cut short or with a bad tag, reading stops instead of guessing.
        assert_eq!(Reader(&bytes[..bytes.len() / 2]).thread(), None);
        assert_eq!(Reader(&[PROCESS, 0xff]).thread(), None);
    }
}
