# An infinite loop: it never makes a system call.
main:
1:  incl %eax
    jmp 1b
