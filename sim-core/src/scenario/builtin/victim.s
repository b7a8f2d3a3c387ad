# The victim prints its message, yields, and does so twice more: each line
# shows whether another program has touched its memory, and whether it
# still gets the CPU.
main:
    call say
    call yield
    call say
    call yield
    call say
    pushl $0
    call exit
say:
    pushl $(msgend - msg)
    pushl $msg
    pushl $1
    call write
    addl $12, %esp
    ret
.data
.align 4
msg: .ascii "victim: I'm alive\n"       # "aliv" starts on a 4-byte boundary
msgend:
