# A user program tries to turn interrupts off. In user mode (CPL 3) cli is
# privileged: the CPU raises #GP, and the kernel kills the process.
main:
    movl $5000, %ecx
1:  loop 1b
    cli                         # #GP(0): not allowed at CPL 3
    movl $1, %eax               # never reached
    pushl $0
    call exit
