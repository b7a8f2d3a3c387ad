//! CPU panel: the mode badge, registers (changed ones marked), EIP and the
//! named EFLAGS bits.

use super::{hex, PanelProps};
use yew::prelude::*;

#[function_component(CpuPanel)]
pub fn cpu_panel(props: &PanelProps) -> Html {
    let cpu = &props.view.cpu;
    let prev = props.prev.as_ref().map(|p| &p.cpu);
    let kernel = cpu.cpl == 0;
    let (mode, class) = if kernel {
        ("kernel", "mode-badge kernel")
    } else {
        ("user", "mode-badge user")
    };
    let changed = |name: &str, value: u32| {
        prev.and_then(|p| p.regs.iter().find(|(n, _)| n == name))
            .is_some_and(|(_, v)| *v != value)
    };
    let reg = |name: &str, value: u32, changed: bool| {
        let title = format!(
            "{name} = {value} (unsigned), {} (signed){}",
            value as i32,
            if changed {
                " — changed by the last step"
            } else {
                ""
            }
        );
        html! {
            <div class={classes!("reg", changed.then_some("changed"))} title={title} data-testid={format!("reg-{name}")}>
                <span class="reg-name">{ name.to_string() }</span>
                <span class="reg-value mono">{ hex(value) }</span>
            </div>
        }
    };
    let eip_changed = prev.is_some_and(|p| p.eip != cpu.eip);
    html! {
        <section class="panel cpu-panel" aria-labelledby="cpu-title" data-testid="panel-cpu">
            <h2 id="cpu-title">{ "CPU" }</h2>
            // Keyed by the CPL so the badge is re-created, and its entry animation
            // replays, exactly when the mode changes.
            <div class={class} key={cpu.cpl.to_string()} role="status" aria-live="polite">
                <span class="mode-name" data-testid="mode-badge">{ mode }</span>
                <span class="mode-cpl">{ format!("CPL {} \u{00b7} ring {}", cpu.cpl, cpu.cpl) }</span>
            </div>
            if let Some(f) = &cpu.kernel_function {
                <p class="kernel-fn">{ "kernel is running " }<code>{ format!("{f}()") }</code></p>
            }
            if cpu.halted {
                <p class="kernel-fn">{ "hlt: the CPU waits for an interrupt" }</p>
            }
            <div class="regs">
                { reg("eip", cpu.eip, eip_changed) }
                { for cpu.regs.iter().map(|(n, v)| reg(n, *v, changed(n, *v))) }
            </div>
            <div class="flags" aria-label="EFLAGS">
                <span class="flags-label">{ "EFLAGS " }<span class="mono">{ hex(cpu.eflags) }</span></span>
                { for cpu.flags.iter().map(|(name, on)| html! {
                    <span class={classes!("flag", on.then_some("on"))} title={format!("{name} = {}", u8::from(*on))}>
                        { format!("{name}={}", u8::from(*on)) }
                    </span>
                }) }
            </div>
            <dl class="sysregs mono">
                <dt>{ "CR0" }</dt><dd>{ hex(cpu.cr0) }</dd>
                <dt>{ "CR2" }</dt><dd>{ hex(cpu.cr2) }</dd>
                <dt>{ "CR3" }</dt><dd title="page directory of the running address space">{ hex(cpu.cr3) }</dd>
                <dt>{ "TSS.esp0" }</dt><dd title="kernel stack the CPU switches to on a trap from user mode">{ hex(cpu.tss_esp0) }</dd>
            </dl>
        </section>
    }
}
