# Shared start-up for the QEMU differential kernels (GNU as --32).
# Each kernel defines `test_main` (called in ring 0 with GDT, TSS, IDT set
# up, paging off) and may set `trap_hook`. Output goes to COM1 as text.
#
# Selectors: 0x08 kernel code, 0x10 kernel data, 0x1b user code,
# 0x23 user data, 0x28 TSS (ESP0 = kstack_top, no I/O bitmap unless a
# kernel sets iomap_base), 0x30 a not-present data segment, 0x38 a data
# segment of DPL 0, 0x40 user code, 0x48/0x50/0x58 not-present user code,
# user data and kernel code.

        .set MB_MAGIC, 0x1badb002
        .set MB_FLAGS, 0x3
        .section .text
        .globl _start
        .align 4
mb_header:
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

_start:
        cli
        movl $kstack_top, %esp
        pushl $2
        popfl
        # Mask every IRQ at both PICs: QEMU's timer would otherwise
        # interrupt ring-3 code that runs with IF set.
        movb $0xff, %al
        outb %al, $0x21
        outb %al, $0xa1
        lgdt gdt_desc
        ljmp $0x08, $1f
1:      movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %fs
        movw %ax, %gs
        movw %ax, %ss
        # The TSS descriptor's base (tss is not known to the assembler as
        # a constant expression split into fields).
        movl $tss, %eax
        movw %ax, gdt + 0x28 + 2
        shrl $16, %eax
        movb %al, gdt + 0x28 + 4
        movb %ah, gdt + 0x28 + 7
        movw $0x28, %ax
        ltr %ax
        call setup_idt
        lidt idt_desc
        call test_main
        jmp exit

# Fill the IDT: vectors 0-31 and 0x40-0x4f as DPL-0 interrupt gates, then
# the kernel changes those it needs with set_gate.
setup_idt:
        xorl %ecx, %ecx
2:      movl stubs(,%ecx,4), %eax
        movl $0x8e00, %edx
        call set_gate
        incl %ecx
        cmpl $48, %ecx
        jb 2b
        ret

# set_gate: vector %ecx (0-47 index into stubs: 32+k is vector 0x40+k),
# handler %eax, type/DPL/P bits in %dx (0x8e00 interrupt DPL 0, 0xee00
# interrupt DPL 3, 0x8f00 trap DPL 0, 0xef00 trap DPL 3).
set_gate:
        pushl %ecx
        cmpl $32, %ecx
        jb 3f
        addl $0x20, %ecx
3:      movw %ax, idt(,%ecx,8)
        movw $0x08, idt+2(,%ecx,8)
        movw %dx, idt+4(,%ecx,8)
        shrl $16, %eax
        movw %ax, idt+6(,%ecx,8)
        popl %ecx
        ret

# Set the type/DPL bits of vector %ecx (numbered as for set_gate) to %dx,
# keeping its handler.
gate_type:
        pushl %ecx
        cmpl $32, %ecx
        jb 1f
        addl $0x20, %ecx
1:      movw %dx, idt+4(,%ecx,8)
        popl %ecx
        ret

.macro STUB n, err
stub\n:
        .if \err == 0
        pushl $0
        .endif
        pushl $\n
        jmp alltraps
.endm
.irp n, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        STUB \n, 0
.endr
.irp n, 8,10,11,12,13,14,17
        STUB \n, 1
.endr
.irp n, 0x40,0x41,0x42,0x43,0x44,0x45,0x46,0x47,0x48,0x49,0x4a,0x4b,0x4c,0x4d,0x4e,0x4f
        STUB \n, 0
.endr

        .section .data
        .align 4
