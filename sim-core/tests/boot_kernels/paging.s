# Page faults for each combination of present/write/user, from ring 0 (with
# CR0.WP clear and set) and ring 3: the error code and CR2; and the page
# table entry's accessed and dirty bits after each access.
        .include "common.s"
        .set PA, 0x300000       # not present
        .set PB, 0x301000       # read-only, supervisor
        .set PC, 0x302000       # read-only, user
        .set PD, 0x303000       # writable, supervisor
        .set PE, 0x304000       # writable, user

        .section .text
# One access: clear the PTE's A and D bits, run `snippet` (in ring `ring`)
# on `vaddr`, then print the PTE.
.macro CASE vaddr, snippet, ring
        andl $~0x60, pt + (\vaddr >> 12) * 4
        movl %cr3, %eax
        movl %eax, %cr3
        movl $\vaddr, %ebx
        RESUME r\@
        .if \ring == 3
        TO_USER \snippet, 0x202
        .else
        jmp \snippet
        .endif
r\@:    movl $s_pte, %esi
        movl pt + (\vaddr >> 12) * 4, %eax
        call puts_hex
        movb $'\n', %al
        call putc
.endm

.macro ALL vaddr
        CASE \vaddr, read, 0
        CASE \vaddr, write, 0
        CASE \vaddr, read, 3
        CASE \vaddr, write, 3
.endm

test_main:
        SAY "paging"
        call allow_report
        # Identity-map 4 MiB, user and writable, then the test pages.
        xorl %ecx, %ecx
1:      movl %ecx, %eax
        shll $12, %eax
        orl $7, %eax
        movl %eax, pt(,%ecx,4)
        incl %ecx
        cmpl $1024, %ecx
        jb 1b
        movl $PA | 0, pt + (PA >> 12) * 4
        movl $PB | 1, pt + (PB >> 12) * 4
        movl $PC | 5, pt + (PC >> 12) * 4
        movl $PD | 3, pt + (PD >> 12) * 4
        movl $PE | 7, pt + (PE >> 12) * 4
        movl $pt + 7, pd
        movl $pd, %eax
        movl %eax, %cr3
        movl %cr0, %eax
        orl $0x80000000, %eax
        movl %eax, %cr0
        ALL PA
        ALL PB
        ALL PC
        ALL PD
        ALL PE
        SAY "wp"
        movl %cr0, %eax
        orl $0x10000, %eax
        movl %eax, %cr0
        CASE PB, write, 0
        CASE PC, write, 0
        CASE PD, write, 0
        CASE PE, write, 0
        SAY "pde"
        movl pd, %eax
        call puthex
        movb $'\n', %al
        call putc
        jmp exit

read:
        movl (%ebx), %eax
        int $0x4f
write:
        movl %eax, (%ebx)
        int $0x4f

        .section .rodata
s_pte:  .asciz " pte="

        .section .bss
        .align 4096
pd:     .skip 4096
pt:     .skip 4096
