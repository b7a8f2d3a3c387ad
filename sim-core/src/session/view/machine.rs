//! The machine's side of the view: the CPU, the code listing, the kernel
//! step in progress, address spaces, the kernel stack and the gate in use.

use super::*;
use crate::cpu::{flags, Reg};
use crate::kernel::frame::{has_error_code, FIELDS};
use crate::kernel::layout::{p2v, KERNBASE, PAGE};
use crate::kernel::{entry, OsEvent};
use crate::trace::TraceKind;

use super::super::describe::{code_lines, kernel_step};

/// The view of kernel step `function`, with one line on what it does.
fn step_view(function: &str, detail: Option<String>) -> KernelStepView {
    let about = match function {
        "boot" => "set up the trap table, the timer and the first processes",
        "allocproc" => "create a process: PCB, kernel stack, page directory, program image",
        "trap" => "read the trap frame and dispatch on its vector: system call, interrupt or fault",
        "timer_intr" => "count a tick; the running thread's time slice may be over",
        "disk_intr" => "a disk request completed: copy the data, wake the waiting thread",
        "kill" => "a user-mode fault: kill the process that caused it",
        "scheduler" => "pick the thread to run next (the policy decides)",
        "swtch" => "switch kernel stacks and registers to the chosen thread",
        "switchuvm" => "load the thread's page directory (CR3) and kernel stack (TSS.esp0)",
        "trapret" => "return through the trap frame: popal, drop vector and error code, iret",
        "idle" => "nothing is ready: wait for an interrupt",
        "spin" => "direct execution: no OS in control, so the process busy-waits for the disk",
        "disk_poll" => "poll the disk (as xv6's idewait): done, so finish the request here",
        "syscall" => "an unknown system call number: return -1",
        "boost" => "MLFQ priority boost: every job back to the top queue",
        // System calls: from the one system-call table.
        f if f.starts_with("sys_") => crate::kernel::syscall::SYSCALLS
            .iter()
            .find(|s| s.function == f)
            .map_or("a system call", |s| s.about),
        _ => "a kernel step",
    };
    KernelStepView {
        function: function.to_string(),
        about: about.to_string(),
        detail,
    }
}

impl Session {
    /// The kernel's C-level step the CPU is busy with, or, at a boundary in
    /// the kernel (or at `trap_c`, about to enter it), the next one.
    pub(super) fn kernel_step(&self) -> Option<KernelStepView> {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        let trace = self.sim.trace();
        if m.busy_cycles() > 0 {
            let last_instr = self.sim.instructions().iter_rev().next().map(|i| i.cycle);
            let last_step = trace.iter().rev().take(64).find_map(|e| match &e.kind {
                TraceKind::Os(OsEvent::KernelStep { function, outcome }) => {
                    Some((e.cycle, function, outcome))
                }
                _ => None,
            });
            return match last_step {
                Some((c, f, d)) if last_instr.is_none_or(|i| c >= i) => {
                    Some(step_view(f, Some(kernel_step(d))))
                }
                _ => None,
            };
        }
        if k.in_kernel() {
            return k.agenda().next().map(|s| step_view(s.function(), None));
        }
        let at_entry = m.cpu().cpl() == 0 && m.cpu().eip == k.stubs().trap_c;
        at_entry.then(|| step_view("trap", None))
    }

    pub(super) fn code_view(&self) -> CodeView {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        let eip = m.cpu().eip;
        let current = k
            .current()
            .and_then(|t| k.thread(t))
            .and_then(|t| k.process(t.pid));
        let step = self.kernel_step();
        let Some(p) = current.filter(|_| eip < KERNBASE) else {
            let stubs = &k.stubs().program;
            let source = entry::source();
            let lines = code_lines(&source, stubs);
            return CodeView {
                title: match &step {
                    Some(s) => format!("kernel: {}() at trap_c", s.function),
                    None => "kernel: trap entry and exit".into(),
                },
                kernel: true,
                program: None,
                lines,
                current_line: stubs.line_at(eip).map(|l| l.line),
                breakpoints: Vec::new(),
                library_from: None,
                step,
            };
        };
        let prog = &k.programs()[p.program];
        // The program as assembled: its source, then the user library (or
        // an ELF program's disassembly).
        let (full, user_lines) = self.program_text(p.program);
        let mut lines = code_lines(&full, &prog.program);
        let current_line = prog.program.line_at(eip).map(|l| l.line);
        // In a library stub: its lines, from its label to the next label.
        let is_label = |l: &CodeLine| {
            let t = l.text.trim_end();
            !t.starts_with(char::is_whitespace) && t.ends_with(':')
        };
        let stub = current_line.filter(|l| *l > user_lines).and_then(|cur| {
            let from = lines
                .iter()
                .filter(|l| l.line > user_lines && l.line <= cur && is_label(l))
                .map(|l| l.line)
                .next_back()?;
            let to = lines
                .iter()
                .find(|l| l.line > cur && is_label(l))
                .map_or(u32::MAX, |l| l.line);
            Some((from, to))
        });
        lines.retain(|l| {
            l.line <= user_lines || stub.is_some_and(|(a, b)| (a..b).contains(&l.line))
        });
        CodeView {
            title: match stub.and_then(|(a, _)| lines.iter().find(|l| l.line == a)) {
                Some(l) => format!(
                    "{} ({}) \u{00b7} user library: {}",
                    prog.name,
                    p.pid,
                    l.text.trim_end().trim_end_matches(':')
                ),
                None => format!("{} ({})", prog.name, p.pid),
            },
            kernel: false,
            program: Some(p.program),
            lines,
            current_line: current_line.filter(|l| *l <= user_lines || stub.is_some()),
            breakpoints: self
                .breakpoints
                .iter()
                .filter(|(pi, _)| *pi == p.program)
                .map(|(_, l)| *l)
                .collect(),
            library_from: stub.map(|(a, _)| a),
            step: None,
        }
    }

