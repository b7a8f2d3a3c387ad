//! A program as a static ELF executable instead of source: the editor's file
//! input reads the file, the program's `elf` becomes its base64 (and its
//! source empty), and the engine checks it like any edit. The code panel then
//! shows the executable's disassembly.

use std::rc::Rc;

use sim_core::scenario::base64;
use sim_core::session::{Scenario, ScenarioError};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ElfUploadProps {
    pub scenario: Rc<Scenario>,
    /// The program the editor shows.
    pub index: usize,
    pub problems: Rc<Vec<ScenarioError>>,
    pub on_edit: Callback<Scenario>,
}

/// The scenario with program `i` replaced by the executable `file`.
pub fn with_elf(scenario: &Scenario, i: usize, file: &[u8]) -> Scenario {
    let mut s = scenario.clone();
    if let Some(p) = s.programs.get_mut(i) {
        p.source.clear();
        p.elf = Some(base64::encode(file));
    }
    s
}

/// The engine's problems with program `i` as an executable.
pub fn elf_problems(problems: &[ScenarioError], i: usize) -> Vec<String> {
    let (elf, whole) = (format!("$.programs[{i}].elf"), format!("$.programs[{i}]"));
    problems
        .iter()
        .filter(|p| p.path == elf || p.path == whole)
        .map(|p| p.message.clone())
        .collect()
}

#[function_component(ElfUpload)]
pub fn elf_upload(props: &ElfUploadProps) -> Html {
    let reader = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let error = use_state(|| None::<String>);
    let i = props.index;
    let onchange = {
        let (scenario, on_edit, reader, error) = (
            props.scenario.clone(),
            props.on_edit.clone(),
            reader.clone(),
            error.clone(),
        );
        Callback::from(move |e: Event| {
            let Some(file) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|input| input.files())
                .and_then(|f| f.get(0))
            else {
                return;
            };
            let (scenario, on_edit, error) = (scenario.clone(), on_edit.clone(), error.clone());
            let name = file.name();
            let task =
                gloo::file::callbacks::read_as_bytes(&file.into(), move |bytes| match bytes {
                    Ok(b) => {
                        error.set(None);
                        on_edit.emit(with_elf(&scenario, i, &b));
                    }
                    Err(e) => error.set(Some(format!("{name}: {e}"))),
                });
            *reader.borrow_mut() = Some(task);
        })
    };
    let program = props.scenario.programs.get(i);
    let size = program
        .and_then(|p| p.elf.as_deref())
        .map(|b| base64::decode(b).map_or(0, |v| v.len()));
    let to_source = {
        let (scenario, on_edit) = (props.scenario.clone(), props.on_edit.clone());
        Callback::from(move |_: MouseEvent| {
            let mut s = (*scenario).clone();
            if let Some(p) = s.programs.get_mut(i) {
                p.elf = None;
                p.source = "main:\n    pushl $0\n    call exit\n".into();
            }
            on_edit.emit(s);
        })
    };
    let problems = elf_problems(&props.problems, i);
    html! {
        <div class="elf-upload" data-testid="elf-program">
            if let Some(n) = size {
                <p class="hint" data-testid="elf-status">
                    { format!("This program is a static ELF executable ({n} bytes): the code panel shows its disassembly (GNU syntax). ") }
                    <button type="button" onclick={to_source}>{ "Write source instead" }</button>
                </p>
            }
            <label class="field">{ "or load a static 32-bit ELF executable (as --32, ld -m elf_i386; entry _start; system calls by int $64) " }
                <input type="file" {onchange} data-testid="elf-upload" />
            </label>
            if let Some(e) = &*error {
                <p class="field-error" role="alert">{ e }</p>
            }
            <ul class="diagnostics" data-testid="elf-diagnostics">
                { for problems.iter().map(|m| html! { <li>{ m }</li> }) }
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_uploaded_file_replaces_the_source_and_bad_files_are_reported() {
        let s = sim_core::session::builtin("syscall-read").unwrap();
        let edited = with_elf(&s, 0, b"not an executable");
        assert!(edited.programs[0].source.is_empty());
        assert_eq!(
            edited.programs[0].elf.as_deref(),
            Some(base64::encode(b"not an executable").as_str())
        );
        let errs = Scenario::from_json(&edited.to_json()).unwrap_err();
        let shown = elf_problems(&errs, 0);
        assert_eq!(shown.len(), 1, "{errs:?}");
        assert!(
            shown[0].starts_with("byte 0 (e_ident): not an ELF file"),
            "{shown:?}"
        );
        assert!(elf_problems(&errs, 1).is_empty());
    }
}
