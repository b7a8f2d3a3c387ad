//! The data behind the concept views (`session::concepts`): ring levels,
//! the anatomy of threads and processes, the path of a system call with
//! the cycle of each row, and direct vs limited direct execution.

use sim_core::session::*;

fn open(name: &str) -> Session {
    let mut s = Session::load_builtin(name).unwrap();
    s.skip_boot();
    s
}

fn anatomy(s: &mut Session, pick: [u32; 2]) -> Vec<Anatomy> {
    let q = ConceptQuery {
        tab: ConceptTab::Anatomy,
        syscall: None,
        pick: pick.map(Some),
    };
    match s.concept(&q) {
        Some(ConceptView::Anatomy(a)) => a,
        other => panic!("{other:?}"),
    }
}

#[test]
fn rings_follow_the_cpl_and_name_each_crossing() {
    let mut s = open("syscall-read");
    assert_eq!(s.rings().cpl, 3);
    // Up to the trap: `int $64` goes inward through gate 64, DPL 3.
    s.apply(&Command::Step {
        granularity: Granularity::Trap,
    });
    let r = s.rings();
    assert_eq!(r.cpl, 0);
    let c = r.crossing.unwrap();
    assert_eq!(
        (c.from, c.to, c.gate, c.refused),
        (3, 0, Some((64, 3)), None)
    );
    // Back out through iret.
    s.apply(&Command::Step {
        granularity: Granularity::ModeSwitch,
    });
    let r = s.rings();
    assert_eq!(r.cpl, 3);
    assert_eq!(r.crossing.unwrap().gate, None);

    // cli at CPL 3 is refused: #GP(0) instead.
    let mut s = open("restricted-instruction");
    while s
        .rings()
        .crossing
        .is_none_or(|c| c.gate.map(|g| g.0) != Some(13))
    {
        s.apply(&Command::Step {
            granularity: Granularity::Trap,
        });
    }
    let c = s.rings().crossing.unwrap();
    assert_eq!(c.refused.as_deref(), Some("cli at CPL 3: #GP(0x0)"));
}

#[test]
fn anatomy_of_two_threads_shares_the_address_space_two_processes_do_not() {
    let mut s = open("processes-vs-threads");
    s.apply(&Command::Run { cycles: 8_000 });
    let procs = s.view().processes;
    let tid = |name: &str, i: usize| {
        procs
            .iter()
            .filter(|p| p.name == name)
            .flat_map(|p| &p.threads)
            .nth(i)
            .unwrap()
            .tid
    };
    // forker's parent and child.
    let (parent, child) = (procs[0].threads[0].tid, {
        let c = procs
            .iter()
            .find(|p| p.parent == Some(procs[0].pid))
            .unwrap();
        c.threads[0].tid
    });
    let a = anatomy(&mut s, [parent, child]);
    assert_ne!(a[0].pid, a[1].pid);
    assert_ne!(a[0].cr3, a[1].cr3);
    assert_eq!(a[0].watched.unwrap().1, Some(100));
    assert_eq!(a[1].watched.unwrap().1, Some(200));
    // The stack page holding the watched address: a frame each.
    let frame = |x: &Anatomy| {
        let stack = x
            .regions
            .iter()
            .find(|r| r.name.starts_with("stack"))
            .unwrap();
        stack.pages.last().unwrap().1.unwrap()
    };
    assert_ne!(frame(&a[0]), frame(&a[1]));

    // threader's two threads: one address space, one value, own stacks.
    let (main, worker) = (tid("threader", 0), tid("threader", 1));
    let b = anatomy(&mut s, [main, worker]);
    assert_eq!((b[0].tid, b[1].tid), (main, worker));
    assert_eq!(b[0].pid, b[1].pid);
    assert_eq!(b[0].cr3, b[1].cr3);
    assert_eq!(b[0].watched, b[1].watched);
    assert_eq!(b[0].watched.unwrap().1, Some(200));
    let stacks = |x: &Anatomy| -> Vec<String> {
        x.regions
            .iter()
            .filter(|r| r.per_thread)
            .map(|r| r.name.clone())
            .collect()
    };
    assert_eq!(stacks(&b[0]), stacks(&b[1]), "both list both stacks");
    assert_eq!(stacks(&b[0]).len(), 2);
    assert_eq!(
        b[0].files,
        vec!["0: console (in)", "1: console (out)", "2: disk, offset 0"]
    );
    // Not running: the registers are the saved copy in the trap frame.
    for x in a.iter().chain(&b) {
        assert!(
            x.saved.contains("trap frame") || x.saved.contains("CPU"),
            "{}",
            x.saved
        );
        assert_eq!(x.regs.len(), 8);
        let next = x.stream.last().unwrap();
        assert_eq!(next.cycle, None, "the next instruction is marked");
        assert!(x.stream.len() > 1, "it has retired instructions");
    }
    // The worker's stream is in its own code: the worker's loop.
    assert!(b[1].stream.iter().any(|l| l.text.contains("loop 1b")));
}

#[test]
fn anatomy_of_the_running_thread_is_the_cpu() {
    let mut s = open("syscall-read");
    s.apply(&Command::Step {
        granularity: Granularity::Instruction,
    });
    let a = anatomy(&mut s, [1, 1]);
    let v = s.view();
    assert_eq!(a[0].saved, "in the CPU: it is running");
    assert_eq!(a[0].eip, v.cpu.eip);
    assert_eq!(a[0].regs, v.cpu.regs);
    assert_eq!(a[0].stream.len(), 2);
    assert_eq!(
        a[0].stream[0].text,
        "pushl $13               # n"
            .split('#')
            .next()
            .unwrap()
            .trim()
    );
}

#[test]
fn syscall_path_rows_seek_to_their_cycles() {
    let mut s = open("syscall-read");
    s.apply(&Command::Run { cycles: 10_000 });
    let path = s.syscall_path(None);
    let names: Vec<&str> = path.calls.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["read", "write", "exit"]);
    let read = s.syscall_path(Some(path.calls[0].cycle));
    let rows: Vec<(&str, &str)> = read
        .rows
        .iter()
        .map(|r| (r.level.as_str(), r.text.as_str()))
        .collect();
    assert_eq!(rows[0], ("C", "read(fd = 0, buf = 0x10a8, n = 13)"));
    assert_eq!(rows[1], ("library", "movl $6, %eax"));
    assert_eq!(rows[2], ("library", "int $64"));
    assert!(rows[3]
        .1
        .starts_with("trap through IDT[64]: DPL 3 \u{2265} CPL 3"));
    assert!(rows.iter().any(|r| r.1.starts_with("trap(): vector 64")));
    assert!(rows.iter().any(|r| r.1.starts_with("sys_read(): console")));
    assert!(rows.iter().any(|r| r.1.starts_with("%eax = 13")));
    assert!(rows.last().unwrap().1.starts_with("iret"));
    // Cycles never go back, and each row is where the simulation shows it.
    assert!(read.rows.windows(2).all(|w| w[0].cycle <= w[1].cycle));
    for r in &read.rows {
        s.apply(&Command::Seek { cycle: r.cycle });
        assert_eq!(s.cycle(), r.cycle);
    }
    let trap = read.rows[3].cycle;
    s.apply(&Command::Seek { cycle: trap });
    assert_eq!(s.view().cpu.cpl, 0, "at the trap row the CPU is in ring 0");
    assert_eq!(s.view().active_gate, Some(64));
    // Right after the trap, before sys_read runs, the call is named by %eax.
    let mut fresh = open("syscall-read");
    fresh.apply(&Command::Seek { cycle: trap });
    let early = fresh.syscall_path(None);
    assert_eq!(early.calls.last().unwrap().name, "read");
    assert_eq!(early.rows[0].text, "read(fd = 0, buf = 0x10a8, n = 13)");
    // Reading the arguments at the trap leaves the session where it was.
    s.apply(&Command::Seek { cycle: 5_000 });
    let before = s.view();
    let again = s.syscall_path(Some(path.calls[0].cycle));
    assert_eq!(again.rows, read.rows);
    assert_eq!(s.view(), before);
}

#[test]
fn syscall_path_of_a_blocking_read_shows_who_runs_and_the_wakeup() {
    let mut s = open("io-overlap");
    // Run until the first system call (the read comes after a CPU burst),
    // then a little more so its whole path is in the trace.
    for _ in 0..100 {
        if !s.syscall_path(None).calls.is_empty() {
            break;
        }
        s.apply(&Command::Run { cycles: 100_000 });
    }
    s.apply(&Command::Run {
        cycles: 20 * s.scenario().time_unit,
    });
    let first = s.syscall_path(None).calls[0].clone();
    assert_eq!(first.name, "read");
    let path = s.syscall_path(Some(first.cycle));
    let texts: Vec<&str> = path.rows.iter().map(|r| r.text.as_str()).collect();
    let at = |p: &str| {
        texts
            .iter()
            .position(|t| t.starts_with(p))
            .unwrap_or_else(|| panic!("{p}: {texts:?}"))
    };
    assert!(at("T1 blocks") < at("meanwhile T2 runs"));
    assert!(at("meanwhile T2 runs") < at("the disk (IRQ 14) interrupt (vector 46) wakes T1"));
    assert!(at("the disk") < at("scheduler() picks T1 again"));
    assert!(at("scheduler() picks T1 again") < at("iret"));
    assert!(texts[0].starts_with("read(fd = "), "{texts:?}");
}

