# Pure computation: runs whenever the CPU is free.
main:
    movl $15000, %ecx
1:  loop 1b
    pushl $0
    call exit
