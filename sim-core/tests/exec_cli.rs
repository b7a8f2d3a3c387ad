//! `ringside exec` end to end: the real binary, JSON lines in and out.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

fn exec(input: &str) -> Vec<Value> {
    exec_bytes(input.as_bytes())
}

fn exec_bytes(input: &[u8]) -> Vec<Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ringside"))
        .arg("exec")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn ringside");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "exit status {:?}", out.status);
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect()
}

fn line(v: Value) -> String {
    format!("{v}\n")
}

#[test]
fn good_case_returns_registers_flags_and_memory() {
    let out = exec(&line(json!({
        "code": "movl $6, %eax\naddl %eax, %ebx\nmovl %ebx, (%esi)\nsubl $11, %ebx",
        "regs": {"ebx": 5, "esi": 8192},
        "mem": {"addr": 8192, "hex": "00000000ff"},
    })));
    assert_eq!(out.len(), 1);
    let r = &out[0];
    assert_eq!(r["fault"], Value::Null);
    assert_eq!(
        r["regs"],
        json!({"eax": 6, "ecx": 0, "edx": 0, "ebx": 0, "esp": 0, "ebp": 0, "esi": 8192, "edi": 0})
    );
    // 11 - 11 = 0: ZF and PF set, plus the reserved bit 1.
    assert_eq!(r["eflags"], json!(0x46));
    assert_eq!(r["mem"], json!({"addr": 8192, "hex": "0b000000ff"}));
}

#[test]
fn fault_case_reports_the_exception_with_registers_at_the_fault() {
    let out = exec(&line(json!({
        "code": "movl $1, %ebx\nxorl %ecx, %ecx\ndivl %ecx\nmovl $2, %ebx",
        "regs": {"eax": 7},
    })));
    assert_eq!(out[0]["fault"], json!("#DE"));
    assert_eq!(out[0]["regs"]["eax"], json!(7));
    assert_eq!(out[0]["regs"]["ebx"], json!(1), "stopped at the div");
    assert!(out[0].get("mem").is_none());
}

#[test]
fn endless_loop_hits_the_instruction_limit() {
    let out = exec(&line(json!({"code": "top: incl %eax\njmp top"})));
    assert_eq!(out[0]["fault"], json!("limit"));
    assert_eq!(
        out[0]["regs"]["eax"],
        json!(5_000_000),
        "exactly 10 M instructions"
    );
}

#[test]
fn assembly_errors_are_reported_with_locations_and_the_run_continues() {
    let input = line(json!({"code": "movl $1, %eax\nbogus %eax\nmovl"}))
        + &line(json!({"code": "incl %eax"}));
    let out = exec(&input);
    assert_eq!(out.len(), 2);
    let errors = out[0]["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "every error is listed: {errors:?}");
    assert_eq!(out[0]["error"]["line"], json!(2));
    assert_eq!(out[0]["error"]["column"], json!(1));
    assert!(out[0]["error"]["message"].is_string());
    assert_eq!(out[1]["regs"]["eax"], json!(1));
}

#[test]
fn malformed_json_names_the_input_line_and_the_run_continues() {
    let input = String::from("{\"code\": \"nop\"}\n\n{\"code\": 5\nnot json\n")
        + &line(json!({"code": "nop", "regs": {"eax": 3}}));
    let out = exec(&input);
    assert_eq!(out.len(), 4, "blank lines are skipped: {out:?}");
    assert_eq!(out[1]["input_line"], json!(3));
    assert_eq!(out[1]["error"]["line"], json!(3));
    assert_eq!(out[2]["input_line"], json!(4));
    assert_eq!(out[3]["regs"]["eax"], json!(3));
    let bad_reg = exec(&line(json!({"code": "nop", "regs": {"rax": 1}})));
    assert!(bad_reg[0]["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("rax")));
}

#[test]
fn bad_usage_exits_with_2() {
    let status = Command::new(env!("CARGO_BIN_EXE_ringside"))
        .arg("frobnicate")
        .stderr(Stdio::null())
        .status()
        .expect("run");
    assert_eq!(status.code(), Some(2));
    let status = Command::new(env!("CARGO_BIN_EXE_ringside"))
        .stderr(Stdio::null())
        .status()
        .expect("run");
    assert_eq!(status.code(), Some(2));
}

#[test]
fn a_line_that_is_not_utf8_is_an_error_and_the_next_line_still_runs() {
    let mut input = vec![0xff, 0xfe, b'{', b'\n'];
    input.extend_from_slice(line(json!({"code": "movl $7, %eax"})).as_bytes());
    let out = exec_bytes(&input);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["input_line"], 1);
    assert!(out[0]["error"]["message"].is_string());
    assert_eq!(out[1]["regs"]["eax"], 7);
}