#[test]
fn comparison_panes_agree_with_separate_runs() {
    let mut lde = open("direct-execution");
    let mut direct = Session::new(lde.compare_scenario()).unwrap();
    // `direct-execution` is the direct one; its copy runs limited direct.
    assert_eq!(direct.scenario().mode, ExecMode::Preemptive);
    std::mem::swap(&mut lde, &mut direct);
    // In lockstep: every step of one seeks the other to the same cycle.
    for _ in 0..40 {
        direct.apply(&Command::Step {
            granularity: Granularity::Trap,
        });
        lde.apply(&Command::Seek {
            cycle: direct.cycle(),
        });
    }
    direct.apply(&Command::Run { cycles: 100_000 });
    lde.apply(&Command::Seek {
        cycle: direct.cycle(),
    });
    let both = direct.compare(&lde);
    // Separate straight runs to the same cycle give the same panes.
    let cycle = direct.cycle();
    let mut a = Session::load_builtin("direct-execution").unwrap();
    a.apply(&Command::Run { cycles: cycle });
    let mut b = Session::new(a.compare_scenario()).unwrap();
    b.apply(&Command::Run { cycles: cycle });
    assert_eq!(both, b.compare(&a));
    assert_eq!(both.panes[0].mode, ExecMode::Direct);
    assert_eq!(both.panes[1].mode, ExecMode::Preemptive);
    assert_eq!(
        both.panes
            .iter()
            .map(|p| p.cells.iter().map(|c| c.row.as_str()).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        [["memory", "loop", "io", "cli"]; 2]
    );
    // Every row has its evidence in both panes.
    let (d, l) = (&both.panes[0], &both.panes[1]);
    assert!(said(d, "memory", "victim").contains("I'm dead"));
    assert!(said(l, "memory", "victim").contains("I'm alive"));
    assert!(said(d, "loop", "held").contains("kept the CPU"));
    assert!(said(l, "loop", "preempted").contains("rogue"));
    assert!(said(d, "io", "reader").contains("spun 10000 cycles"));
    assert!(said(l, "io", "reader").contains("meanwhile the scheduler ran"));
    assert!(said(d, "cli", "if").contains("IF = 0"));
    assert!(said(l, "cli", "rogue").contains("killed: #GP"));
}

/// The direct-execution comparison with both sessions at `cycle`: direct's
/// pane first.
fn compared_at(cycle: u64) -> ModesView {
    let mut direct = Session::load_builtin("direct-execution").unwrap();
    let mut lde = Session::new(direct.compare_scenario()).unwrap();
    direct.apply(&Command::Run { cycles: cycle });
    lde.apply(&Command::Run { cycles: cycle });
    direct.compare(&lde)
}

/// One line of a comparison cell: its text, and whether it shows the problem.
#[derive(Debug)]
struct Said {
    bad: bool,
    text: String,
}

/// The line about `subject` in `row` of a pane (panics if there is none).
fn line_of(pane: &ModesPane, row: &str, subject: &str) -> Said {
    let cell = pane.cells.iter().find(|c| c.row == row).unwrap();
    cell.lines
        .iter()
        .find(|l| l.subject == subject)
        .map(|l| Said {
            bad: l.bad,
            text: l.text.clone(),
        })
        .unwrap_or_else(|| panic!("{:?} {row}: no {subject} in {:?}", pane.mode, cell.lines))
}

fn said(pane: &ModesPane, row: &str, subject: &str) -> String {
    line_of(pane, row, subject).text
}

#[test]
fn memory_row_the_victim_is_overwritten_under_direct_and_the_writer_killed_under_lde() {
    let v = compared_at(100_000);
    let (d, l) = (&v.panes[0], &v.panes[1]);
    let victim = line_of(d, "memory", "victim");
    assert!(victim.bad && victim.text.contains("I'm dead"), "{victim:?}");
    assert!(victim.text.contains("changed by another process"));
    let victim = line_of(l, "memory", "victim");
    assert!(
        !victim.bad && victim.text.contains("I'm alive"),
        "{victim:?}"
    );
    assert!(said(l, "memory", "writer").contains("killed: #PF"));
    let cell = d.cells.iter().find(|c| c.row == "memory").unwrap();
    assert!(
        cell.lines.iter().all(|l| !l.text.contains("killed")),
        "direct: nothing stops the writer"
    );
}

#[test]
fn loop_row_direct_starves_the_victim_lde_preempts_the_rogue() {
    let v = compared_at(100_000);
    let (d, l) = (&v.panes[0], &v.panes[1]);
    assert!(said(d, "loop", "timer").starts_with("0 timer interrupts"));
    let held = line_of(d, "loop", "held");
    assert!(held.bad, "{held:?}");
    let victim = line_of(d, "loop", "victim");
    assert!(
        victim.bad && victim.text.contains("is ready and has waited"),
        "{victim:?}"
    );
    assert!(!said(l, "loop", "timer").starts_with("0 timer"));
    let preempted = line_of(l, "loop", "preempted");
    assert!(
        !preempted.bad && preempted.text.contains("rogue"),
        "{preempted:?}"
    );
}

#[test]
fn io_row_direct_spins_with_nothing_else_running_lde_runs_another_process() {
    // Mid-spin: the reader's first disk read (cycles 51,098–56,098).
    let v = compared_at(53_000);
    let (d, l) = (&v.panes[0], &v.panes[1]);
    let reader = line_of(d, "io", "reader");
    assert!(reader.bad, "{reader:?}");
    assert!(
        reader
            .text
            .starts_with("reader (P3) spun 1902 cycles on the CPU waiting for the disk (1 request): nothing else ran meanwhile; spins now, the disk needs 3098 more cycles"),
        "{reader:?}"
    );
    // The LDE run has long read both blocks, blocked, while others ran.
    let reader = line_of(l, "io", "reader");
    assert!(!reader.bad, "{reader:?}");
    assert!(
        reader
            .text
            .contains("(2 requests), blocked: meanwhile the scheduler ran rogue"),
        "{reader:?}"
    );
    // Both reads done: direct spun the disk's whole latency, twice.
    let v = compared_at(100_000);
    let text = said(&v.panes[0], "io", "reader");
    assert!(
        text.contains("spun 10000 cycles") && text.ends_with("the disk is done"),
        "{text}"
    );
    // Before the reader reads, neither pane has a disk wait to show.
    let v = compared_at(300);
    for p in &v.panes {
        assert_eq!(
            said(p, "io", "disk"),
            "no process has waited for the disk yet"
        );
    }
}

#[test]
fn cli_row_direct_silences_every_interrupt_lde_kills_with_gp() {
    let v = compared_at(100_000);
    let (d, l) = (&v.panes[0], &v.panes[1]);
    let cli = line_of(d, "cli", "if");
    assert!(cli.bad, "{cli:?}");
    assert!(
        cli.text
            .starts_with("rogue (P4) runs with interrupts off (IF = 0) since its cli at cycle "),
        "{cli:?}"
    );
    assert!(cli.text.contains("the timer goes silent"));
    let rogue = said(l, "cli", "rogue");
    assert!(
        rogue.starts_with("rogue (P4) killed: #GP general protection"),
        "{rogue}"
    );
    // Direct: no interrupt at all reaches the CPU after the cli.
    let at: u64 = cli.text
        ["rogue (P4) runs with interrupts off (IF = 0) since its cli at cycle ".len()..]
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(at > 61_751, "after the rogue's last iret: {at}");
    let mut sim = builtin("direct-execution")
        .unwrap()
        .build(sim_core::sim::TraceLevel::Steps)
        .unwrap();
    sim.run(100_000, &[]);
    let delivered_after = sim
        .trace()
        .iter()
        .filter(|e| e.cycle > at)
        .filter(|e| {
            matches!(
                e.kind,
                sim_core::trace::TraceKind::Machine(sim_core::event::EventKind::TrapDelivered(_))
            )
        })
        .count();
    assert_eq!(delivered_after, 0);
}

#[test]
fn comparison_of_a_preemptive_loop_shows_the_timer() {
    let mut s = open("loop-preemptive");
    let mut d = Session::new(s.compare_scenario()).unwrap();
    s.apply(&Command::Run { cycles: 20_000 });
    d.apply(&Command::Seek { cycle: s.cycle() });
    let v = s.compare(&d);
    let timer = |i: usize| v.panes[i].cells[1].lines[0].text.clone();
    assert!(timer(0).starts_with("0 timer interrupts"), "{}", timer(0));
    assert!(!timer(1).starts_with("0 timer"), "{}", timer(1));
}

#[test]
fn an_int_to_a_kernel_only_gate_is_refused_with_its_error_code() {
    let mut sc = builtin("syscall-read").unwrap();
    sc.programs[0].source = "main:\n    int $32\n".into();
    let mut s = Session::new(sc).unwrap();
    s.skip_boot();
    s.apply(&Command::Step {
        granularity: Granularity::Trap,
    });
    let c = s.rings().crossing.unwrap();
    assert_eq!(c.gate, Some((13, 0)));
    assert_eq!(
        c.refused.as_deref(),
        Some("int $32 to a gate with DPL < CPL 3: #GP(0x102)")
    );
}
