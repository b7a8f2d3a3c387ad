//! The assembler's encoder against iced-x86's (a dev-dependency only): every
//! form in the opcode table, with random registers, memory operands (every
//! base/index/scale/displacement-size/segment combination), immediates and
//! branch targets, must give iced's bytes.

use super::super::opcodes::TABLE;
use super::*;
use iced_x86::{Encoder, Instruction, MemoryOperand, OpCodeOperandKind as K};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 16) as u32
    }
    /// True one time in `n`.
    fn one_in(&mut self, n: u32) -> bool {
        self.next().is_multiple_of(n)
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.next() as usize % xs.len()]
    }
}

const R8: [Register; 8] = [
    Register::AL,
    Register::CL,
    Register::DL,
    Register::BL,
    Register::AH,
    Register::CH,
    Register::DH,
    Register::BH,
];
const R16: [Register; 8] = [
    Register::AX,
    Register::CX,
    Register::DX,
    Register::BX,
    Register::SP,
    Register::BP,
    Register::SI,
    Register::DI,
];
const R32: [Register; 8] = [
    Register::EAX,
    Register::ECX,
    Register::EDX,
    Register::EBX,
    Register::ESP,
    Register::EBP,
    Register::ESI,
    Register::EDI,
];
const SEGS: [Register; 6] = [
    Register::ES,
    Register::CS,
    Register::SS,
    Register::DS,
    Register::FS,
    Register::GS,
];

fn memory(rng: &mut Rng, absolute: bool) -> MemOperand {
    let seg = if rng.one_in(3) {
        Some(rng.pick(&SEGS))
    } else {
        None
    };
    let disp = match rng.next() % 4 {
        0 => 0,
        1 => rng.next() % 256,
        2 => (rng.next() % 256) as i8 as i32 as u32,
        _ => rng.next(),
    };
    if absolute {
        return MemOperand {
            base: None,
            index: None,
            scale: 1,
            disp,
            disp_size: 4,
            seg,
        };
    }
    let base = if rng.one_in(5) {
        None
    } else {
        Some(rng.pick(&R32))
    };
    // Any register but ESP can be an index.
    let index = (!rng.one_in(2)).then(|| {
        rng.pick(&[
            Register::EAX,
            Register::ECX,
            Register::EDX,
            Register::EBX,
            Register::EBP,
            Register::ESI,
            Register::EDI,
        ])
    });
    let scale = if index.is_some() {
        rng.pick(&[1, 2, 4, 8])
    } else {
        1
    };
    let disp_size = match (base, disp) {
        (None, _) => 4,
        (_, 0) => rng.pick(&[0, 1, 4]),
        _ => rng.pick(&[1, 4]),
    };
    MemOperand {
        base,
        index,
        scale,
        disp,
        disp_size,
        seg,
    }
}

/// Random operands for `code`, as ours and as iced's instruction.
fn operands(rng: &mut Rng, code: Code, ip: u32) -> (Vec<Op>, Option<Instruction>) {
    let info = code.op_code();
    let mut ops = Vec::new();
    for i in 0..info.op_count() {
        let reg = |rng: &mut Rng, k| match k {
            K::r8_reg | K::r8_or_mem | K::r8_opcode => rng.pick(&R8),
            K::r16_reg | K::r16_or_mem | K::r16_opcode | K::r16_rm => rng.pick(&R16),
            _ => rng.pick(&R32),
        };
        let k = info.op_kind(i);
        ops.push(match k {
            K::al => Op::Reg(Register::AL),
            K::ax => Op::Reg(Register::AX),
            K::eax => Op::Reg(Register::EAX),
            K::cl => Op::Reg(Register::CL),
            K::dx => Op::Reg(Register::DX),
            K::es => Op::Reg(Register::ES),
            K::cs => Op::Reg(Register::CS),
            K::ss => Op::Reg(Register::SS),
            K::ds => Op::Reg(Register::DS),
            K::fs => Op::Reg(Register::FS),
            K::gs => Op::Reg(Register::GS),
            K::imm8_const_1 => Op::Imm(1),
            K::seg_reg => Op::Reg(rng.pick(&SEGS)),
            K::cr_reg => {
                Op::Reg(rng.pick(&[Register::CR0, Register::CR2, Register::CR3, Register::CR4]))
            }
            K::r8_or_mem | K::r16_or_mem | K::r32_or_mem if rng.one_in(2) => {
                Op::Mem(memory(rng, false))
            }
            K::mem => Op::Mem(memory(rng, false)),
            K::mem_offs => Op::Mem(memory(rng, true)),
            K::imm8 => Op::Imm((rng.next() % 256) as i32),
            K::imm8sex16 | K::imm8sex32 => Op::Imm((rng.next() % 256) as u8 as i8 as i32),
            K::imm16 => Op::Imm((rng.next() % 65536) as i32),
            K::imm32 => Op::Imm(rng.next() as i32),
            K::br32_1 => Op::Branch(
                ip.wrapping_add(2)
                    .wrapping_add((rng.next() % 256) as u8 as i8 as i32 as u32),
            ),
            K::br32_4 => Op::Branch(rng.next()),
            _ => Op::Reg(reg(rng, k)),
        });
    }
    (ops.clone(), iced(code, &ops))
}

