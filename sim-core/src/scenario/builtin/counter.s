# A well-behaved process: counts, prints, exits.
main:
    movl $30000, %ecx
1:  loop 1b
    pushl $(msgend - msg)
    pushl $msg
    pushl $1
    call write
    addl $12, %esp
    pushl $0
    call exit
.data
msg: .ascii "counter: done\n"
msgend:
