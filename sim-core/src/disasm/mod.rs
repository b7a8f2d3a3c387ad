//! A disassembler for the code panel: machine code back to GNU (AT&T)
//! syntax, one line per instruction, for programs that arrive as machine
//! code (ELF executables) instead of source.
//!
//! It decodes with the same iced-x86 decoder the CPU uses and spells the
//! result with [`gnu::format`]. Bytes that do not decode show as `(bad)` (one
//! byte, as objdump steps over them), an instruction cut off by the end of
//! the code as `.byte` lines, and a valid instruction the engine does not
//! execute as `(bad: not in the simulated subset)`: running it raises #UD.

pub mod gnu;

use iced_x86::{Code, Decoder, DecoderError, DecoderOptions};

/// Text shown for a decodable instruction outside the engine's subset.
pub const OUTSIDE_SUBSET: &str = "(bad: not in the simulated subset)";

/// One line of a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub addr: u32,
    pub len: u32,
    pub text: String,
}

/// The listing of `code` loaded at `base`, in address order.
pub fn listing(base: u32, code: &[u8]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut at = 0usize;
    while at < code.len() {
        let addr = base.wrapping_add(at as u32);
        let mut d = Decoder::with_ip(32, &code[at..], u64::from(addr), DecoderOptions::NONE);
        let i = d.decode();
        let (len, text) = match d.last_error() {
            DecoderError::None if i.code() != Code::INVALID => (
                i.len(),
                gnu::format(&i, code.get(at..at + i.len()).unwrap_or_default())
                    .unwrap_or_else(|| OUTSIDE_SUBSET.into()),
            ),
            DecoderError::NoMoreBytes => (1, format!(".byte 0x{:x}", code[at])),
            _ => (1, "(bad)".into()),
        };
        lines.push(Line {
            addr,
            len: len as u32,
            text,
        });
        at += len.max(1);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(code: &[u8]) -> Vec<String> {
        listing(0x1000, code).into_iter().map(|l| l.text).collect()
    }

    #[test]
    fn lists_instructions_with_addresses() {
        let l = listing(0x1000, &[0xb8, 5, 0, 0, 0, 0xcd, 0x40, 0xeb, 0xfe]);
        let got: Vec<_> = l.iter().map(|l| (l.addr, l.len, l.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (0x1000, 5, "mov    $0x5,%eax"),
                (0x1005, 2, "int    $0x40"),
                (0x1007, 2, "jmp    0x1007"),
            ]
        );
    }

    #[test]
    fn bad_and_unsupported_bytes_are_marked() {
        // cpuid is valid x86 but not simulated; 0f 04 is undefined; 0f alone is cut off.
        assert_eq!(texts(&[0x0f, 0xa2]), [OUTSIDE_SUBSET]);
        assert_eq!(texts(&[0x0f, 0x04, 0x90, 0x90, 0x90, 0x90])[0], "(bad)");
        assert_eq!(texts(&[0x90, 0x0f]), ["nop", ".byte 0xf"]);
        assert_eq!(texts(&[0xf3, 0xa4]), [OUTSIDE_SUBSET]);
    }
}
