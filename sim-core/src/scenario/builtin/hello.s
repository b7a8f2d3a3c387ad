# Prints a line and exits: can it ever run next to an infinite loop?
main:
    pushl $(msgend - msg)
    pushl $msg
    pushl $1
    call write
    addl $12, %esp
    pushl $0
    call exit
.data
msg: .ascii "hello: I got the CPU\n"
msgend:
