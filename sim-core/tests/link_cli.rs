//! `ringside link` and `ringside run LINK`: a scenario file becomes a link,
//! the link runs exactly as the scenario does, and a hostile link is refused
//! with a clear message and a non-zero exit.

use std::path::PathBuf;
use std::process::{Command, Output};

use sim_core::scenario::builtin;
use sim_core::scenario::link::decode;

fn ringside(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ringside"))
        .args(args)
        .output()
        .expect("ringside runs")
}

fn stdout_of(args: &[&str]) -> String {
    let out = ringside(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// A scratch file under the target directory, unique to this test.
fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("link_cli");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn a_linked_scenario_runs_like_the_builtin() {
    let json = stdout_of(&["scenarios", "convoy-fifo"]);
    let file = scratch("convoy-fifo.json", &json);
    let fragment = stdout_of(&["link", file.to_str().expect("UTF-8 path")]);
    let fragment = fragment.trim_end();
    assert!(fragment.starts_with("#s=1."), "{fragment}");
    assert_eq!(fragment.lines().count(), 1);
    let want = stdout_of(&["run", "builtin:convoy-fifo", "--metrics"]);
    assert!(want.contains("context switches"), "{want}");
    let url = format!("https://example.org/ringside/?x=1{fragment}");
    for input in [url.as_str(), fragment, &fragment[1..]] {
        assert_eq!(stdout_of(&["run", input, "--metrics"]), want, "{input}");
    }
    let share = decode(fragment).expect("decodes");
    assert_eq!(share.scenario, builtin("convoy-fifo").expect("built-in"));
    assert_eq!((share.cycle, share.panels), (None, None));
}

#[test]
fn cycle_and_panels_go_into_the_link() {
    let out = stdout_of(&[
        "link",
        "builtin:rr-response",
        "--cycle",
        "4096",
        "--panels",
        "cpu,gantt",
    ]);
    let share = decode(out.trim_end()).expect("decodes");
    assert_eq!(share.cycle, Some(4096));
    assert_eq!(share.panels, Some(vec!["cpu".into(), "gantt".into()]));
}

#[test]
fn an_invalid_scenario_file_gets_no_link() {
    let mut s = builtin("syscall-read").expect("built-in");
    s.programs[0].source = "main:\n    movl $1, %eax\n    frobnicate %eax\n".into();
    let file = scratch("bad-asm.json", &s.to_json());
    let out = ringside(&["link", file.to_str().expect("UTF-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("$.programs[0].source:3:5: "), "{err}");
}

#[test]
fn hostile_links_are_refused_clearly() {
    let hostile = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/links/hostile.txt"),
    )
    .expect("fixtures");
    let input = |label: &str| -> String {
        let line = hostile
            .lines()
            .find(|l| l.starts_with(&format!("{label}\t")))
            .expect("fixture exists");
        let payload = line.splitn(3, '\t').nth(2).expect("3 fields");
        if payload.contains("s=") {
            payload.to_string()
        } else {
            format!("https://example.org/#s={payload}")
        }
    };
    let cases = [
        ("decompression-bomb", "more than 1048576 bytes"),
        ("program-does-not-assemble", "$.programs[0].source:3:5: "),
        ("unknown-version-99", "version is 99"),
        ("bad-base64-char", "character 41"),
        ("truncated-deflate", "ends early"),
    ];
    for (label, needle) in cases {
        let out = ringside(&["run", &input(label), "--metrics"]);
        assert_eq!(out.status.code(), Some(1), "{label}");
        assert!(out.stdout.is_empty(), "{label}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("link: "), "{label}: {err}");
        assert!(err.contains(needle), "{label}: {err}");
    }
    // A markup-laden but valid link runs, its text printed as is.
    let out = stdout_of(&["run", &input("html-img-onerror")]);
    assert!(
        out.contains("# <img src=x onerror=alert(1)> after"),
        "{out}"
    );
}
