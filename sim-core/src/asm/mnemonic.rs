//! Mnemonic spelling: GNU as names, size suffixes and condition-code aliases.

use super::operand::Size;
use iced_x86::Code;

/// Instruction families; operands pick the exact `Code` in `select`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Alu(usize),
    Test,
    Mov,
    /// movzx/movsx; `src` comes from the name (`movzbl`) or the source register.
    Movx {
        signed: bool,
        src: Option<Size>,
    },
    Lea,
    Xchg,
    Push,
    Pop,
    /// Index into `codes::UNARY`.
    Unary(usize),
    IncDec(usize),
    /// `imul` has 1-, 2- and 3-operand forms.
    Imul,
    Shift(usize),
    Bt(usize),
    Setcc(usize),
    Cmovcc(usize),
    Jcc(usize),
    Jmp,
    Call,
    Ret,
    /// loop/jecxz: rel8 only.
    Rel8(Code),
    Int,
    In,
    Out,
    /// lidt/lgdt/sidt/sgdt: one memory operand.
    Desc(Code),
    /// No operands (nop, hlt, cltd, ...).
    Fixed(Code),
}

const CC_NAMES: [&[&str]; 16] = [
    &["o"],
    &["no"],
    &["b", "c", "nae"],
    &["ae", "nb", "nc"],
    &["e", "z"],
    &["ne", "nz"],
    &["be", "na"],
    &["a", "nbe"],
    &["s"],
    &["ns"],
    &["p", "pe"],
    &["np", "po"],
    &["l", "nge"],
    &["ge", "nl"],
    &["le", "ng"],
    &["g", "nle"],
];

fn cc(s: &str) -> Option<usize> {
    CC_NAMES.iter().position(|names| names.contains(&s))
}

fn fixed(name: &str) -> Option<Code> {
    Some(match name {
        "nop" => Code::Nopd,
        "hlt" => Code::Hlt,
        "cli" => Code::Cli,
        "sti" => Code::Sti,
        "cld" => Code::Cld,
        "std" => Code::Std,
        "clc" => Code::Clc,
        "stc" => Code::Stc,
        "cmc" => Code::Cmc,
        "leave" | "leavel" => Code::Leaved,
        "cltd" | "cdq" => Code::Cdq,
        "cwtl" | "cwde" => Code::Cwde,
        "cbtw" | "cbw" => Code::Cbw,
        "cwtd" | "cwd" => Code::Cwd,
        "pusha" | "pushal" | "pushad" => Code::Pushad,
        "popa" | "popal" | "popad" => Code::Popad,
        "pushaw" => Code::Pushaw,
        "popaw" => Code::Popaw,
        "pushf" | "pushfl" | "pushfd" => Code::Pushfd,
        "popf" | "popfl" | "popfd" => Code::Popfd,
        "pushfw" => Code::Pushfw,
        "popfw" => Code::Popfw,
        "iret" | "iretl" | "iretd" => Code::Iretd,
        "iretw" => Code::Iretw,
        "int3" => Code::Int3,
        "into" => Code::Into,
        "clts" => Code::Clts,
        "invd" => Code::Invd,
        "wbinvd" => Code::Wbinvd,
        _ => return None,
    })
}

