//! GNU (AT&T) syntax for one decoded instruction, spelled as `objdump -d`
//! (binutils 2.40) spells it, for the instructions the engine executes.
//! Written here rather than iced-x86's `gas` formatter, whose tables would
//! add to the page's download; `tests/disasm_vs_objdump.rs` checks it
//! against objdump line by line.
//!
//! objdump's rules followed: operands in reverse (source first), `$` on
//! immediates in hex, immediates shown at the operand size (`add
//! $0xfffffff0,%esp` for `-16`), displacements signed, `(%eax,%ebx,1)` with
//! the scale always written, an absolute address as a bare number, branch
//! targets as plain addresses; a size suffix only where no register operand
//! fixes the size (`movl $0x5,(%eax)`, `notl (%eax)`, `sarl %cl,(%ebx)`), but
//! never on `jmp`/`call`/`setcc` of memory nor on a 32-bit `push`/`pop`; `shl %eax` for a
//! shift by one; objdump's names for the conversions and stack forms
//! (`cltd`, `cwtl`, `pusha`, `pushf`, `iret`, `lidtl`); `%eiz` for a SIB
//! byte without an index.

use iced_x86::{Code, Instruction, MemorySize, Mnemonic, OpKind, Register};

use crate::bus::Size;
use crate::cpu::operand::gpr;

/// The instruction (decoded from `bytes`) in objdump's spelling, or `None`
/// when it lies outside the engine's subset (or uses a form this formatter
/// does not spell).
pub fn format(i: &Instruction, bytes: &[u8]) -> Option<String> {
    if i.code() == Code::Nopw {
        return Some("xchg   %ax,%ax".into()); // 66 90
    }
    let name = mnemonic(i)?;
    let mut ops = Vec::with_capacity(3);
    for n in (0..i.op_count()).rev() {
        if shift_by_one(i.code()) && n == 1 {
            continue;
        }
        ops.push(operand(i, n, bytes)?);
    }
    let mut text = String::new();
    if i.has_lock_prefix() {
        text.push_str("lock ");
    }
    text.push_str(&name);
    if !ops.is_empty() {
        let width = text.len().max(6);
        text = format!("{text:<width$} {}", ops.join(","));
    }
    Some(text)
}

/// objdump's own names of the conversions and the stack, flag and
/// descriptor-table forms (the 16-bit ones under a 0x66 prefix).
const FIXED: [(Mnemonic, &str); 14] = [
    (Mnemonic::Cbw, "cbtw"),
    (Mnemonic::Cwde, "cwtl"),
    (Mnemonic::Cwd, "cwtd"),
    (Mnemonic::Cdq, "cltd"),
    (Mnemonic::Pushad, "pusha"),
    (Mnemonic::Pusha, "pushaw"),
    (Mnemonic::Popad, "popa"),
    (Mnemonic::Popa, "popaw"),
    (Mnemonic::Pushfd, "pushf"),
    (Mnemonic::Pushf, "pushfw"),
    (Mnemonic::Popfd, "popf"),
    (Mnemonic::Popf, "popfw"),
    (Mnemonic::Iretd, "iret"),
    (Mnemonic::Lidt, "lidtl"),
];

/// The name with its suffix, if the instruction is in the subset.
fn mnemonic(i: &Instruction) -> Option<String> {
    use Mnemonic::*;
    let m = i.mnemonic();
    if matches!(i.code(), Code::Push_imm16 | Code::Pushw_imm8) {
        return Some("pushw".into());
    }
    if matches!(m, Movzx | Movsx) {
        return extension(i);
    }
    if let Some((_, name)) = FIXED.iter().find(|(x, _)| *x == m) {
        return Some((*name).into());
    }
    let base = base_name(m)?;
    let no_suffix = matches!(m, Jmp | Call | Lea) || base.starts_with("set");
    let suffix = match suffix(i) {
        _ if no_suffix || has_size_register(i) => "",
        // objdump writes `push (%eax)` but `pushw (%eax)`.
        s if matches!(m, Push | Pop) && s != "w" => "",
        s => s,
    };
    Some(format!("{base}{suffix}"))
}

