//! What the views show: the trap frame, gates, processes and queues.

use super::*;

#[test]
fn syscall_switches_mode_and_lights_gate_64() {
    let mut s = Session::load_builtin("syscall-read").unwrap();
    s.apply(&step(Granularity::ModeSwitch));
    assert_eq!(s.view().cpu.cpl, 3, "first switch: kernel → user");
    s.apply(&step(Granularity::Trap));
    let v = s.view();
    assert_eq!(v.cpu.cpl, 0);
    assert_eq!(v.active_gate, Some(64));
    assert!(v.idt.iter().any(|g| g.vector == 64 && g.dpl == 3));
    let stack = v.kernel_stack.clone();
    assert!(stack.is_none() || stack.unwrap().vector == 64);
    s.apply(&step(Granularity::ModeSwitch));
    assert_eq!(s.view().cpu.cpl, 3, "and back to user mode");
    let rows = s.view().timeline;
    for actor in [Actor::Program, Actor::Hardware, Actor::Os] {
        assert!(
            rows.iter().any(|r| r.actor == actor),
            "timeline has {actor:?} rows"
        );
    }
}

#[test]
fn kernel_stack_shows_the_trap_frame() {
    let mut s = Session::load_builtin("syscall-read").unwrap();
    s.apply(&step(Granularity::Trap)); // boot … the first int $64 (read)
                                       // Walk through the entry stub until the frame is complete.
    for _ in 0..20 {
        if s.view().kernel_stack.is_some_and(|k| k.words.len() == 15) {
            break;
        }
        s.apply(&step(Granularity::Instruction));
    }
    let ks = s.view().kernel_stack.expect("in the kernel");
    let names: Vec<&str> = ks.words.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names.first(), Some(&"ss"));
    assert_eq!(names.last(), Some(&"edi"));
    assert!(ks
        .words
        .iter()
        .find(|w| w.name == "eax")
        .is_some_and(|w| w.value == 6 && !w.by_cpu));
    assert!(ks
        .words
        .iter()
        .find(|w| w.name == "cs")
        .is_some_and(|w| w.value & 3 == 3 && w.by_cpu));
}

#[test]
fn address_space_view_of_processes_and_threads() {
    let mut s = Session::load_builtin("processes-vs-threads").unwrap();
    s.apply(&Command::Seek { cycle: 30_000 });
    let v = s.view();
    let spaces = &v.address_spaces[0];
    assert_eq!(spaces.addr, 0xffe8_4264);
    let value = |name: &str, i: usize| {
        spaces
            .spaces
            .iter()
            .filter(|e| e.name == name)
            .nth(i)
            .and_then(|e| e.value)
    };
    assert_eq!(
        (value("forker", 0), value("forker", 1)),
        (Some(100), Some(200))
    );
    let threader = spaces.spaces.iter().find(|e| e.name == "threader").unwrap();
    assert_eq!(threader.threads.len(), 2);
    assert_eq!(threader.value, Some(200));
    let w = &threader.walk;
    assert_eq!((w.pdx, w.ptx, w.offset), (0x3ff, 0x284, 0x264));
}

#[test]
fn every_lesson_opens_at_its_first_user_instruction() {
    for name in sim_core::scenario::BUILTIN_NAMES {
        let mut s = Session::load_builtin(name).unwrap();
        let at = s.skip_boot();
        let v = s.view();
        assert!(at > 0 && at < v.max_cycles, "{name}: opens at {at}");
        assert!(
            !v.code.kernel,
            "{name}: the code panel shows the user program"
        );
        assert!(v.code.current_line.is_some(), "{name}: a current line");
        if v.mode != sim_core::kernel::ExecMode::Direct {
            assert_eq!(v.cpu.cpl, 3, "{name}: user mode");
        }
        // The boot is one step back away.
        s.apply(&Command::StepBack {
            granularity: Granularity::Instruction,
        });
        assert!(
            s.view().code.kernel,
            "{name}: one instruction back is the kernel"
        );
    }
}

#[test]
fn exited_processes_keep_what_they_saw() {
    let mut s = Session::load_builtin("processes-vs-threads").unwrap();
    let max = s.view().max_cycles;
    s.apply(&Command::Run { cycles: max });
    let v = s.view();
    assert_eq!(v.status, Status::Finished);
    let spaces = &v.address_spaces[0].spaces;
    assert_eq!(spaces.len(), 3, "every process that existed is still shown");
    for e in spaces {
        assert!(e.exited_at.is_some(), "{} is marked exited", e.pid);
        let p = v.processes.iter().find(|p| p.pid == e.pid).unwrap();
        assert_eq!(p.exited_at, e.exited_at);
    }
    let (parent, threads, child) = (&spaces[0], &spaces[1], &spaces[2]);
    assert_eq!((parent.value, child.value), (Some(100), Some(200)));
    assert_ne!(
        parent.walk.frame, child.walk.frame,
        "two processes, two frames"
    );
    assert_eq!(threads.threads.len(), 2, "both threads of one process");
    assert_eq!(threads.value, Some(200), "one value for the two threads");
}