    pub(super) fn address_views(&self) -> Vec<AddressView> {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        self.scenario
            .watch
            .iter()
            .enumerate()
            .map(|(i, &addr)| AddressView {
                addr,
                spaces: k
                    .processes()
                    .filter_map(|p| {
                        let exited_at = p.exit_status.and(p.acct.finish);
                        let (walk, value) = match exited_at {
                            Some(_) => *p.last_look.get(i)?,
                            None => {
                                let walk = crate::mmu::walk(m.mem(), p.pgdir, addr);
                                (walk, walk.phys.map(|ph| m.mem().read_u32(ph)))
                            }
                        };
                        Some(SpaceEntry {
                            pid: p.pid,
                            name: p.name.clone(),
                            // An exited process lists the threads it had.
                            threads: p
                                .threads
                                .iter()
                                .filter(|t| {
                                    exited_at.is_some()
                                        || k.thread(**t).is_some_and(|t| t.state != State::Zombie)
                                })
                                .map(|t| t.0)
                                .collect(),
                            value,
                            walk: walk.into(),
                            exited_at,
                        })
                    })
                    .collect(),
            })
            .collect()
    }

    /// The trap frame, read from the stack as far as it is pushed now: the
    /// trap path's phase (from EIP: delivered, each stub push, `pushal`,
    /// each pop in `trapret`) says how many words lie between ESP and the
    /// frame's top; the saved CS says whether the CPU pushed SS and ESP too.
    pub(super) fn kernel_stack(&self) -> Option<KernelStackView> {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        let cpu = m.cpu();
        if cpu.cpl() != 0 {
            return None;
        }
        let phase = k.stubs().phase(cpu.eip)?;
        // The boot runs kernel steps and leaves through `trapret` without
        // any trap having happened: no frame to show yet.
        let no_entry = if k.in_kernel() {
            k.current_vector().is_none()
        } else {
            phase.leaving && k.last_vector().is_none()
        };
        if no_entry {
            return None;
        }
        let esp = cpu.reg(Reg::Esp);
        let read = |a: u32| {
            crate::mmu::walk(m.mem(), cpu.cr3, a)
                .phys
                .map_or(0, |p| m.mem().read_u32(p))
        };
        let eip_at = esp.wrapping_add(4 * phase.below);
        let from_user = read(eip_at.wrapping_add(4)) & 3 == 3;
        let by_cpu = if from_user { 5 } else { 3 };
        // The vector number sits just below the error code (still there
        // in memory at the `iret`, after `addl $8, %esp` dropped it).
        let vector = phase
            .vector
            .map_or_else(|| read(eip_at.wrapping_sub(8)), u32::from);
        let n = by_cpu + phase.below as usize;
        let top = eip_at.wrapping_add(4 * by_cpu as u32);
        let words = FIELDS
            .iter()
            .rev()
            .skip(5 - by_cpu)
            .take(n)
            .enumerate()
            .map(|(i, &name)| {
                let addr = top.wrapping_sub(4 * (i as u32 + 1));
                StackWord {
                    addr,
                    name: name.to_string(),
                    value: read(addr),
                    by_cpu: i < by_cpu || (name == "err" && has_error_code(vector as u8)),
                }
            })
            .collect();
        let owner = k.threads().find(|t| {
            let base = p2v(t.kstack);
            (base..base + PAGE).contains(&esp)
        });
        Some(KernelStackView {
            frame_addr: esp,
            vector,
            words,
            stale: owner.is_some_and(|t| t.state == State::Zombie),
        })
    }

    /// The gate of the trap in progress: from its delivery (the CPU in the
    /// stub) through the kernel's steps and `trapret` to the `iret`.
    pub(super) fn active_gate(&self, stack: Option<&KernelStackView>) -> Option<u8> {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        if m.cpu().cpl() != 0 {
            return None;
        }
        if k.in_kernel() {
            return k.current_vector();
        }
        let phase = k.stubs().phase(m.cpu().eip)?;
        if phase.leaving {
            // The kernel may return through another thread's frame: the
            // trap that ends is the one the kernel was entered for.
            return k.last_vector();
        }
        phase.vector.or(stack.map(|s| s.vector as u8))
    }

    /// The CPU's registers and flags.
    pub(super) fn cpu_view(&self) -> CpuView {
        let cpu = self.sim.machine().cpu();
        CpuView {
            regs: Reg::ALL
                .iter()
                .map(|r| (r.name().to_string(), cpu.reg(*r)))
                .collect(),
            eip: cpu.eip,
            eflags: cpu.eflags,
            flags: flags::NAMED
                .iter()
                .map(|(b, n)| (n.to_string(), cpu.eflags & b != 0))
                .collect(),
            cpl: cpu.cpl(),
            cr0: cpu.cr0,
            cr2: cpu.cr2,
            cr3: cpu.cr3,
            tss_esp0: self.sim.machine().tss_esp0().unwrap_or(0),
            halted: cpu.halted,
            kernel_function: self.kernel_step().map(|s| s.function),
        }
    }
}