/// `movzbl`, `movswl`, …: both sizes are always written.
fn extension(i: &Instruction) -> Option<String> {
    let from = match i.op_kind(1) {
        OpKind::Register => reg_suffix(i.op_register(1))?,
        _ => suffix(i),
    };
    let to = reg_suffix(i.op_register(0))?;
    let s = if i.mnemonic() == Mnemonic::Movzx {
        "movz"
    } else {
        "movs"
    };
    (!from.is_empty()).then(|| format!("{s}{from}{to}"))
}

/// Whether a general (or control) register operand gives the size; a shift
/// count in `%cl` and the port in `%dx` do not.
fn has_size_register(i: &Instruction) -> bool {
    (0..i.op_count()).any(|n| {
        i.op_kind(n) == OpKind::Register
            && !(n == 1 && i.op_register(n) == Register::CL && is_shift(i.mnemonic()))
    })
}

fn is_shift(m: Mnemonic) -> bool {
    use Mnemonic::*;
    matches!(m, Shl | Sal | Shr | Sar | Rol | Ror)
}

fn suffix(i: &Instruction) -> &'static str {
    if (0..i.op_count()).all(|n| i.op_kind(n) != OpKind::Memory) {
        return "";
    }
    match i.memory_size() {
        MemorySize::UInt8 | MemorySize::Int8 => "b",
        MemorySize::UInt16 | MemorySize::Int16 => "w",
        MemorySize::UInt32 | MemorySize::Int32 | MemorySize::Fword6 => "l",
        _ => "",
    }
}

/// The shift-by-one forms (D0/D1): objdump writes `shl %eax`, no count.
const BY_ONE: [Code; 18] = {
    use Code::*;
    [
        Rol_rm8_1, Rol_rm16_1, Rol_rm32_1, Ror_rm8_1, Ror_rm16_1, Ror_rm32_1, Shl_rm8_1,
        Shl_rm16_1, Shl_rm32_1, Shr_rm8_1, Shr_rm16_1, Shr_rm32_1, Sal_rm8_1, Sal_rm16_1,
        Sal_rm32_1, Sar_rm8_1, Sar_rm16_1, Sar_rm32_1,
    ]
};

fn shift_by_one(c: Code) -> bool {
    BY_ONE.contains(&c)
}

fn operand(i: &Instruction, n: u32, bytes: &[u8]) -> Option<String> {
    let io = matches!(i.mnemonic(), Mnemonic::In | Mnemonic::Out);
    Some(match i.op_kind(n) {
        OpKind::Register if io && i.op_register(n) == Register::DX => "(%dx)".into(),
        OpKind::Register => format!("%{}", reg_name(i.op_register(n))?),
        OpKind::NearBranch32 | OpKind::NearBranch16 => format!("0x{:x}", i.near_branch_target()),
        OpKind::Immediate8 | OpKind::Immediate8_2nd => format!("$0x{:x}", i.immediate(n) as u8),
        OpKind::Immediate16 | OpKind::Immediate8to16 => {
            format!("$0x{:x}", i.immediate(n) as u16)
        }
        OpKind::Immediate32 | OpKind::Immediate8to32 => {
            format!("$0x{:x}", i.immediate(n) as u32)
        }
        OpKind::Memory => memory(i, bytes)?,
        _ => return None,
    })
    .map(|s| {
        // `jmp *%eax`, `call *0x8(%eax)`: an indirect target is starred.
        let indirect = matches!(i.mnemonic(), Mnemonic::Jmp | Mnemonic::Call)
            && matches!(i.op_kind(n), OpKind::Register | OpKind::Memory);
        if indirect {
            format!("*{s}")
        } else {
            s
        }
    })
}

fn memory(i: &Instruction, bytes: &[u8]) -> Option<String> {
    let mut s = String::new();
    if i.segment_prefix() != Register::None {
        s = format!("%{}:", reg_name(i.segment_prefix())?);
    }
    let (base, index) = (i.memory_base(), i.memory_index());
    for r in [base, index] {
        if r != Register::None && !matches!(gpr(r), Some((_, Size::Dword, _))) {
            return None; // 16-bit addressing (0x67) is outside the subset
        }
    }
    let disp = i.memory_displacement32();
    let eiz = if index == Register::None {
        sib_without_index(i, bytes)
    } else {
        None
    };
    if base == Register::None && index == Register::None && eiz.is_none() {
        return Some(format!("{s}0x{disp:x}"));
    }
    if i.memory_displ_size() > 0 || base == Register::None {
        let d = disp as i32;
        if d < 0 {
            s.push_str(&format!("-0x{:x}", d.unsigned_abs()));
        } else {
            s.push_str(&format!("0x{d:x}"));
        }
    }
    s.push('(');
    if base != Register::None {
        s.push('%');
        s.push_str(reg_name(base)?);
    }
    if let Some(scale) = eiz {
        s.push_str(&format!(",%eiz,{scale}"));
    }
    if index != Register::None {
        s.push_str(&format!(
            ",%{},{}",
            reg_name(index)?,
            i.memory_index_scale()
        ));
    }
    s.push(')');
    Some(s)
}

