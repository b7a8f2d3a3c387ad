# Every restricted instruction at CPL 3 raises #GP(0); at IOPL 3 cli, sti,
# in and out are allowed; at IOPL 0, in/out consult the TSS's I/O bitmap
# (none: #GP(0); a bitmap allowing the serial ports: those pass).
        .include "common.s"
        .section .text
test_main:
        SAY "restricted"
        call allow_report
        PROBE 0x202, hlt
        PROBE 0x202, cli
        PROBE 0x202, sti
        PROBE 0x202, lgdt gdt_desc
        PROBE 0x202, lidt idt_desc
        PROBE 0x202, ltr %ax
        PROBE 0x202, lldt %ax
        PROBE 0x202, movl %cr0, %eax
        PROBE 0x202, movl %eax, %cr0
        PROBE 0x202, movl %cr3, %eax
        PROBE 0x202, movl %eax, %cr3
        PROBE 0x202, movl %cr2, %eax
        PROBE 0x202, inb $0x80, %al
        PROBE 0x202, outb %al, $0x80
        PROBE 0x202, inw %dx, %ax
        PROBE 0x202, outl %eax, %dx
        SAY "popf keeps IF and IOPL"
        PROBE_AT 0x202, popf_user
        SAY "iopl 3"
        PROBE_AT 0x3202, iopl3_user
        PROBE 0x3202, outb %al, $0x80
        SAY "bitmap"
        # TSS limit 0x68 + 0x80 bytes of bitmap (ports 0-0x3ff) + 1.
        movw $0x68 + 0x81 - 1, gdt + 0x28
        andb $~2, gdt + 0x28 + 5
        movw $0x28, %ax
        ltr %ax
        movw $0x68, iomap_base
        movl $tss + 0x68, %edi
        movl $0x81, %ecx
1:      movb $0xff, (%edi)
        incl %edi
        loop 1b
        # Allow 0x3f8 (bit 0 of byte 0x7f) and 0x3fd (bit 5).
        movb $~0x21, tss + 0x68 + 0x7f
        PROBE_AT 0x202, serial_user
        movl $0x3f9, %ebx
        PROBE_AT 0x202, inb_user
        movl $0x3f7, %ebx
        PROBE_AT 0x202, inw_user
        movl $0x3f8, %ebx
        PROBE_AT 0x202, inw_user
        movl $0x3ff, %ebx
        PROBE_AT 0x202, inw_user
        movl $0x3fd, %ebx
        PROBE_AT 0x202, inl_user
        movl $0x400, %ebx
        PROBE_AT 0x202, inb_user
        movl $0x407, %ebx
        PROBE_AT 0x202, inb_user
        movl $0x408, %ebx
        PROBE_AT 0x202, inb_user
        jmp exit

# Ring-3 snippets; %ebx is the port (TO_USER keeps it).
popf_user:
        pushl $0x3000
        popfl
        pushfl
        popl %eax
        cmpl $0x202, %eax
        jne 1f
        int $0x4f
1:      int $0x4f
iopl3_user:
        cli
        sti
        movw $0x3fd, %dx
        inb %dx, %al
        int $0x4f
serial_user:
        movw $0x3fd, %dx
        inb %dx, %al
        movw $0x3f8, %dx
        movb $'u', %al
        outb %al, %dx
        movb $'\n', %al
        outb %al, %dx
        int $0x4f
inb_user:
        movl %ebx, %edx
        inb %dx, %al
        int $0x4f
inw_user:
        movl %ebx, %edx
        inw %dx, %ax
        int $0x4f
inl_user:
        movl %ebx, %edx
        inl %dx, %eax
        int $0x4f
