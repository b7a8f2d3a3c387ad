# Computes without ever making a system call: only the timer interrupt can
# take the CPU away from it.
main:
    movl $3000, %ecx
1:  loop 1b
    pushl $0
    call exit
