//! Code panel: the running program's source (or the kernel's trap stubs when
//! the CPU is in the kernel), the current line, machine-code bytes, and
//! breakpoints toggled by clicking a line number.

use super::hex;
use crate::state::{Action, SharedView};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CodeProps {
    pub view: SharedView,
    pub on_action: Callback<Action>,
    /// Running at full speed: the listing does not follow the current line
    /// (reading its position would force a layout of the page every redraw).
    #[prop_or_default]
    pub lean: bool,
}

#[function_component(CodePanel)]
pub fn code_panel(props: &CodeProps) -> Html {
    let code = &props.view.code;
    let scroller = use_node_ref();
    let current = use_node_ref();
    {
        // Keep the current line in the middle of the listing without moving the page.
        let (scroller, current) = (scroller.clone(), current.clone());
        use_effect_with(
            (code.title.clone(), code.current_line, props.lean),
            move |(_, _, lean)| {
                if !lean {
                    super::reveal(&scroller, &current);
                }
            },
        );
    }
    let program = code.program;
    let lines = code.lines.iter().map(|l| {
        let is_current = code.current_line == Some(l.line);
        let lib_start = code.library_from == Some(l.line);
        let bp = code.breakpoints.contains(&l.line);
        let toggle = program.map(|p| {
            let line = l.line;
            props.on_action.reform(move |_: MouseEvent| Action::ToggleBreakpoint { program: p, line })
        });
        let label = if bp { format!("remove the breakpoint on line {}", l.line) } else { format!("break before line {}", l.line) };
        html! { <>
            if lib_start {
                <li class="library-note" aria-hidden="true">{ "user library (usys): the stub the program called" }</li>
            }
            <li class={classes!("code-line", is_current.then_some("current"), bp.then_some("bp"), lib_start.then_some("library-start"))}
                data-testid={format!("code-line-{}", l.line)}
                aria-current={is_current.then_some("step")}
                ref={if is_current { current.clone() } else { NodeRef::default() }}>
                <span class="marker" aria-hidden="true">{ if is_current { "\u{25b6}" } else { "" } }</span>
                if let Some(onclick) = toggle {
                    <button class="lineno" onclick={onclick} title={label.clone()} aria-label={label}
                            aria-pressed={bp.to_string()} data-testid={format!("bp-{}", l.line)}>
                        { if bp { "\u{25cf}" } else { "" } }{ l.line }
                    </button>
                } else {
                    <span class="lineno">{ l.line }</span>
                }
                <span class="addr mono">{ l.addr.map(hex).unwrap_or_default() }</span>
                <span class="bytes mono">{ &l.bytes }</span>
                <code class="src">{ &l.text }</code>
            </li>
        </> }
    });
    html! {
        <section class="panel code-panel" aria-labelledby="code-title" data-testid="panel-code">
            <h2 id="code-title">
                { "Code: " }<span class={classes!("code-owner", code.kernel.then_some("kernel"))}>{ &code.title }</span>
            </h2>
            if let Some(step) = &code.step {
                <div class="kernel-step" data-testid="kernel-step">
                    <p>{ "The kernel runs " }<code>{ format!("{}()", step.function) }</code>{ ": " }{ &step.about }</p>
                    if let Some(d) = &step.detail {
                        <p class="hint">{ "this time: " }{ d }</p>
                    }
                </div>
            }
            if !code.kernel {
                <p class="hint">{ "Click a line number to set or clear a breakpoint." }</p>
            }
            <ol class="code" ref={scroller} tabindex="0" aria-label="program listing">{ for lines }</ol>
        </section>
    }
}
