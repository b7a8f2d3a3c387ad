# Segment loads (mov, pop) of null, out-of-limit, LDT, system, not-present
# and wrong-privilege selectors from ring 0 and ring 3, with the SDM's
# #GP/#NP/#SS error codes; far jmp, lcall and lret (also to ring 3).
        .include "common.s"
        .section .text
.macro LOAD sreg, sel
        RESUME r\@
        movw $\sel, %ax
        movw %ax, %\sreg
        int $0x4f
r\@:
.endm

.macro ULOAD sreg, sel
        movl $\sel, %ebx
        PROBE_AT 0x202, user_\sreg
.endm

.macro FARJMP sel
        RESUME r\@
        ljmp $\sel, $far_target
r\@:
.endm

test_main:
        SAY "segments"
        call allow_report
        LOAD ds, 0x00
        LOAD ds, 0x03
        LOAD ds, 0x80
        LOAD ds, 0x28
        LOAD ds, 0x08
        LOAD ds, 0x30
        LOAD ds, 0x13
        LOAD ds, 0x23
        LOAD es, 0x1b
        LOAD fs, 0x58
        LOAD gs, 0x40
        LOAD ss, 0x00
        LOAD ss, 0x03
        LOAD ss, 0x80
        LOAD ss, 0x08
        LOAD ss, 0x28
        LOAD ss, 0x30
        LOAD ss, 0x13
        LOAD ss, 0x23
        LOAD ss, 0x38
        SAY "pop"
        RESUME 1f
        pushl $0x80
        popl %ds
        int $0x4f
1:      RESUME 2f
        pushl $0x38
        popl %es
        movl %esp, %eax
        int $0x4f
2:      SAY "far"
        FARJMP 0x08
        FARJMP 0x0b
        FARJMP 0x10
        FARJMP 0x1b
        FARJMP 0x28
        FARJMP 0x58
        FARJMP 0x00
        FARJMP 0x88
        RESUME 3f
        lcall $0x08, $far_call
        int $0x4f
3:      RESUME 4f
        ljmp *far_pointer
4:      SAY "lret out"
        RESUME 5f
        pushl $0x23
        pushl $ustack_top - 16
        pushl $0x1b
        pushl $user_report
        lret
5:      SAY "ring3"
        ULOAD ds, 0x10
        ULOAD ds, 0x08
        ULOAD ds, 0x1b
        ULOAD ds, 0x23
        ULOAD ds, 0x00
        ULOAD ds, 0x38
        ULOAD ss, 0x10
        ULOAD ss, 0x23
        ULOAD ss, 0x20
        ULOAD ss, 0x53
        SAY "ljmp3"
        PROBE_AT 0x202, user_ljmp0
        PROBE_AT 0x202, user_ljmp3
        PROBE_AT 0x202, user_lret0
        jmp exit

far_target:
        int $0x4f
far_call:
        lret
user_report:
        int $0x4f
user_ds:
        movw %bx, %ds
        int $0x4f
user_ss:
        movw %bx, %ss
        int $0x4f
user_ljmp0:
        ljmp $0x08, $user_report
user_ljmp3:
        ljmp $0x43, $user_report
user_lret0:
        pushl $0x08
        pushl $user_report
        lret

        .section .data
far_pointer:
        .long far_target
        .word 0x08
