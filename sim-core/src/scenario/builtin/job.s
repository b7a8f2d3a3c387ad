# A CPU-bound job of UNITS time units, UNIT cycles each (set above). `loop`
# takes 2 cycles an iteration (1 the last time, when `movl` takes the
# other), so the loop is exactly UNITS * (UNIT - SLACK) cycles of work: each
# unit leaves SLACK cycles for the kernel's work in a time slice (0 when no
# timer interrupts the job); then exit.
main:
    movl $(UNITS * (UNIT - SLACK) / 2), %ecx
1:  loop 1b
    pushl $0
    call exit
