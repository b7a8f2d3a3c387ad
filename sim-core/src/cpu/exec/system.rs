//! System instructions: int/iret/hlt, flag instructions, port I/O, lidt and moves
//! to/from control registers, with their privilege checks (IOPL is always 0, so
//! cli/sti/in/out are ring-0 only just like hlt, lidt and mov crN; SDM vol. 3, 5.9).

use iced_x86::{Code, Mnemonic, OpKind, Register};

use super::{data::accumulator, peek, Flow};
use crate::bus::{Bus, ReadKind, Size};
use crate::cpu::cache::Decoded;
use crate::cpu::flags;
use crate::cpu::operand::{effective_address, gpr, size_of, write_reg};
use crate::cpu::state::{cr0, selector, Cpu, Reg};
use crate::trap::Exception;

/// #GP(0) unless running in ring 0.
fn require_ring0(cpu: &Cpu) -> Result<(), Exception> {
    if cpu.cpl() == 0 {
        Ok(())
    } else {
        Err(Exception::GeneralProtection(0))
    }
}

/// int n, int3, into (only when OF is set). The gate's DPL check and delivery are
/// `trap`'s job.
pub fn int(cpu: &mut Cpu, i: &Decoded) -> Result<Flow, Exception> {
    match i.code() {
        Code::Int_imm8 => Ok(Flow::SoftInt(i.immediate8())),
        Code::Int3 => Ok(Flow::SoftInt(3)),
        Code::Into if cpu.flag(flags::OF) => Ok(Flow::SoftInt(4)),
        Code::Into => Ok(Flow::Next),
        _ => Err(Exception::InvalidOpcode),
    }
}

/// iretd (SDM "IRET", protected mode, flat segments): pop EIP, CS, EFLAGS; when the
/// popped CS has a larger RPL than the CPL, return to the outer level and also pop
/// ESP and SS. A return to a more privileged level is #GP(CS). IF changes only if
/// CPL ≤ IOPL (= 0). Every read happens before any register changes.
pub fn iret(cpu: &mut Cpu, bus: &mut impl Bus) -> Result<Flow, Exception> {
    let eip = peek(cpu, bus, 0, Size::Dword)?;
    let cs = peek(cpu, bus, 4, Size::Dword)? as u16;
    let popped_flags = peek(cpu, bus, 8, Size::Dword)?;
    let cpl = cpu.cpl();
    let rpl = (cs & 3) as u8;
    if !matches!(cs, selector::KERNEL_CODE | selector::USER_CODE) || rpl < cpl {
        return Err(Exception::GeneralProtection(u32::from(cs & 0xfffc)));
    }
    let outer = if rpl > cpl {
        let esp = peek(cpu, bus, 12, Size::Dword)?;
        let ss = peek(cpu, bus, 16, Size::Dword)? as u16;
        // SS must be a data selector whose RPL equals the new CPL.
        let data = matches!(ss, selector::KERNEL_DATA | selector::USER_DATA);
        if !data || (ss & 3) as u8 != rpl {
            return Err(Exception::GeneralProtection(u32::from(ss & 0xfffc)));
        }
        Some((esp, ss))
    } else {
        None
    };
    let mut writable = flags::MODELED;
    if cpl != 0 {
        writable &= !flags::IF;
    }
    cpu.eflags = (cpu.eflags & !writable) | (popped_flags & writable) | flags::RESERVED1;
    cpu.seg.cs = cs;
    match outer {
        Some((esp, ss)) => {
            cpu.set_reg(Reg::Esp, esp);
            cpu.seg.ss = ss;
        }
        None => {
            let sp = cpu.reg(Reg::Esp).wrapping_add(12);
            cpu.set_reg(Reg::Esp, sp);
        }
    }
    Ok(Flow::Iret(eip))
}

pub fn hlt(cpu: &mut Cpu) -> Result<Flow, Exception> {
    require_ring0(cpu)?;
    Ok(Flow::Halt)
}

