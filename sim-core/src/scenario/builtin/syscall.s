# main runs in user mode, makes one system call (write) and exits: the
# protocol of limited direct execution, one row at a time.
main:
    movl $100, %ecx
1:  loop 1b
    pushl $(msgend - msg)       # n
    pushl $msg                  # buffer
    pushl $1                    # fd 1: the console
    pushl $0                    # (where `call write` leaves its return address)
    movl $SYS_write, %eax       # system call number
    int $64                     # trap into the kernel
    addl $16, %esp
    pushl $0
    call exit
.data
msg: .ascii "main: hello from user mode\n"
msgend:
