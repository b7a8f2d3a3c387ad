//! Interrupt controller: a single 16-line controller in the spirit of the
//! 8259A pair, reduced to what the course needs. Lines are edge-triggered:
//! a device's raise sets the line's pending (IRR) bit; the CPU takes the
//! lowest-numbered pending, unmasked line (line 0, the timer, has highest
//! priority) at an instruction boundary with IF = 1, which clears that bit.
//! No in-service register and no EOI: interrupt gates clear IF, which is what
//! keeps handlers from nesting here.
//!
//! Ports: 0x21 read/write the mask register (bit n set = line n masked; the
//! low 16 bits of an `outw`/`outl` are used); 0x20 read the pending bits.
//! Vectors are `VECTOR_BASE + line`, as xv6 remaps the PICs (`T_IRQ0` = 32).

/// Vector of IRQ line 0.
pub const VECTOR_BASE: u8 = 32;
pub const PORT_PENDING: u16 = 0x20;
pub const PORT_MASK: u16 = 0x21;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pic {
    pending: u16,
    mask: u16,
}

impl Pic {
    /// Raises line `irq` (0–15; higher lines are ignored).
    pub fn raise(&mut self, irq: u8) {
        if irq < 16 {
            self.pending |= 1 << irq;
        }
    }

    /// The line the CPU would take next, if any.
    #[inline]
    pub fn next(&self) -> Option<u8> {
        let ready = self.pending & !self.mask;
        (ready != 0).then(|| ready.trailing_zeros() as u8)
    }

    /// The CPU accepted `irq`: its pending bit clears.
    pub fn acknowledge(&mut self, irq: u8) {
        self.pending &= !(1u16 << (irq & 15));
    }

    pub fn pending(&self) -> u16 {
        self.pending
    }

    pub fn mask(&self) -> u16 {
        self.mask
    }

    pub fn set_mask(&mut self, mask: u16) {
        self.mask = mask;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowest_unmasked_line_wins() {
        let mut p = Pic::default();
        assert_eq!(p.next(), None);
        p.raise(14);
        p.raise(1);
        assert_eq!(p.next(), Some(1));
        p.set_mask(1 << 1);
        assert_eq!(p.next(), Some(14));
        p.acknowledge(14);
        assert_eq!(p.next(), None);
        p.set_mask(0);
        assert_eq!(p.next(), Some(1));
    }
}
