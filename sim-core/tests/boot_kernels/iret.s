# iret to ring 3 and back, iret's flag rules, the nulling of data segments
# the outer ring may not use, and bad irets: each bad CS or SS raises the
# fault the SDM names, with nothing popped. (A not-present SS is #SS per
# the SDM, but #NP under QEMU: left out.)
        .include "common.s"
        .section .text
# iret through a frame: eip, cs, eflags[, esp, ss].
.macro IRET5 eip, cs, eflags, esp, ss
        pushl $\ss
        pushl $\esp
        pushl $\eflags
        pushl $\cs
        pushl $\eip
        iret
.endm

.macro BAD cs, ss
        RESUME r\@
        IRET5 user_report, \cs, 0x202, ustack_top, \ss
r\@:
.endm

test_main:
        SAY "iret"
        call allow_report
        # 0x40: DPL-3 interrupt gate; handled by iret back to ring 3.
        movl $32, %ecx
        movw $0xee00, %dx
        call gate_type
        movl $hook, trap_hook
        RESUME 1f
        TO_USER there_and_back
1:      SAY "flags"
        # At CPL 0 iret loads IOPL and IF.
        RESUME 2f
        pushl $0x3202
        pushl $0x08
        pushl $same_level
        iret
2:      # At CPL 3 (IOPL 0) neither changes.
        RESUME 3f
        TO_USER user_iret, 0x202
3:      SAY "nulling"
        movw $0x10, %ax
        movw %ax, %fs
        movw $0x23, %ax
        movw %ax, %gs
        movw $0x10, %ax
        movw %ax, %ds
        movw $0x1b, %ax
        movw %ax, %es
        RESUME 4f
        IRET5 user_segments, 0x1b, 0x202, ustack_top, 0x23
4:      movl seg_store, %eax
        call puthex
        movl seg_store + 4, %eax
        call puthex
        movb $'\n', %al
        call putc
        SAY "bad"
        BAD 0x00, 0x23
        BAD 0x03, 0x23
        BAD 0x80, 0x23
        BAD 0x10, 0x23
        BAD 0x13, 0x23
        BAD 0x0b, 0x23
        BAD 0x43, 0x23
        BAD 0x4b, 0x23
        BAD 0x5b, 0x23
        BAD 0x1b, 0x00
        BAD 0x1b, 0x03
        BAD 0x1b, 0x13
        BAD 0x1b, 0x20
        BAD 0x1b, 0x1b
        BAD 0x1b, 0x2b
        BAD 0x1b, 0x88
        SAY "ring3 to ring0"
        RESUME 5f
        TO_USER user_to_ring0
5:      jmp exit

# Ring 3: int $0x40 returns here by iret, then the report ends it.
there_and_back:
        movl $0x1234, %eax
        int $0x40
        int $0x40
        int $0x4f
same_level:
        pushfl
        popl %eax
        int $0x4f
user_iret:
        pushl $0x3000
        pushl $0x1b
        pushl $user_report
        iret
user_report:
        int $0x4f
user_segments:
        movw %ds, %ss:seg_store + 2
        movw %es, %ss:seg_store
        movw %fs, %ss:seg_store + 6
        movw %gs, %ss:seg_store + 4
        int $0x4f
user_to_ring0:
        pushl $0x202
        pushl $0x08
        pushl $exit
        iret

# 0x40 returns to ring 3 by iret; everything else resumes.
hook:
        movl $0, on_trap
        cmpl $0x40, 32(%ebp)
        jne 1f
        movl $1, on_trap
1:      ret

        .section .data
seg_store: .long 0, 0
