# RUN time units of work (UNIT cycles each, SLACK of them left for the
# kernel's work in each unit), with a disk read every FREQ units of work, as
# the jobs of OSTEP's mlfq.py: the read blocks the job for the disk latency.
main:
    movl $RUN, %esi             # units still to run
1:  movl $FREQ, %edi            # this burst: FREQ units, or what is left
    cmpl %esi, %edi
    jbe 2f
    movl %esi, %edi
2:  subl %edi, %esi
    imull $((UNIT - SLACK) / 2), %edi, %ecx
3:  loop 3b
    cmpl $0, %esi
    je 4f
    pushl $4
    pushl $buf
    pushl $2                    # fd 2: the disk
    call read
    addl $12, %esp
    jmp 1b
4:  pushl $0
    call exit
.data
buf: .space 4
