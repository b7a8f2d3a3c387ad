# Reads four disk blocks; each read blocks until the disk interrupt.
main:
    movl $4, %edi
1:  pushl $512
    pushl $buf
    pushl $2                    # fd 2: the disk
    call read
    addl $12, %esp
    decl %edi
    jnz 1b
    pushl $0
    call exit
.data
buf: .space 512