/// objdump writes a SIB byte whose index field says "none" (100) as the
/// index `%eiz` (gas pads code with `lea 0x0(%esi,%eiz,1),%esi`), except
/// under a base of `%esp`, which needs the SIB byte anyway. Returns its
/// scale. iced does not report the SIB byte, so this reads the ModRM byte
/// after the prefixes and the one- or two-byte opcode (every memory form in
/// the subset has one, except `mov`'s absolute-address forms).
fn sib_without_index(i: &Instruction, bytes: &[u8]) -> Option<u32> {
    use Code::*;
    let moffs = [
        Mov_AL_moffs8,
        Mov_AX_moffs16,
        Mov_EAX_moffs32,
        Mov_moffs8_AL,
        Mov_moffs16_AX,
        Mov_moffs32_EAX,
    ];
    if moffs.contains(&i.code()) {
        return None;
    }
    let prefixes = [
        0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65,
    ];
    let mut k = bytes.iter().take_while(|b| prefixes.contains(*b)).count();
    if bytes.get(k) == Some(&0x0f) {
        k += 1;
    }
    let (modrm, sib) = (*bytes.get(k + 1)?, *bytes.get(k + 2)?);
    let has_sib = modrm >> 6 != 3 && modrm & 7 == 4;
    (has_sib && (sib >> 3) & 7 == 4 && sib & 7 != 4).then(|| 1 << (sib >> 6))
}

fn reg_suffix(r: Register) -> Option<&'static str> {
    Some(match gpr(r)?.1 {
        Size::Byte => "b",
        Size::Word => "w",
        Size::Dword => "l",
    })
}

const REGISTERS: [(Register, &str); 34] = [
    (Register::EAX, "eax"),
    (Register::ECX, "ecx"),
    (Register::EDX, "edx"),
    (Register::EBX, "ebx"),
    (Register::ESP, "esp"),
    (Register::EBP, "ebp"),
    (Register::ESI, "esi"),
    (Register::EDI, "edi"),
    (Register::AX, "ax"),
    (Register::CX, "cx"),
    (Register::DX, "dx"),
    (Register::BX, "bx"),
    (Register::SP, "sp"),
    (Register::BP, "bp"),
    (Register::SI, "si"),
    (Register::DI, "di"),
    (Register::AL, "al"),
    (Register::CL, "cl"),
    (Register::DL, "dl"),
    (Register::BL, "bl"),
    (Register::AH, "ah"),
    (Register::CH, "ch"),
    (Register::DH, "dh"),
    (Register::BH, "bh"),
    (Register::ES, "es"),
    (Register::CS, "cs"),
    (Register::SS, "ss"),
    (Register::DS, "ds"),
    (Register::FS, "fs"),
    (Register::GS, "gs"),
    (Register::CR0, "cr0"),
    (Register::CR2, "cr2"),
    (Register::CR3, "cr3"),
    (Register::CR4, "cr4"),
];

fn reg_name(r: Register) -> Option<&'static str> {
    REGISTERS.iter().find(|(x, _)| *x == r).map(|(_, n)| *n)
}

