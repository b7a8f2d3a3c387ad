//! Which flags a native result may be held to, by host vendor.
//!
//! Where the Intel SDM leaves a flag undefined the engine does what its reference CPU
//! (AMD Zen 4) does, and on an AMD host the differential test compares those flags
//! too. Other vendors make other choices for exactly those flags (an Intel Xeon, for
//! one, clears AF after shifts and computes multi-bit shift/rotate OF and the
//! `mul`/`div` SF ZF AF PF differently), so there they are left out of the EFLAGS
//! comparison — only they: every defined flag, the registers and memory are still
//! compared.

use sim_core::cpu::flags::{AF, CF, OF, PF, SF, ZF};

use super::gen::Case;

/// The vendor whose choices for undefined flags the engine models.
pub const REFERENCE_VENDOR: &str = "AuthenticAMD";

/// The host CPU's vendor string (CPUID leaf 0: EBX, EDX, ECX), e.g. "GenuineIntel".
pub fn host_vendor() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: CPUID leaf 0 exists on every x86-64 CPU. (`__cpuid` is a safe fn
        // in newer Rust, an unsafe one before.)
        #[allow(unused_unsafe)]
        let r = unsafe { std::arch::x86_64::__cpuid(0) };
        let bytes: Vec<u8> = [r.ebx, r.edx, r.ecx]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        "unknown".to_string()
    }
}

/// The EFLAGS bits the Intel SDM (vol. 2, "Flags Affected" of each instruction)
/// leaves undefined after `case`'s snippet, given its initial registers; 0 when all
/// are defined. Keyed by the generator's case name (`cpu_native/ops.rs`); the cases
/// of these groups are single instructions.
pub fn undefined_flags(case: &Case) -> u32 {
    match case.name.as_str() {
        // AND, OR, XOR, TEST: "The state of the AF flag is undefined."
        "and" | "or" | "xor" | "test" => AF,
        // MUL, IMUL (one, two and three operands): "The SF, ZF, AF, and PF flags
        // are undefined."
        "mul" | "imul" | "imul2" | "imul3" => SF | ZF | AF | PF,
        // DIV, IDIV: "The CF, OF, SF, ZF, AF, and PF flags are undefined."
        "div" | "idiv" => CF | OF | SF | ZF | AF | PF,
        // BT, BTS, BTR, BTC: "The ZF flag is unaffected. The OF, SF, AF, and PF
        // flags are undefined."
        "bt" | "bts" | "btr" | "btc" => OF | SF | AF | PF,
        "shl" | "sal" | "shr" | "sar" | "rol" | "ror" => shift_undefined(case),
        _ => 0,
    }
}

/// Shifts and rotates: the undefined flags depend on the masked count and width.
fn shift_undefined(case: &Case) -> u32 {
    let (mnemonic, operands) = case.asm.split_once(' ').unwrap_or((&case.asm, ""));
    let width = match mnemonic.chars().last() {
        Some('b') => 8,
        Some('w') => 16,
        _ => 32,
    };
    // `shlb %dl` shifts by 1; otherwise the first operand is `$n` or `%cl`.
    let count = match operands.split_once(',') {
        None => 1,
        Some(("%cl", _)) => case.regs[1] & 0xff,
        Some((imm, _)) => imm
            .trim_start_matches('$')
            .parse()
            .unwrap_or_else(|_| panic!("shift count in `{}`", case.asm)),
    };
    let count = count & 0x1f;
    if count == 0 {
        // Both groups: "If the (masked) count is 0, the flags are not affected."
        return 0;
    }
    let over_one = if count > 1 { OF } else { 0 };
    match case.name.as_str() {
        // ROL, ROR: "If the masked count is 1, then the OF flag is affected, otherwise
        // (masked count is greater than 1) the OF flag is undefined. [...] The SF,
        // ZF, AF, and PF flags are always unaffected."
        "rol" | "ror" => over_one,
        // SAL/SAR/SHL/SHR: "For a non-zero count, the AF flag is undefined." "The OF
        // flag is affected only for 1-bit shifts; otherwise, it is undefined." CF "is
        // undefined for SHL and SHR instructions where the count is greater than or
        // equal to the size (in bits) of the destination operand."
        "sar" => AF | over_one,
        _ => AF | over_one | if count >= width { CF } else { 0 },
    }
}
