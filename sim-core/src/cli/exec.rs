//! `ringside exec`: run test cases given as JSON lines, for differential
//! testing against a real CPU.
//!
//! Each input line is `{"code": "<AT&T source>", "regs": {"eax": 0, …},
//! "eflags": 2, "mem": {"addr": 4096, "hex": "…"}}` (`regs` entries default to
//! 0, `eflags` to 2, `mem` is optional). The code is assembled at
//! [`TEXT_BASE`] and run on a fresh machine (ring 0, flat, paging off, no IDT)
//! until EIP reaches the end of `.text`. Each case prints one line:
//! `{"regs": {…}, "eflags": n, "mem": {"addr": a, "hex": "…"}, "fault": null}`
//! where `fault` is an exception mnemonic (`"#DE"`, with registers as at the
//! fault), `"limit"` after [`INSTRUCTION_LIMIT`] instructions, `"hlt"` for a
//! halt nothing can end, or `"triple fault"`. Assembly errors and malformed
//! lines print `{"error": {"line", "column", "message"}, "errors": [...],
//! "input_line": n}` instead; the tool goes on with the next line.

use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::asm::{assemble, AsmOptions};
use crate::cpu::flags;
use crate::machine::{ExceptionPolicy, Machine, StopReason};

/// Where `.text` is placed (1 MiB, where xv6 loads its kernel).
pub const TEXT_BASE: u32 = 0x0010_0000;
/// Instructions after which a case stops with fault `"limit"`.
pub const INSTRUCTION_LIMIT: u64 = 10_000_000;
/// Cycles per `Machine::run` slice between limit checks.
const SLICE: u64 = 1 << 20;

/// The eight registers, in encoding order (so the output lists them so too).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Regs {
    pub eax: u32,
    pub ecx: u32,
    pub edx: u32,
    pub ebx: u32,
    pub esp: u32,
    pub ebp: u32,
    pub esi: u32,
    pub edi: u32,
}

impl Regs {
    fn to_array(self) -> [u32; 8] {
        [
            self.eax, self.ecx, self.edx, self.ebx, self.esp, self.ebp, self.esi, self.edi,
        ]
    }

    fn from_array(g: [u32; 8]) -> Self {
        let [eax, ecx, edx, ebx, esp, ebp, esi, edi] = g;
        Regs {
            eax,
            ecx,
            edx,
            ebx,
            esp,
            ebp,
            esi,
            edi,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemBlock {
    pub addr: u32,
    pub hex: String,
}

/// One input line.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Case {
    pub code: String,
    #[serde(default)]
    pub regs: Regs,
    #[serde(default = "default_eflags")]
    pub eflags: u32,
    #[serde(default)]
    pub mem: Option<MemBlock>,
}

fn default_eflags() -> u32 {
    flags::RESERVED1
}

/// One output line for a case that ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub regs: Regs,
    pub eflags: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem: Option<MemBlock>,
    pub fault: Option<String>,
}

/// A problem with an input line, located in the source (assembly) or the
/// input (JSON, hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

#[derive(Serialize)]
struct ErrorLine {
    error: CaseError,
    errors: Vec<CaseError>,
    input_line: usize,
}

/// Entry point of `ringside exec`.
pub fn main(args: &[String]) -> i32 {
    if !args.is_empty() {
        eprintln!("usage: ringside exec < cases.jsonl   (no arguments)");
        return super::EXIT_USAGE;
    }
    match run(io::stdin().lock(), io::stdout().lock()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("ringside exec: {e}");
            1
        }
    }
}

/// Processes every line of `input`, writing one result line per non-blank
/// input line. Only I/O errors end it early: a line that is not UTF-8 is read
/// with replacement characters and then reported as malformed JSON.
pub fn run(mut input: impl BufRead, mut output: impl Write) -> io::Result<()> {
    let mut raw = Vec::new();
    for index in 0.. {
        raw.clear();
        if input.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&raw);
        if line.trim().is_empty() {
            continue;
        }
        let input_line = index + 1;
        let json = match parse_case(&line, input_line).and_then(|case| execute(&case)) {
            Ok(outcome) => serde_json::to_string(&outcome),
            Err(errors) => serde_json::to_string(&ErrorLine {
                error: errors[0].clone(),
                errors,
                input_line,
            }),
        }
        .map_err(io::Error::other)?;
        writeln!(output, "{json}")?;
        output.flush()?;
    }
    Ok(())
}

