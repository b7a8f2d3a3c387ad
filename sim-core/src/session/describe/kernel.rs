//! The sentences for what kernel steps did: the only place the kernel's
//! typed outcomes become words (the trace's `detail`, the timeline, the
//! kernel-step panel).

use serde::{Serialize, Serializer};

use crate::kernel::{ExecMode, SchedOutcome, StepOutcome, SysOutcome, Tick, TrapCause};
use crate::sched::QueueView;
use crate::trap::exception_name;

/// One line on what a kernel step did.
pub fn kernel_step(o: &StepOutcome) -> String {
    use StepOutcome as S;
    match o {
        S::TrapTable { gates, syscall } => {
            format!("initialize trap table: {gates} gates, int ${syscall} at DPL 3")
        }
        S::Timer { mode, interval } => match mode {
            ExecMode::Preemptive => format!("start interrupt timer: every {interval} cycles"),
            ExecMode::Cooperative => "no timer: the OS runs only when a program traps".into(),
            ExecMode::Direct => "direct execution: programs run in ring 0, no timer".into(),
        },
        S::Trap { vector, cause } => trap(*vector, cause),
        S::Syscall(s) => syscall(s),
        S::BadSyscall { number } => format!("unknown system call {number}: return -1"),
        S::Tick(t) => tick(t),
        S::DiskDone { tid, block } => {
            format!("disk request of {tid} done (block {block}); {tid} is ready")
        }
        S::SpuriousDisk => "spurious disk interrupt".into(),
        S::Spin { tid, cycles } => format!(
            "{tid} spins {cycles} cycles waiting for the disk: no OS in control, so nothing else runs"
        ),
        S::DiskPolled { tid, block } => {
            format!("the disk is done (block {block}): {tid} stops spinning and goes on")
        }
        S::Killed { pid, reason } => format!("kill {pid}: {reason}"),
        S::Sched(s) => sched(s),
        S::Swtch { from: Some(f), to } => format!("save context of {f}, restore {to}"),
        S::Swtch { from: None, to } => format!("restore {to}"),
        S::SwitchUvm { pid, pgdir, esp0 } => {
            format!("CR3 = {pgdir:#010x} (page directory of {pid}), TSS.esp0 = {esp0:#010x}")
        }
        S::NoSuchThread => "no such thread".into(),
        S::NoSuchProcess => "no such process".into(),
        S::Trapret { to, frame } => {
            format!("return to {to} through trapret (frame at {frame:#010x})")
        }
        S::Idle => "no runnable thread: idle loop (sti; hlt) until an interrupt".into(),
        S::Created { pid, name } => format!("create {pid} running '{name}'"),
        S::CreateFailed { spawn, error } => format!("could not create process {spawn}: {error}"),
    }
}

fn trap(v: u8, cause: &TrapCause) -> String {
    match cause {
        TrapCause::Syscall {
            number,
            name: Some(name),
        } => format!("vector {v}: system call {number} ({name})"),
        TrapCause::Syscall { number, name: None } => format!("vector {v}: system call {number}"),
        TrapCause::TimerInterrupt => format!("vector {v}: timer interrupt"),
        TrapCause::DiskInterrupt => format!("vector {v}: disk interrupt"),
        TrapCause::Alarm => format!("vector {v}: timer alarm: a process arrives now"),
        TrapCause::UserFault => format!("vector {v}: {} in user code", exception_name(v)),
        TrapCause::Panic { message } => format!("panic: {message}"),
        TrapCause::Ignored => format!("vector {v}: ignored"),
    }
}

