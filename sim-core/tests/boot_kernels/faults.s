# #DE (divide by zero, quotient too large), #UD, #BP, #OF, gate faults
# (not present: #NP; beyond the IDT limit: #GP, both naming the vector),
# and #DF (a #GP whose gate is not present, from ring 0 and ring 3).
        .include "common.s"
        .section .text
test_main:
        SAY "faults"
        call allow_report
        RESUME 1f
        xorl %ecx, %ecx
        divl %ecx
1:      RESUME 2f
        movl $2, %edx
        movl $1, %ecx
        divl %ecx
2:      RESUME 3f
        movl $0x80000000, %eax
        cltd
        movl $-1, %ecx
        idivl %ecx
3:      RESUME 4f
        ud2
4:      RESUME 5f
        int3
5:      RESUME 6f
        movl $0x7fffffff, %eax
        incl %eax
        into
6:      SAY "gates"
        # Vector 0x45 not present.
        movl $37, %ecx
        movw $0x6e00, %dx
        call gate_type
        RESUME 7f
        int $0x45
7:      lidt idt_small
        RESUME 8f
        int $0x60
8:      lidt idt_desc
        SAY "double"
        # #GP's gate not present: #GP → #NP → #DF.
        movl $13, %ecx
        movw $0x0e00, %dx
        call gate_type
        RESUME 9f
        movw $0x80, %ax
        movw %ax, %ds
9:      PROBE_AT 0x202, user_cli
        jmp exit

user_cli:
        cli
        int $0x4f

        .section .data
idt_small:
        .word 0x50 * 8 - 1
        .long idt
