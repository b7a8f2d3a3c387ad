# A short job (about 3,000 cycles of work).
main:
    movl $1500, %ecx
1:  loop 1b
    pushl $0
    call exit