fn iced(code: Code, ops: &[Op]) -> Option<Instruction> {
    let mem = |m: &MemOperand| {
        MemoryOperand::new(
            m.base.unwrap_or(Register::None),
            m.index.unwrap_or(Register::None),
            m.scale,
            i64::from(m.disp),
            m.disp_size,
            false,
            m.seg.unwrap_or(Register::None),
        )
    };
    let imm = |code: Code, i: u32, v: i32| match code.op_code().op_kind(i) {
        K::imm8 => v as u8 as u32,
        K::imm16 => v as u16 as u32,
        _ => v as u32,
    };
    use Op::*;
    let r = match ops {
        [] => Ok(Instruction::with(code)),
        [Branch(t)] => Instruction::with_branch(code, u64::from(*t)),
        [Reg(a)] => Instruction::with1(code, *a),
        [Imm(a)] => Instruction::with1(code, imm(code, 0, *a)),
        [Mem(a)] => Instruction::with1(code, mem(a)),
        [Reg(a), Reg(b)] => Instruction::with2(code, *a, *b),
        [Reg(a), Imm(b)] => Instruction::with2(code, *a, imm(code, 1, *b)),
        [Reg(a), Mem(b)] => Instruction::with2(code, *a, mem(b)),
        [Imm(a), Reg(b)] => Instruction::with2(code, imm(code, 0, *a), *b),
        [Mem(a), Reg(b)] => Instruction::with2(code, mem(a), *b),
        [Mem(a), Imm(b)] => Instruction::with2(code, mem(a), imm(code, 1, *b)),
        [Imm(a), Imm(b)] => Instruction::with2(code, imm(code, 0, *a), imm(code, 1, *b)),
        [Reg(a), Reg(b), Imm(c)] => Instruction::with3(code, *a, *b, imm(code, 2, *c)),
        [Reg(a), Mem(b), Imm(c)] => Instruction::with3(code, *a, mem(b), imm(code, 2, *c)),
        _ => return None,
    };
    r.ok()
}

#[test]
fn every_form_encodes_as_iced_does() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut compared, mut forms) = (0, 0);
    for e in TABLE {
        let mut seen = 0;
        for _ in 0..200 {
            let ip = rng.next() & 0xffff_fff0;
            let (ops, Some(ins)) = operands(&mut rng, e.code, ip) else {
                continue;
            };
            let mut enc = Encoder::new(32);
            let Ok(_) = enc.encode(&ins, u64::from(ip)) else {
                continue;
            };
            let want = enc.take_buffer();
            let got = encode(e.code, &ops, ip);
            assert_eq!(
                got.as_deref(),
                Ok(&want[..]),
                "{:?} {ops:?} at {ip:#x}",
                e.code
            );
            seen += 1;
        }
        assert!(seen > 0, "{:?}: no operands iced accepts", e.code);
        compared += seen;
        forms += 1;
    }
    assert_eq!(forms, TABLE.len());
    assert!(compared > 50 * TABLE.len(), "{compared}");
}

#[test]
fn bad_operands_are_errors_not_panics() {
    assert!(encode(Code::Add_rm32_r32, &[Op::Reg(Register::EAX)], 0).is_err());
    assert!(
        encode(Code::Jmp_rel8_32, &[Op::Branch(0x1000)], 0).is_err(),
        "out of rel8 range"
    );
    let esp_index = MemOperand {
        base: None,
        index: Some(Register::ESP),
        scale: 1,
        disp: 0,
        disp_size: 4,
        seg: None,
    };
    assert!(encode(
        Code::Mov_r32_rm32,
        &[Op::Reg(Register::EAX), Op::Mem(esp_index)],
        0
    )
    .is_err());
    assert!(
        encode(Code::Movsd_m32_m32, &[], 0).is_err(),
        "a form outside the table"
    );
}
