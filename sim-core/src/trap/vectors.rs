//! The exception vectors (Intel SDM vol. 3, table 6-1) in one table: number,
//! mnemonic, name, and whether the CPU pushes an error code. The CPU model,
//! the kernel (its entry stubs and `trap()`) and the views all read it.

/// One processor exception.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptionVector {
    pub vector: u8,
    /// As the manuals write it: "#GP".
    pub mnemonic: &'static str,
    pub name: &'static str,
    /// Whether the CPU pushes an error code (SDM 6.13); the kernel's entry
    /// stubs push a dummy 0 for the others.
    pub error_code: bool,
}

const fn e(
    vector: u8,
    mnemonic: &'static str,
    name: &'static str,
    error_code: bool,
) -> ExceptionVector {
    ExceptionVector {
        vector,
        mnemonic,
        name,
        error_code,
    }
}

/// The exceptions with a name (vectors 0–31; the rest are reserved).
pub const EXCEPTIONS: &[ExceptionVector] = &[
    e(0, "#DE", "divide error", false),
    e(1, "#DB", "debug", false),
    e(3, "#BP", "breakpoint", false),
    e(4, "#OF", "overflow", false),
    e(5, "#BR", "bound range", false),
    e(6, "#UD", "invalid opcode", false),
    e(7, "#NM", "no math coprocessor", false),
    e(8, "#DF", "double fault", true),
    e(10, "#TS", "invalid TSS", true),
    e(11, "#NP", "segment not present", true),
    e(12, "#SS", "stack fault", true),
    e(13, "#GP", "general protection", true),
    e(14, "#PF", "page fault", true),
    e(16, "#MF", "x87 error", false),
    e(17, "#AC", "alignment check", true),
];

/// The first vector after the exceptions: the PIC raises IRQ n at this + n.
pub const FIRST_IRQ_VECTOR: u8 = crate::dev::pic::VECTOR_BASE;
/// IRQ lines 0–15.
pub const IRQ_LINES: u8 = 16;

/// The devices on IRQ lines (the rest are unused on this board).
pub const DEVICE_IRQS: &[(u8, &str)] = &[
    (crate::dev::timer::IRQ, "timer"),
    (crate::dev::console::IRQ, "console"),
    (crate::dev::disk::IRQ, "disk"),
];

/// The vector IRQ `irq` arrives at.
pub const fn irq_vector(irq: u8) -> u8 {
    FIRST_IRQ_VECTOR + irq
}

/// The IRQ line of vector `v`, if it is one.
pub fn irq_of(v: u8) -> Option<u8> {
    (FIRST_IRQ_VECTOR..FIRST_IRQ_VECTOR + IRQ_LINES)
        .contains(&v)
        .then(|| v - FIRST_IRQ_VECTOR)
}

/// The device on IRQ line `irq`.
pub fn irq_device(irq: u8) -> Option<&'static str> {
    DEVICE_IRQS.iter().find(|(i, _)| *i == irq).map(|(_, d)| *d)
}

/// The exception at vector `v`, if it has a name.
pub fn exception(v: u8) -> Option<&'static ExceptionVector> {
    EXCEPTIONS.iter().find(|x| x.vector == v)
}

/// "#GP general protection"; "exception" for an unnamed vector.
pub fn exception_name(v: u8) -> String {
    exception(v).map_or("exception".into(), |x| format!("{} {}", x.mnemonic, x.name))
}

/// Whether the CPU pushes an error code for vector `v`.
pub fn has_error_code(v: u8) -> bool {
    exception(v).is_some_and(|x| x.error_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_ordered_and_complete() {
        assert!(EXCEPTIONS.windows(2).all(|w| w[0].vector < w[1].vector));
        assert_eq!(exception_name(13), "#GP general protection");
        assert_eq!(exception_name(14), "#PF page fault");
        assert_eq!(exception_name(2), "exception");
        let with_code: Vec<u8> = (0..=255).filter(|v| has_error_code(*v)).collect();
        assert_eq!(with_code, [8, 10, 11, 12, 13, 14, 17]);
    }

    #[test]
    fn irqs_follow_the_exceptions() {
        assert_eq!(irq_vector(0), 32);
        assert_eq!(irq_of(46), Some(14));
        assert_eq!(irq_of(31), None);
        assert_eq!(irq_of(48), None);
        assert_eq!(irq_device(14), Some("disk"));
        assert_eq!(irq_device(1), None);
    }
}