/// cli/sti (ring 0 only) and cld/std/clc/stc/cmc.
pub fn flag_op(cpu: &mut Cpu, i: &Decoded) -> Result<Flow, Exception> {
    match i.mnemonic() {
        Mnemonic::Cli | Mnemonic::Sti => {
            require_ring0(cpu)?;
            cpu.set_flag(flags::IF, i.mnemonic() == Mnemonic::Sti);
        }
        Mnemonic::Cld => cpu.set_flag(flags::DF, false),
        Mnemonic::Std => cpu.set_flag(flags::DF, true),
        Mnemonic::Clc => cpu.set_flag(flags::CF, false),
        Mnemonic::Stc => cpu.set_flag(flags::CF, true),
        Mnemonic::Cmc => cpu.eflags ^= flags::CF,
        _ => return Err(Exception::InvalidOpcode),
    }
    Ok(Flow::Next)
}

/// in/out with an imm8 port or DX, byte/word/dword through AL/AX/EAX.
pub fn port_io(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    require_ring0(cpu)?;
    let (port_op, data_op) = if i.mnemonic() == Mnemonic::In {
        (1, 0)
    } else {
        (0, 1)
    };
    let port = match i.op_kind(port_op) {
        OpKind::Immediate8 => u16::from(i.immediate8()),
        OpKind::Register if i.op_register(port_op) == Register::DX => cpu.reg(Reg::Edx) as u16,
        _ => return Err(Exception::InvalidOpcode),
    };
    let size = size_of(i, data_op)?;
    if i.mnemonic() == Mnemonic::In {
        let v = bus.port_in(port, size);
        write_reg(cpu, 0, false, size, v);
    } else {
        bus.port_out(port, size, accumulator(cpu, size));
    }
    Ok(Flow::Next)
}

/// lidt m16&32: limit (word) then base (dword); with a 16-bit operand size only 24
/// bits of the base are loaded (SDM "LGDT/LIDT").
pub fn lidt(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    require_ring0(cpu)?;
    if i.op0_kind() != OpKind::Memory {
        return Err(Exception::InvalidOpcode);
    }
    let at = effective_address(cpu, i);
    let ctx = cpu.access_ctx();
    let limit = bus.read(ctx, at, Size::Word, ReadKind::Data)? as u16;
    let mut base = bus.read(ctx, at.wrapping_add(2), Size::Dword, ReadKind::Data)?;
    if i.code() == Code::Lidt_m1632_16 {
        base &= 0x00ff_ffff;
    }
    cpu.idtr.limit = limit;
    cpu.idtr.base = base;
    Ok(Flow::Next)
}

/// Bits of CR0 that software may set here; others read as 0 (ET, NE, cache
/// control and AM are not modelled).
const CR0_WRITABLE: u32 = cr0::PE | cr0::WP | cr0::PG;

/// mov to/from CR0, CR2, CR3, CR4 (ring 0 only).
///
/// Simplifications: CR4 reads as 0 and only 0 may be written (PSE/PAE/PGE are not
/// modelled); CR3 keeps only the page-directory base (PWT/PCD are not modelled);
/// CR0 keeps PE, WP and PG, and clearing PE (real mode) or setting PG without PE is
/// #GP(0) as the SDM requires for the latter.
pub fn mov_cr(cpu: &mut Cpu, i: &Decoded) -> Result<Flow, Exception> {
    require_ring0(cpu)?;
    let to_cr = crate::cpu::operand::is_cr(i.op_register(0));
    let (cr, other) = if to_cr { (0, 1) } else { (1, 0) };
    let (index, size, _) = gpr(i.op_register(other)).ok_or(Exception::InvalidOpcode)?;
    if size != Size::Dword {
        return Err(Exception::InvalidOpcode);
    }
    let crn = i.op_register(cr);
    if !to_cr {
        let value = match crn {
            Register::CR0 => cpu.cr0,
            Register::CR2 => cpu.cr2,
            Register::CR3 => cpu.cr3,
            Register::CR4 => 0,
            _ => return Err(Exception::InvalidOpcode),
        };
        cpu.gpr[index as usize] = value;
        return Ok(Flow::Next);
    }
    let value = cpu.gpr[index as usize];
    match crn {
        Register::CR0 => {
            if value & cr0::PE == 0 {
                return Err(Exception::GeneralProtection(0));
            }
            cpu.cr0 = value & CR0_WRITABLE;
        }
        Register::CR2 => cpu.cr2 = value,
        Register::CR3 => cpu.cr3 = value & 0xffff_f000,
        Register::CR4 if value == 0 => {}
        Register::CR4 => return Err(Exception::GeneralProtection(0)),
        _ => return Err(Exception::InvalidOpcode),
    }
    Ok(Flow::Next)
}