/// Families spelled without a size suffix; `Option<Size>` is a size the name implies.
fn base(name: &str) -> Option<(Family, Option<Size>)> {
    const ALU: [&str; 8] = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];
    // Slot 3 (imul) is its own family; a NUL name can never match.
    const UNARY: [&str; 6] = ["not", "neg", "mul", "\0", "div", "idiv"];
    const SHIFT: [&str; 7] = ["rol", "ror", "rcl", "rcr", "shl", "shr", "sar"];
    const BT: [&str; 4] = ["bt", "bts", "btr", "btc"];
    let f = |f| Some((f, None));
    if let Some(i) = ALU.iter().position(|&n| n == name) {
        return f(Family::Alu(i));
    }
    if let Some(i) = UNARY.iter().position(|&n| n == name) {
        return f(Family::Unary(i));
    }
    if let Some(i) = SHIFT.iter().position(|&n| n == name) {
        return f(Family::Shift(i));
    }
    if let Some(i) = BT.iter().position(|&n| n == name) {
        return f(Family::Bt(i));
    }
    let movx = |signed, src, dst| Some((Family::Movx { signed, src }, dst));
    match name {
        "sal" => return f(Family::Shift(4)),
        "test" => return f(Family::Test),
        "mov" => return f(Family::Mov),
        "lea" => return f(Family::Lea),
        "xchg" => return f(Family::Xchg),
        "push" => return f(Family::Push),
        "pop" => return f(Family::Pop),
        "inc" => return f(Family::IncDec(0)),
        "dec" => return f(Family::IncDec(1)),
        "imul" => return f(Family::Imul),
        "jmp" => return f(Family::Jmp),
        "call" => return f(Family::Call),
        "ret" => return f(Family::Ret),
        "int" => return f(Family::Int),
        "in" => return f(Family::In),
        "out" => return f(Family::Out),
        "loop" => return f(Family::Rel8(Code::Loop_rel8_32_ECX)),
        "loope" | "loopz" => return f(Family::Rel8(Code::Loope_rel8_32_ECX)),
        "loopne" | "loopnz" => return f(Family::Rel8(Code::Loopne_rel8_32_ECX)),
        "jecxz" => return f(Family::Rel8(Code::Jecxz_rel8_32)),
        "lidt" => return f(Family::Desc(Code::Lidt_m1632)),
        "lgdt" => return f(Family::Desc(Code::Lgdt_m1632)),
        "sidt" => return f(Family::Desc(Code::Sidt_m1632)),
        "sgdt" => return f(Family::Desc(Code::Sgdt_m1632)),
        "movzbl" => return movx(false, Some(Size::Byte), Some(Size::Long)),
        "movzbw" => return movx(false, Some(Size::Byte), Some(Size::Word)),
        "movzwl" => return movx(false, Some(Size::Word), Some(Size::Long)),
        "movsbl" => return movx(true, Some(Size::Byte), Some(Size::Long)),
        "movsbw" => return movx(true, Some(Size::Byte), Some(Size::Word)),
        "movswl" => return movx(true, Some(Size::Word), Some(Size::Long)),
        "movzb" => return movx(false, Some(Size::Byte), None),
        "movsb" => return movx(true, Some(Size::Byte), None),
        "movzw" => return movx(false, Some(Size::Word), None),
        "movsw" => return movx(true, Some(Size::Word), None),
        "movzx" => return movx(false, None, None),
        "movsx" => return movx(true, None, None),
        _ => {}
    }
    if let Some(code) = fixed(name) {
        return f(Family::Fixed(code));
    }
    if let Some(c) = name.strip_prefix("set").and_then(cc) {
        return Some((Family::Setcc(c), Some(Size::Byte)));
    }
    if let Some(c) = name.strip_prefix("cmov").and_then(cc) {
        return f(Family::Cmovcc(c));
    }
    if let Some(c) = name.strip_prefix('j').and_then(cc) {
        return f(Family::Jcc(c));
    }
    None
}

/// Families that take a `b`/`w`/`l` suffix, and which sizes they accept.
fn accepts_suffix(f: Family, s: Size) -> bool {
    match f {
        Family::Alu(_)
        | Family::Test
        | Family::Mov
        | Family::Xchg
        | Family::Unary(_)
        | Family::IncDec(_)
        | Family::Imul
        | Family::Shift(_)
        | Family::In
        | Family::Out => true,
        Family::Lea | Family::Push | Family::Pop | Family::Bt(_) | Family::Cmovcc(_) => {
            s != Size::Byte
        }
        Family::Jmp | Family::Call | Family::Ret | Family::Desc(_) => s == Size::Long,
        _ => false,
    }
}

/// Resolves a mnemonic as GNU as does: the whole name first (so `shl`, `setl`, `cmovl`
/// keep their meaning), then the name minus a `b`/`w`/`l` size suffix (`shll`, `cmovll`).
pub fn lookup(name: &str) -> Option<(Family, Option<Size>)> {
    let lower = name.to_ascii_lowercase();
    if let Some(found) = base(&lower) {
        return Some(found);
    }
    let (stem, last) = lower.split_at(lower.len().checked_sub(1)?);
    let size = match last {
        "b" => Size::Byte,
        "w" => Size::Word,
        "l" => Size::Long,
        _ => return None,
    };
    match base(stem)? {
        (f, None) if accepts_suffix(f, size) => Some((f, Some(size))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_and_aliases() {
        assert_eq!(lookup("movl"), Some((Family::Mov, Some(Size::Long))));
        assert_eq!(lookup("shl"), Some((Family::Shift(4), None)));
        assert_eq!(lookup("shll"), Some((Family::Shift(4), Some(Size::Long))));
        assert_eq!(lookup("setl"), Some((Family::Setcc(12), Some(Size::Byte))));
        assert_eq!(lookup("cmovl"), Some((Family::Cmovcc(12), None)));
        assert_eq!(
            lookup("cmovll"),
            Some((Family::Cmovcc(12), Some(Size::Long)))
        );
        assert_eq!(lookup("jnae"), Some((Family::Jcc(2), None)));
        assert_eq!(lookup("calll"), Some((Family::Call, Some(Size::Long))));
        assert_eq!(lookup("PUSHL"), Some((Family::Push, Some(Size::Long))));
        assert_eq!(lookup("movx"), None);
        assert_eq!(lookup("pushb"), None);
        assert_eq!(lookup("hltl"), None);
        assert_eq!(lookup(""), None);
    }
}
