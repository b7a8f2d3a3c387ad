# Reads two disk blocks, then says so. Under direct execution it spins on
# the CPU while the disk works; under limited direct execution it blocks and
# the scheduler runs another process meanwhile.
main:
    movl $2, %edi
1:  pushl $512
    pushl $buf
    pushl $2                    # fd 2: the disk
    call read
    addl $12, %esp
    decl %edi
    jnz 1b
    pushl $(msgend - msg)
    pushl $msg
    pushl $1
    call write
    addl $12, %esp
    pushl $0
    call exit
.data
msg: .ascii "reader: 2 blocks read\n"
msgend:
buf: .space 512