stubs:
        .long stub0, stub1, stub2, stub3, stub4, stub5, stub6, stub7
        .long stub8, stub9, stub10, stub11, stub12, stub13, stub14, stub15
        .long stub16, stub17, stub18, stub19, stub20, stub21, stub22, stub23
        .long stub24, stub25, stub26, stub27, stub28, stub29, stub30, stub31
        .long stub0x40, stub0x41, stub0x42, stub0x43, stub0x44, stub0x45, stub0x46, stub0x47
        .long stub0x48, stub0x49, stub0x4a, stub0x4b, stub0x4c, stub0x4d, stub0x4e, stub0x4f
        .section .text

# Every trap: print what the CPU pushed, then call trap_hook (if set) with
# %ebp at the pushal frame: edi esi ebp esp ebx edx ecx eax, then vector,
# error code, eip, cs, eflags [, esp, ss]. The hook may change `on_trap`:
# 0 = resume at `resume` in ring 0 on a fresh stack, 1 = iret.
alltraps:
        pushal
        movl %esp, %ebp
        pushfl
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movb $'T', %al
        call putc
        movl 32(%ebp), %eax
        call puthex8
        movl 32(%ebp), %eax
        movl 36(%ebp), %edx
        # The EXT bit of #TS/#NP/#SS/#GP error codes: QEMU omits it.
        cmpl $10, %eax
        jb 4f
        cmpl $13, %eax
        ja 4f
        andl $~1, %edx
4:      movl $s_err, %esi
        movl %edx, %eax
        call puts_hex
        # The EIP pushed for #DF is undefined (SDM "Interrupt 8").
        cmpl $8, 32(%ebp)
        je 9f
        movl $s_eip, %esi
        movl 40(%ebp), %eax
        call puts_hex
9:
        movl $s_cs, %esi
        movl 44(%ebp), %eax
        call puts_hex
        movl $s_fl, %esi
        movl 48(%ebp), %eax
        # RF: real CPUs set it in fault frames, QEMU does not.
        andl $~0x10000, %eax
        call puts_hex
        testl $3, 44(%ebp)
        jz 5f
        movl $s_sp, %esi
        movl 52(%ebp), %eax
        call puts_hex
        movl $s_ss, %esi
        movl 56(%ebp), %eax
        call puts_hex
5:      movl $s_hsp, %esi
        leal 40(%ebp), %eax
        call puts_hex
        movl $s_if, %esi
        movl (%esp), %eax
        shrl $9, %eax
        andl $1, %eax
        call puts_hex
        cmpl $14, 32(%ebp)
        jne 6f
        movl $s_cr2, %esi
        movl %cr2, %eax
        call puts_hex
6:      movb $'\n', %al
        call putc
        incl trap_count
        cmpl $100, trap_count
        ja exit
        movl trap_hook, %eax
        testl %eax, %eax
        jz 7f
        call *%eax
7:      cmpl $1, on_trap
        je 8f
        movl resume, %eax
        testl %eax, %eax
        jz exit
        movl $0, resume
        movl $kstack_top, %esp
        movw $0x10, %cx
        movw %cx, %ds
        movw %cx, %es
        movw %cx, %fs
        movw %cx, %gs
        jmp *%eax
8:      movl %ebp, %esp
        popal
        addl $8, %esp
        iret

# Print "\n" and the string at %esi then %eax as 8 hex digits.
puts_hex:
        pushl %eax
        call puts
        popl %eax
        jmp puthex

puts:
        movb (%esi), %al
        incl %esi
        testb %al, %al
        jz 1f
        call putc
        jmp puts
1:      ret

# %eax as 8 hex digits.
puthex:
        movl $8, %ecx
        jmp 2f
# %al as 2 hex digits.
puthex8:
        shll $24, %eax
        movl $2, %ecx
2:      roll $4, %eax
        pushl %eax
        andl $15, %eax
        movb hexdigits(%eax), %al
        call putc
        popl %eax
        loop 2b
        ret

# Send %al to COM1 once the transmitter is empty.
putc:
        pushl %eax
        pushl %edx
        movw $0x3fd, %dx