#[test]
fn the_trap_frame_grows_as_it_is_pushed_and_the_gate_stays_lit() {
    let mut s = Session::load_builtin("syscall-read").unwrap();
    s.skip_boot();
    step_to_line(&mut s, "int $64", 100);
    // Cycle by cycle into the delivery: the CPU's five words appear at once.
    while s.view().cpu.cpl == 3 {
        s.apply(&step(Granularity::Cycle));
    }
    let v = s.view();
    let esp = v.cpu.regs.iter().find(|r| r.0 == "esp").map(|r| r.1);
    assert_eq!(esp, Some(0x8020_efec), "the CPU has pushed five words");
    assert_eq!(v.active_gate, Some(64), "lit from the delivery on");
    assert_eq!(names(&v), ["ss", "esp", "eflags", "cs", "eip"]);
    let ks = v.kernel_stack.unwrap();
    assert!(ks.words.iter().all(|w| w.by_cpu));
    assert_eq!(ks.words.last().unwrap().addr, 0x8020_efec);
    assert_eq!(ks.vector, 64);
    assert!(!ks.stale);
    // The stub: dummy error code, vector number, then pushal.
    s.apply(&step(Granularity::Instruction)); // pushl $0
    let v = s.view();
    assert_eq!(names(&v).last().map(String::as_str), Some("err"));
    assert!(!v.kernel_stack.as_ref().unwrap().words[5].by_cpu);
    s.apply(&step(Granularity::Instruction)); // pushl $64
    let v = s.view();
    assert_eq!(names(&v).len(), 7);
    assert_eq!(v.kernel_stack.as_ref().unwrap().words[6].value, 64);
    assert_eq!(v.active_gate, Some(64));
    s.apply(&step(Granularity::Instruction)); // jmp alltraps
    s.apply(&step(Granularity::Instruction)); // pushal
    let v = s.view();
    assert_eq!(names(&v).len(), 15);
    assert_eq!(names(&v).last().map(String::as_str), Some("edi"));
    assert_eq!(v.active_gate, Some(64), "after pushal");
    // Through the kernel and out: the gate stays lit until the iret, the
    // frame shrinks as trapret pops it.
    let mut sizes = Vec::new();
    while s.view().cpu.cpl == 0 {
        let v = s.view();
        assert_eq!(
            v.active_gate.is_some(),
            v.kernel_stack.is_some(),
            "cycle {}",
            v.cycle
        );
        assert_eq!(v.active_gate, Some(64), "cycle {}", v.cycle);
        sizes.push(names(&v).len());
        s.apply(&step(Granularity::Instruction));
    }
    sizes.dedup();
    assert_eq!(sizes, [15, 7, 5], "pushal's words, then trapno/err go");
    let v = s.view();
    assert_eq!((v.active_gate, v.kernel_stack), (None, None));
}

#[test]
fn error_codes_are_pushed_by_the_cpu_and_a_killed_threads_frame_is_stale() {
    let mut s = Session::load_builtin("restricted-instruction").unwrap();
    s.skip_boot();
    step_to_line(&mut s, "cli", 20_000);
    s.apply(&step(Granularity::Instruction));
    let v = s.view();
    assert_eq!(v.active_gate, Some(13));
    assert_eq!(names(&v), ["ss", "esp", "eflags", "cs", "eip", "err"]);
    let ks = v.kernel_stack.unwrap();
    assert!(
        ks.words.iter().all(|w| w.by_cpu),
        "#GP pushes its error code"
    );
    assert_eq!(ks.words[5].value, 0, "#GP(0)");
    s.apply(&step(Granularity::Instruction)); // pushl $13
    let v = s.view();
    let ks = v.kernel_stack.unwrap();
    assert_eq!(ks.words.len(), 7);
    assert!(ks.words[5].by_cpu && !ks.words[6].by_cpu);
    // Into the kernel: once the rogue is killed its frame is stale.
    let mut saw_stale = false;
    for _ in 0..40 {
        s.apply(&step(Granularity::Instruction));
        let v = s.view();
        let killed = v.processes.iter().any(|p| p.killed.is_some());
        if let Some(ks) = &v.kernel_stack {
            if ks.vector == 13 && killed {
                assert!(ks.stale, "cycle {}: the killed thread's frame", v.cycle);
                saw_stale = true;
            } else {
                assert!(!ks.stale);
            }
        }
        if v.cpu.cpl == 3 {
            break;
        }
    }
    assert!(saw_stale);
}

#[test]
fn one_instruction_from_a_trapping_instruction_is_the_stub_s_first() {
    for (name, needle, vector) in [
        ("restricted-instruction", "cli", 13u8),
        ("syscall-read", "int $64", 64),
    ] {
        let mut s = Session::load_builtin(name).unwrap();
        s.skip_boot();
        step_to_line(&mut s, needle, 20_000);
        let at = s.view();
        let stub = at.idt.iter().find(|g| g.vector == vector).unwrap().handler;
        s.apply(&step(Granularity::Instruction));
        let v = s.view();
        assert_eq!((v.cpu.eip, v.cpu.cpl), (stub, 0), "{name}: forward");
        s.apply(&step(Granularity::Instruction));
        assert_ne!(s.view().cpu.eip, stub);
        s.apply(&Command::StepBack {
            granularity: Granularity::Instruction,
        });
        let back = s.view();
        assert_eq!((back.cpu.eip, back.cycle), (stub, v.cycle), "{name}: back");
        s.apply(&Command::StepBack {
            granularity: Granularity::Instruction,
        });
        let back = s.view();
        assert_eq!((back.cpu.eip, back.cycle), (at.cpu.eip, at.cycle), "{name}");
    }
}

