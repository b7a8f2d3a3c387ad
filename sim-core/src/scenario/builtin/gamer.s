# Games MLFQ: computes for a little less than a time slice, then issues a
# one-byte disk read. A scheduler that forgets the slice used so far when a
# job blocks (no gaming protection) keeps it at the top priority forever.
main:
    movl $12, %edi
1:  movl $600, %ecx             # a bit less work than one time slice
2:  loop 2b
    pushl $1
    pushl $buf
    pushl $2                    # fd 2: the disk
    call read
    addl $12, %esp
    decl %edi
    jnz 1b
    pushl $0
    call exit
.data
buf: .space 4
