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

/// Instructions without operands, by every name GNU as accepts.
const FIXED: [(&[&str], Code); 29] = [
    (&["nop"], Code::Nopd),
    (&["hlt"], Code::Hlt),
    (&["cli"], Code::Cli),
    (&["sti"], Code::Sti),
    (&["cld"], Code::Cld),
    (&["std"], Code::Std),
    (&["clc"], Code::Clc),
    (&["stc"], Code::Stc),
    (&["cmc"], Code::Cmc),
    (&["leave", "leavel"], Code::Leaved),
    (&["cltd", "cdq"], Code::Cdq),
    (&["cwtl", "cwde"], Code::Cwde),
    (&["cbtw", "cbw"], Code::Cbw),
    (&["cwtd", "cwd"], Code::Cwd),
    (&["pusha", "pushal", "pushad"], Code::Pushad),
    (&["popa", "popal", "popad"], Code::Popad),
    (&["pushaw"], Code::Pushaw),
    (&["popaw"], Code::Popaw),
    (&["pushf", "pushfl", "pushfd"], Code::Pushfd),
    (&["popf", "popfl", "popfd"], Code::Popfd),
    (&["pushfw"], Code::Pushfw),
    (&["popfw"], Code::Popfw),
    (&["iret", "iretl", "iretd"], Code::Iretd),
    (&["iretw"], Code::Iretw),
    (&["int3"], Code::Int3),
    (&["into"], Code::Into),
    (&["clts"], Code::Clts),
    (&["invd"], Code::Invd),
    (&["wbinvd"], Code::Wbinvd),
];

/// A mnemonic's family and the size its name implies.
type Meaning = (Family, Option<Size>);

/// Families spelled without a size suffix; `Option<Size>` is a size the name implies.
fn base(name: &str) -> Option<Meaning> {
    // One binary search in a table made once: the assembler looks up every
    // line's mnemonic (twice with a suffix), and comparing it against each
    // name in turn made this the hottest function of a page's first load.
    static NAMES: std::sync::OnceLock<Vec<(String, Meaning)>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(every_name);
    let i = names.binary_search_by(|(n, _)| n.as_str().cmp(name)).ok()?;
    Some(names[i].1)
}

/// Every name [`base`] knows, sorted.
fn every_name() -> Vec<(String, Meaning)> {
    const ALU: [&str; 8] = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];
    // Slot 3 (imul) is its own family.
    const UNARY: [&str; 6] = ["not", "neg", "mul", "", "div", "idiv"];
    const SHIFT: [&str; 7] = ["rol", "ror", "rcl", "rcr", "shl", "shr", "sar"];
    const BT: [&str; 4] = ["bt", "bts", "btr", "btc"];
    let movx = |signed, src| Family::Movx { signed, src };
    let (byte, word, long) = (Some(Size::Byte), Some(Size::Word), Some(Size::Long));
    let named: [(&str, Family, Option<Size>); 38] = [
        ("sal", Family::Shift(4), None),
        ("test", Family::Test, None),
        ("mov", Family::Mov, None),
        ("lea", Family::Lea, None),
        ("xchg", Family::Xchg, None),
        ("push", Family::Push, None),
        ("pop", Family::Pop, None),
        ("inc", Family::IncDec(0), None),
        ("dec", Family::IncDec(1), None),
        ("imul", Family::Imul, None),
        ("jmp", Family::Jmp, None),
        ("call", Family::Call, None),
        ("ret", Family::Ret, None),
        ("int", Family::Int, None),
        ("in", Family::In, None),
        ("out", Family::Out, None),
        ("loop", Family::Rel8(Code::Loop_rel8_32_ECX), None),
        ("loope", Family::Rel8(Code::Loope_rel8_32_ECX), None),
        ("loopz", Family::Rel8(Code::Loope_rel8_32_ECX), None),
        ("loopne", Family::Rel8(Code::Loopne_rel8_32_ECX), None),
        ("loopnz", Family::Rel8(Code::Loopne_rel8_32_ECX), None),
        ("jecxz", Family::Rel8(Code::Jecxz_rel8_32), None),
        ("lidt", Family::Desc(Code::Lidt_m1632), None),
        ("lgdt", Family::Desc(Code::Lgdt_m1632), None),
        ("sidt", Family::Desc(Code::Sidt_m1632), None),
        ("sgdt", Family::Desc(Code::Sgdt_m1632), None),
        ("movzbl", movx(false, byte), long),
        ("movzbw", movx(false, byte), word),
        ("movzwl", movx(false, word), long),
        ("movsbl", movx(true, byte), long),
        ("movsbw", movx(true, byte), word),
        ("movswl", movx(true, word), long),
        ("movzb", movx(false, byte), None),
        ("movsb", movx(true, byte), None),
        ("movzw", movx(false, word), None),
        ("movsw", movx(true, word), None),
        ("movzx", movx(false, None), None),
        ("movsx", movx(true, None), None),
    ];
    let families = [
        (&ALU[..], Family::Alu as fn(usize) -> Family),
        (&UNARY[..], Family::Unary),
        (&SHIFT[..], Family::Shift),
        (&BT[..], Family::Bt),
    ];
    let mut all: Vec<(String, Meaning)> = Vec::with_capacity(256);
    for (names, family) in families {
        for (i, n) in names.iter().enumerate().filter(|(_, n)| !n.is_empty()) {
            all.push((n.to_string(), (family(i), None)));
        }
    }
    all.extend(named.iter().map(|&(n, f, s)| (n.to_string(), (f, s))));
    for (spellings, code) in FIXED {
        all.extend(
            spellings
                .iter()
                .map(|n| (n.to_string(), (Family::Fixed(code), None))),
        );
    }
    for (c, spellings) in CC_NAMES.iter().enumerate() {
        for s in spellings.iter() {
            all.push((format!("set{s}"), (Family::Setcc(c), byte)));
            all.push((format!("cmov{s}"), (Family::Cmovcc(c), None)));
            all.push((format!("j{s}"), (Family::Jcc(c), None)));
        }
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
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

    #[test]
    fn every_name_means_one_thing() {
        let names = every_name();
        for pair in names.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} twice or out of order", pair[1].0);
        }
        for (name, found) in &names {
            assert_eq!(base(name), Some(*found), "{name}");
        }
        assert_eq!(lookup("wbinvd"), Some((Family::Fixed(Code::Wbinvd), None)));
        assert_eq!(
            lookup("movzbl"),
            Some((
                Family::Movx {
                    signed: false,
                    src: Some(Size::Byte)
                },
                Some(Size::Long)
            ))
        );
        assert_eq!(
            lookup("loopnz"),
            Some((Family::Rel8(Code::Loopne_rel8_32_ECX), None))
        );
        assert_eq!(lookup("idivl"), Some((Family::Unary(5), Some(Size::Long))));
        assert_eq!(lookup("nopl"), None);
    }
}
