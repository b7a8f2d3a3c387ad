# COUNT CPU bursts of BURST time units (UNIT cycles each, set above), with
# a disk read after every burst but the last: the read blocks the job until
# the disk interrupt, DISK cycles later (the scenario's disk latency).
main:
    movl $COUNT, %edi
1:  movl $(BURST * UNIT / 2), %ecx
2:  loop 2b
    decl %edi
    jz 3f
    pushl $4
    pushl $buf
    pushl $2                    # fd 2: the disk
    call read
    addl $12, %esp
    jmp 1b
3:  pushl $0
    call exit
.data
buf: .space 4
