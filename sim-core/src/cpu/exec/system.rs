//! System instructions: int/hlt, flag instructions, port I/O and moves to/from
//! control registers, with their privilege checks: hlt and mov crN are ring-0
//! only; cli/sti need CPL ≤ IOPL; in/out at CPL > IOPL consult the TSS's I/O
//! permission bitmap (SDM vol. 3, 5.9; vol. 1, 19.5). iret and the segment
//! instructions are in `far` and `seg`.

use iced_x86::{Code, Mnemonic, OpKind, Register};

use super::{data::accumulator, Flow};
use crate::bus::{Bus, Size};
use crate::cpu::cache::Decoded;
use crate::cpu::flags;
use crate::cpu::operand::{gpr, size_of, write_reg};
use crate::cpu::segment;
use crate::cpu::state::{cr0, Cpu, Reg};
use crate::trap::Exception;

/// #GP(0) unless running in ring 0.
pub(super) fn require_ring0(cpu: &Cpu) -> Result<(), Exception> {
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

pub fn hlt(cpu: &mut Cpu) -> Result<Flow, Exception> {
    require_ring0(cpu)?;
    Ok(Flow::Halt)
}

/// cli/sti (CPL ≤ IOPL) and cld/std/clc/stc/cmc.
pub fn flag_op(cpu: &mut Cpu, i: &Decoded) -> Result<Flow, Exception> {
    match i.mnemonic() {
        Mnemonic::Cli | Mnemonic::Sti => {
            if cpu.cpl() > cpu.iopl() {
                return Err(Exception::GeneralProtection(0));
            }
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

/// in/out with an imm8 port or DX, byte/word/dword through AL/AX/EAX; at
/// CPL > IOPL only ports the TSS's I/O bitmap allows.
pub fn port_io(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
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
    if cpu.cpl() > cpu.iopl() {
        segment::check_io_permission(cpu, bus, port, size.bytes())?;
    }
    if i.mnemonic() == Mnemonic::In {
        let v = bus.port_in(port, size);
        write_reg(cpu, 0, false, size, v);
    } else {
        bus.port_out(port, size, accumulator(cpu, size));
    }
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
