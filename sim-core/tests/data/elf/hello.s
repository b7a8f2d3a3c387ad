# A user program as a static ELF executable: no libc, no ringside library.
# Build:  as --32 hello.s -o hello.o && ld -m elf_i386 hello.o -o hello.elf
# Run:    ringside run hello.elf   (or upload hello.elf in the page's editor)
# System calls: number in %eax, int $64, arguments on the stack above a
# return address (as the `call write` into the stubs below leaves them).
.equ SYS_exit, 2
.equ SYS_write, 5

.globl _start
.text
_start:
    movl $3, %ecx               # three lines
1:  pushl %ecx
    pushl $len
    pushl $msg
    pushl $1                    # fd 1: the console
    call write
    addl $12, %esp
    incl count                  # .bss starts zeroed
    popl %ecx
    loop 1b
    pushl count                 # exit status 3
    call exit

write:
    movl $SYS_write, %eax
    int $64
    ret
exit:
    movl $SYS_exit, %eax
    int $64
    ret

.data
msg: .ascii "hello from an ELF program\n"
len = . - msg

.bss
count: .space 4