1:      inb %dx, %al
        testb $0x20, %al
        jz 1b
        movw $0x3f8, %dx
        movl 4(%esp), %eax
        outb %al, %dx
        popl %edx
        popl %eax
        ret

# Print the string following the call (NUL-terminated), then a newline.
.macro SAY text
        movl $1f, %esi
        call puts
        movb $'\n', %al
        call putc
        .section .rodata
1:      .asciz "\text"
        .section .text
.endm

# Run `code` in ring 3 at `label` with the user stack; DS/ES user data.
.macro TO_USER label, eflags=0x202
        movw $0x23, %ax
        movw %ax, %ds
        movw %ax, %es
        pushl $0x23
        pushl $ustack_top
        pushl $\eflags
        pushl $0x1b
        pushl $\label
        iret
.endm

# Arrange for the next trap to resume at `label` in ring 0.
.macro RESUME label
        movl $\label, resume
        movl $0, on_trap
.endm

exit:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movl $s_done, %esi
        call puts
        movl $0x10, %eax
        outl %eax, $0xf4
        cli
        hlt

        .section .rodata
hexdigits: .ascii "0123456789abcdef"
s_err:  .asciz " err="
s_eip:  .asciz " eip="
s_cs:   .asciz " cs="
s_fl:   .asciz " fl="
s_sp:   .asciz " sp="
s_ss:   .asciz " ss="
s_hsp:  .asciz " hsp="
s_if:   .asciz " if="
s_cr2:  .asciz " cr2="
s_done: .asciz "done\n"

        .section .data
        .align 8
gdt:
        .quad 0
        .quad 0x00cf9a000000ffff        # 0x08 kernel code
        .quad 0x00cf92000000ffff        # 0x10 kernel data
        .quad 0x00cffa000000ffff        # 0x1b user code
        .quad 0x00cff2000000ffff        # 0x23 user data
        .quad 0x0000890000000067        # 0x28 TSS (base patched at start)
        .quad 0x00cf12000000ffff        # 0x30 data, not present
        .quad 0x00cf92000000ffff        # 0x38 kernel data (DPL 0)
        .quad 0x00cffa000000ffff        # 0x40 user code (for lret tests)
        .quad 0x00cf7a000000ffff        # 0x48 user code, not present
        .quad 0x00cf72000000ffff        # 0x50 user data, not present
        .quad 0x00cf1a000000ffff        # 0x58 kernel code, not present
gdt_end:
gdt_desc:
        .word gdt_end - gdt - 1
        .long gdt
idt_desc:
        .word 256 * 8 - 1
        .long idt
        .align 4
tss:
        .long 0                 # link
        .long kstack_top        # esp0
        .long 0x10              # ss0
        .fill 22, 4, 0
        .word 0                 # T
iomap_base:
        .word 0xffff            # no I/O bitmap
        .skip 0x81              # room for one (ports 0-0x3ff and the end byte)
        .align 4
trap_hook:  .long 0
on_trap:    .long 0
resume:     .long 0
trap_count: .long 0

        .section .bss
        .align 4096
idt:    .skip 256 * 8
        .align 4096
        .skip 4096
kstack_top:
        .skip 4096
ustack_top:
        .skip 16

# Run `instr` once in ring 3 (EFLAGS `eflags`): a fault prints its frame
# and resumes after the probe; no fault prints "ok" through int $0x4f
# (a DPL-3 gate that test_main must set up with allow_report).
.macro PROBE eflags, instr:vararg
        RESUME r\@
        TO_USER u\@, \eflags
u\@:    \instr
        int $0x4f
r\@:
.endm

        .section .text
# Run the ring-3 code at `label` (which ends with int $0x4f) once.
.macro PROBE_AT eflags, label
        RESUME r\@
        TO_USER \label, \eflags
r\@:
.endm

# Make vector 0x4f a DPL-3 interrupt gate: the "no fault" report.
allow_report:
        movl $47, %ecx
        movw $0xee00, %dx
        jmp gate_type
