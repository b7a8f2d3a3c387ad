# Lets the others run once, computes a while, then turns interrupts off and
# never gives the CPU back. Under direct execution (ring 0) cli works: no
# interrupt can reach the CPU and nobody else runs again. Under limited direct
# execution the timer preempts the loop, and cli at CPL 3 is a #GP: killed.
main:
    call yield                  # let the victim print once more
    movl $LOOPS, %ecx
1:  loop 1b                     # compute (the timer may preempt this)
    cli                         # nobody can take the CPU away now
2:  jmp 2b