#[test]
fn an_int_event_gives_its_cost_with_the_delivery() {
    let mut s = Session::load_builtin("syscall-read").unwrap();
    s.skip_boot();
    step_to_line(&mut s, "int $64", 100);
    let before = s.cycle();
    s.apply(&step(Granularity::Instruction));
    let after = s.cycle();
    let v = s.view();
    let e = v
        .events
        .iter()
        .rev()
        .find(|e| e.cycle == before && e.text.contains("int $64"))
        .expect("the int's event");
    assert!(e.text.contains("6 cycles + 20 for delivery"), "{}", e.text);
    assert_eq!(after - before, 26, "6 + 20 cycles");
}

#[test]
fn the_policy_names_a_quantum_only_when_it_has_one() {
    for name in sim_core::scenario::BUILTIN_NAMES {
        let s = Session::load_builtin(name).unwrap();
        let q = s.scenario().scheduler.build().unwrap().quantum();
        let v = s.view();
        match q {
            Some(q) => assert!(
                v.policy.ends_with(&format!("quantum {q}")),
                "{name}: {}",
                v.policy
            ),
            None => assert!(!v.policy.contains("quantum"), "{name}: {}", v.policy),
        }
    }
    let s = Session::load_builtin("loop-preemptive").unwrap();
    assert!(
        s.view().policy.contains("quantum 2000"),
        "{}",
        s.view().policy
    );
}

#[test]
fn the_running_queue_entry_agrees_with_the_process_table() {
    for name in [
        "rr-response",
        "io-overlap",
        "restricted-instruction",
        "lottery-fairness",
        "mlfq-gaming",
        "convoy-sjf",
    ] {
        let mut s = Session::load_builtin(name).unwrap();
        // At every context switch, and at the mode switches and traps between.
        let order = [
            Granularity::ContextSwitch,
            Granularity::ModeSwitch,
            Granularity::Trap,
            Granularity::ModeSwitch,
        ];
        for g in order.into_iter().cycle().take(120) {
            s.apply(&step(g));
            let v = s.view();
            let running: Vec<u32> = v
                .processes
                .iter()
                .flat_map(|p| p.threads.iter())
                .filter(|t| t.state == sim_core::session::State::Running)
                .map(|t| t.tid)
                .collect();
            assert_eq!(
                v.queues.running.map(|t| t.0),
                running.first().copied(),
                "{name} at cycle {}",
                v.cycle
            );
            assert!(running.len() <= 1);
            if v.status != Status::Running {
                break;
            }
        }
    }
}

#[test]
fn the_boot_has_no_trap_in_progress() {
    let mut s = Session::load_builtin("syscall-read").unwrap();
    while s.view().cpu.cpl == 0 {
        let v = s.view();
        assert_eq!(v.active_gate, None, "cycle {}", v.cycle);
        assert_eq!(v.kernel_stack, None, "cycle {}", v.cycle);
        s.apply(&step(Granularity::Instruction));
    }
}

#[test]
fn the_frame_and_the_gate_come_and_go_together() {
    for (name, from) in [
        ("direct-execution", 0),
        ("lde-syscall", 0),
        ("loop-preemptive", 1_900),
        ("processes-vs-threads", 0),
    ] {
        let mut s = Session::load_builtin(name).unwrap();
        s.apply(&Command::Seek { cycle: from });
        let mut frames = 0;
        for _ in 0..1_500 {
            s.apply(&step(Granularity::Instruction));
            let v = s.view();
            let at = format!("{name} at cycle {}", v.cycle);
            assert_eq!(v.active_gate.is_some(), v.kernel_stack.is_some(), "{at}");
            if v.cpu.cpl == 3 {
                assert_eq!(v.active_gate, None, "{at}");
            }
            if let Some(ks) = &v.kernel_stack {
                frames += 1;
                let cs = ks.words.iter().find(|w| w.name == "cs").expect("cs");
                let from_user = cs.value & 3 == 3;
                assert_eq!(ks.words[0].name == "ss", from_user, "{at}");
                assert!(ks.words.len() <= 15, "{at}");
                assert_eq!(ks.words.last().map(|w| w.addr), Some(ks.frame_addr), "{at}");
                let esp = v.cpu.regs.iter().find(|r| r.0 == "esp").map(|r| r.1);
                assert_eq!(esp, Some(ks.frame_addr), "{at}");
            }
            if v.status != Status::Running {
                break;
            }
        }
        assert!(frames > 0, "{name}: some trap seen");
    }
}
