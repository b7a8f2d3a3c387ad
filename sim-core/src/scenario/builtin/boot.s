# The first user program. Before it runs, the OS has set up the trap table
# (lidt) and the CPU remembers where each handler is: from now on every
# trap, interrupt and system call goes through that table.
main:
    movl $100, %ecx
1:  loop 1b
    pushl $0
    call exit
