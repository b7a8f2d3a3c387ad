# Interrupt and trap gates from ring 0 and ring 3: the frames pushed, the
# stack switch to ESP0 from the TSS, IF cleared by interrupt gates only;
# `int n` from ring 3 to a DPL-0 gate is #GP(n * 8 + 2).
        .include "common.s"
        .section .text
test_main:
        SAY "gates"
        movl $hook, trap_hook
        # 0x40: interrupt gate DPL 3; 0x41: trap gate DPL 3; 0x42: DPL 0.
        movl $32, %ecx
        movw $0xee00, %dx
        call gate_type
        movl $33, %ecx
        movw $0xef00, %dx
        call gate_type
        movl $1, on_trap
        sti
        int $0x40
        int $0x41
        cli
        int $0x41
        int3
        SAY "ring3"
        TO_USER user
back:
        SAY "back"
        jmp exit

user:
        int $0x40
        int $0x41
        int $0x42
        jmp user

# A #GP ends the ring-3 part.
hook:
        cmpl $13, 32(%ebp)
        jne 1f
        movl $back, resume
        movl $0, on_trap
1:      ret
