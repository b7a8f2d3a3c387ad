//! The sixteen condition codes of `jcc`, `setcc` and `cmovcc` (Intel SDM vol. 1,
//! appendix B, table B-1). iced names the mnemonic; we map it to a condition here
//! so one `jcc`/`setcc`/`cmovcc` implementation serves all sixteen.

use iced_x86::Mnemonic;

use super::flags::{CF, OF, PF, SF, ZF};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    O,
    No,
    B,
    Ae,
    E,
    Ne,
    Be,
    A,
    S,
    Ns,
    P,
    Np,
    L,
    Ge,
    Le,
    G,
}

impl Cond {
    /// Whether the condition holds for these EFLAGS.
    #[inline(always)]
    pub fn holds(self, eflags: u32) -> bool {
        let f = |m: u32| eflags & m != 0;
        let lt = f(SF) != f(OF);
        match self {
            Cond::O => f(OF),
            Cond::No => !f(OF),
            Cond::B => f(CF),
            Cond::Ae => !f(CF),
            Cond::E => f(ZF),
            Cond::Ne => !f(ZF),
            Cond::Be => f(CF) || f(ZF),
            Cond::A => !f(CF) && !f(ZF),
            Cond::S => f(SF),
            Cond::Ns => !f(SF),
            Cond::P => f(PF),
            Cond::Np => !f(PF),
            Cond::L => lt,
            Cond::Ge => !lt,
            Cond::Le => lt || f(ZF),
            Cond::G => !lt && !f(ZF),
        }
    }

    /// The condition of a `jcc`, `setcc` or `cmovcc` mnemonic.
    #[inline(always)]
    pub const fn of(m: Mnemonic) -> Option<Cond> {
        use Mnemonic::*;
        Some(match m {
            Jo | Seto | Cmovo => Cond::O,
            Jno | Setno | Cmovno => Cond::No,
            Jb | Setb | Cmovb => Cond::B,
            Jae | Setae | Cmovae => Cond::Ae,
            Je | Sete | Cmove => Cond::E,
            Jne | Setne | Cmovne => Cond::Ne,
            Jbe | Setbe | Cmovbe => Cond::Be,
            Ja | Seta | Cmova => Cond::A,
            Js | Sets | Cmovs => Cond::S,
            Jns | Setns | Cmovns => Cond::Ns,
            Jp | Setp | Cmovp => Cond::P,
            Jnp | Setnp | Cmovnp => Cond::Np,
            Jl | Setl | Cmovl => Cond::L,
            Jge | Setge | Cmovge => Cond::Ge,
            Jle | Setle | Cmovle => Cond::Le,
            Jg | Setg | Cmovg => Cond::G,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_and_unsigned_conditions() {
        assert!(Cond::L.holds(SF));
        assert!(!Cond::L.holds(SF | OF));
        assert!(Cond::G.holds(0));
        assert!(Cond::Be.holds(ZF));
        assert!(Cond::A.holds(0));
        assert_eq!(Cond::of(Mnemonic::Cmovge), Some(Cond::Ge));
        assert_eq!(Cond::of(Mnemonic::Add), None);
    }
}
