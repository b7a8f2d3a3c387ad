# A CPU-bound job that never yields.
main:
    movl $40000, %ecx
1:  loop 1b
    pushl $0
    call exit
