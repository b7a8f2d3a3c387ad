# A triple fault: with an empty IDT, #UD raises #GP (vector beyond the
# limit), which becomes #DF, whose delivery faults again. QEMU's -no-reboot
# then exits; the output ends with the line below.
        .include "common.s"
        .section .text
test_main:
        SAY "triple"
        lidt idt_empty
        ud2
        SAY "not reached"
        jmp exit
        .section .data
idt_empty:
        .word 0
        .long 0