/// objdump's base names of the mnemonics `cpu::exec` executes. A table
/// searched in order, not a `match`: a match over iced's ~1,800 mnemonics
/// compiles to a jump table as wide as their range, which the page would
/// download.
const NAMES: [(Mnemonic, &str); 54] = [
    (Mnemonic::Add, "add"),
    (Mnemonic::Or, "or"),
    (Mnemonic::Adc, "adc"),
    (Mnemonic::Sbb, "sbb"),
    (Mnemonic::And, "and"),
    (Mnemonic::Sub, "sub"),
    (Mnemonic::Xor, "xor"),
    (Mnemonic::Cmp, "cmp"),
    (Mnemonic::Test, "test"),
    (Mnemonic::Inc, "inc"),
    (Mnemonic::Dec, "dec"),
    (Mnemonic::Neg, "neg"),
    (Mnemonic::Not, "not"),
    (Mnemonic::Shl, "shl"),
    (Mnemonic::Sal, "sal"),
    (Mnemonic::Shr, "shr"),
    (Mnemonic::Sar, "sar"),
    (Mnemonic::Rol, "rol"),
    (Mnemonic::Ror, "ror"),
    (Mnemonic::Mul, "mul"),
    (Mnemonic::Imul, "imul"),
    (Mnemonic::Div, "div"),
    (Mnemonic::Idiv, "idiv"),
    (Mnemonic::Bt, "bt"),
    (Mnemonic::Bts, "bts"),
    (Mnemonic::Btr, "btr"),
    (Mnemonic::Btc, "btc"),
    (Mnemonic::Mov, "mov"),
    (Mnemonic::Lea, "lea"),
    (Mnemonic::Xchg, "xchg"),
    (Mnemonic::Nop, "nop"),
    (Mnemonic::Push, "push"),
    (Mnemonic::Pop, "pop"),
    (Mnemonic::Leave, "leave"),
    (Mnemonic::Jmp, "jmp"),
    (Mnemonic::Call, "call"),
    (Mnemonic::Ret, "ret"),
    (Mnemonic::Loop, "loop"),
    (Mnemonic::Loope, "loope"),
    (Mnemonic::Loopne, "loopne"),
    (Mnemonic::Jecxz, "jecxz"),
    (Mnemonic::Int, "int"),
    (Mnemonic::Int3, "int3"),
    (Mnemonic::Into, "into"),
    (Mnemonic::Hlt, "hlt"),
    (Mnemonic::Cli, "cli"),
    (Mnemonic::Sti, "sti"),
    (Mnemonic::Cld, "cld"),
    (Mnemonic::Std, "std"),
    (Mnemonic::Clc, "clc"),
    (Mnemonic::Stc, "stc"),
    (Mnemonic::Cmc, "cmc"),
    (Mnemonic::In, "in"),
    (Mnemonic::Out, "out"),
];

fn base_name(m: Mnemonic) -> Option<&'static str> {
    NAMES
        .iter()
        .find(|(x, _)| *x == m)
        .map(|(_, n)| *n)
        .or_else(|| conditional(m))
}

/// `jcc`, `setcc`, `cmovcc` in objdump's condition spelling.
fn conditional(m: Mnemonic) -> Option<&'static str> {
    use Mnemonic::*;
    const J: [&str; 16] = [
        "jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja", "js", "jns", "jp", "jnp", "jl", "jge",
        "jle", "jg",
    ];
    const SET: [&str; 16] = [
        "seto", "setno", "setb", "setae", "sete", "setne", "setbe", "seta", "sets", "setns",
        "setp", "setnp", "setl", "setge", "setle", "setg",
    ];
    const CMOV: [&str; 16] = [
        "cmovo", "cmovno", "cmovb", "cmovae", "cmove", "cmovne", "cmovbe", "cmova", "cmovs",
        "cmovns", "cmovp", "cmovnp", "cmovl", "cmovge", "cmovle", "cmovg",
    ];
    let jcc = [
        Jo, Jno, Jb, Jae, Je, Jne, Jbe, Ja, Js, Jns, Jp, Jnp, Jl, Jge, Jle, Jg,
    ];
    let setcc = [
        Seto, Setno, Setb, Setae, Sete, Setne, Setbe, Seta, Sets, Setns, Setp, Setnp, Setl, Setge,
        Setle, Setg,
    ];
    let cmovcc = [
        Cmovo, Cmovno, Cmovb, Cmovae, Cmove, Cmovne, Cmovbe, Cmova, Cmovs, Cmovns, Cmovp, Cmovnp,
        Cmovl, Cmovge, Cmovle, Cmovg,
    ];
    for (ms, names) in [(jcc, J), (setcc, SET), (cmovcc, CMOV)] {
        if let Some(k) = ms.iter().position(|x| *x == m) {
            return Some(names[k]);
        }
    }
    None
}