fn parse_case(line: &str, input_line: usize) -> Result<Case, Vec<CaseError>> {
    serde_json::from_str(line).map_err(|e| {
        vec![CaseError {
            line: input_line as u32,
            column: e.column() as u32,
            message: format!("malformed JSON on input line {input_line}: {e}"),
        }]
    })
}

/// Assembles and runs one case.
pub fn execute(case: &Case) -> Result<Outcome, Vec<CaseError>> {
    let opts = AsmOptions {
        text_base: TEXT_BASE,
        data_base: None,
    };
    let program = assemble(&case.code, &opts).map_err(|errs| {
        errs.0
            .into_iter()
            .map(|e| CaseError {
                line: e.line,
                column: e.column,
                message: e.message,
            })
            .collect::<Vec<_>>()
    })?;
    let mem_bytes = match &case.mem {
        Some(m) => Some(decode_hex(&m.hex)?),
        None => None,
    };
    let mut m = Machine::new();
    m.load(program.text.base, &program.text.bytes);
    m.load(program.data.base, &program.data.bytes);
    if let (Some(block), Some(bytes)) = (&case.mem, &mem_bytes) {
        m.load(block.addr, bytes);
    }
    m.set_exception_policy(ExceptionPolicy::Stop);
    let cpu = m.cpu_mut();
    cpu.gpr = case.regs.to_array();
    cpu.eflags = (case.eflags & flags::MODELED) | flags::RESERVED1;
    cpu.eip = program.text.base;
    let end = program.text_end();
    m.set_breakpoints(&[end]);
    let fault = run_to(&mut m, end);
    let mem = case.mem.as_ref().zip(mem_bytes).map(|(block, bytes)| {
        let mut back = vec![0; bytes.len()];
        m.mem().read_bytes(block.addr, &mut back);
        MemBlock {
            addr: block.addr,
            hex: encode_hex(&back),
        }
    });
    Ok(Outcome {
        regs: Regs::from_array(m.cpu().gpr),
        eflags: m.cpu().eflags,
        mem,
        fault,
    })
}

/// Runs until EIP = `end`; `Some(reason)` if it stopped otherwise.
fn run_to(m: &mut Machine, end: u32) -> Option<String> {
    loop {
        // `run` never stops at a breakpoint on its first instruction, so
        // check for the end before each slice.
        if m.cpu().eip == end {
            return None;
        }
        if m.instructions() >= INSTRUCTION_LIMIT {
            return Some("limit".into());
        }
        // Every instruction takes at least one cycle, so this budget cannot
        // overshoot the limit.
        let budget = (INSTRUCTION_LIMIT - m.instructions()).min(SLICE);
        match m.run(budget) {
            StopReason::Breakpoint(_) | StopReason::CycleLimit => {}
            StopReason::Exception(e) => return Some(e.mnemonic().into()),
            StopReason::HaltedForever => return Some("hlt".into()),
            StopReason::TripleFault => return Some("triple fault".into()),
            StopReason::DebugExit(_) => return Some("debug exit".into()),
        }
    }
}

fn decode_hex(hex: &str) -> Result<Vec<u8>, Vec<CaseError>> {
    let err = |column: usize, message: String| {
        vec![CaseError {
            line: 0,
            column: column as u32,
            message,
        }]
    };
    let digits = hex.as_bytes();
    if digits.len() % 2 == 1 {
        return Err(err(
            digits.len(),
            "mem.hex has an odd number of digits".into(),
        ));
    }
    digits
        .chunks(2)
        .enumerate()
        .map(|(i, pair)| {
            let nibble = |k: usize| {
                (pair[k] as char).to_digit(16).ok_or_else(|| {
                    err(
                        2 * i + k + 1,
                        format!("mem.hex: `{}` is not a hex digit", pair[k] as char),
                    )
                })
            };
            Ok((nibble(0)? << 4 | nibble(1)?) as u8)
        })
        .collect()
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