fn syscall(s: &SysOutcome) -> String {
    use SysOutcome as D;
    match s {
        D::NoCurrentThread => "no current thread".into(),
        D::NoSuchThread => "no such thread".into(),
        D::BadArgument => "bad argument".into(),
        D::BadArguments => "bad arguments".into(),
        D::BadBuffer(at) => format!("bad buffer at {at:#010x}"),
        D::OutOfMemory => "out of memory".into(),
        D::Failed(why) => why.clone(),
        D::Getpid(pid) => pid.to_string(),
        D::Uptime(t) => format!("{t} ticks"),
        D::Yield(tid) => format!("{tid} gives up the CPU"),
        D::Sleeps { tid, ticks, until } => {
            format!("{tid} sleeps {ticks} ticks (until cycle {until})")
        }
        D::Exits { pid, status } => format!("{pid} exits with status {status}"),
        D::Kill { target } => format!("kill P{target}"),
        D::NoLiveProcess(target) => format!(
            "no live process {}",
            target.map_or("?".into(), |t| t.to_string())
        ),
        D::Forked { parent, child } => format!("{parent} forks {child} (copied the address space)"),
        D::Reaped(pid) => format!("reap {pid}"),
        D::NoChildren => "no children".into(),
        D::WaitsForChild(tid) => format!(
            "{} waits for a child",
            tid.map_or("?".into(), |t| t.to_string())
        ),
        D::NewThread { tid, pid, func } => format!("new thread {tid} of {pid} at {func:#010x}"),
        D::AlreadyFinished(tid) => format!("{tid} already finished"),
        D::WaitsForThread { me, target } => format!("{me} waits for {target}"),
        D::NotAThreadOf { target, pid } => format!("{target} is not another thread of {pid}"),
        D::ThreadFinishes { tid, value } => format!("{tid} finishes with {value}"),
        D::ConsoleWrote(bytes) => {
            format!(
                "console ← {}",
                String::from_utf8_lossy(bytes).escape_debug()
            )
        }
        D::ConsoleRead(n) => format!("console → {n} bytes"),
        D::DiskQueued { write, block, tid } => {
            let dir = if *write { "write" } else { "read" };
            format!("disk {dir} of block {block} queued; {tid} blocks until the disk interrupt")
        }
        D::DiskSpins {
            write,
            block,
            tid,
            cycles,
        } => {
            let dir = if *write { "write" } else { "read" };
            format!("disk {dir} of block {block} started; {tid} keeps the CPU and spins until the disk is done ({cycles} cycles)")
        }
        D::NotOpen { fd, write } => format!(
            "fd {fd} is not open for {}",
            if *write { "writing" } else { "reading" }
        ),
    }
}

fn tick(t: &Tick) -> String {
    let mut s = format!("tick {}", t.tick);
    if t.fired != t.now {
        s += &format!(
            " (the timer fired at cycle {}, handled {} cycles later)",
            t.fired,
            t.now - t.fired
        );
    }
    if t.woke > 0 {
        s += &format!(", woke {} sleeper(s)", t.woke);
    }
    if t.boost {
        s += ", priority boost: every job back to the top queue";
    }
    if let Some(cur) = t.slice_used {
        s += &format!(", {cur} used its time slice");
    }
    s
}

fn sched(s: &SchedOutcome) -> String {
    match s {
        SchedOutcome::Halted => "halted".into(),
        SchedOutcome::Keeps(cur) => format!("{cur} keeps the CPU"),
        SchedOutcome::Picks {
            preempted,
            policy,
            next,
            queues,
            draw,
        } => format!(
            "{}{policy} picks {next} from {}{}",
            preempted.map_or(String::new(), |p| format!("{p} is preempted; ")),
            queue_text(queues),
            draw.as_deref().unwrap_or_default()
        ),
        SchedOutcome::Nothing { policy } => format!("{policy}: nothing runnable"),
    }
}

/// "ready [T1 T2], …": each queue with its threads, highest first.
fn queue_text(q: &QueueView) -> String {
    let levels: Vec<String> = q
        .levels
        .iter()
        .map(|l| {
            let ts: Vec<String> = l.threads.iter().map(|t| t.to_string()).collect();
            format!("{} [{}]", l.label, ts.join(" "))
        })
        .collect();
    levels.join(", ")
}

/// In the trace a step's outcome is its sentence (the golden traces'
/// `detail`).
impl Serialize for StepOutcome {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&kernel_step(self))
    }
}
