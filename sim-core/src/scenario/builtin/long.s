# A long job (about 30,000 cycles of work).
main:
    movl $15000, %ecx
1:  loop 1b
    pushl $0
    call exit
