# Direct execution: this program runs in ring 0 with no timer. It searches
# physical memory (the kernel maps all of it at 0x80000000) for the other
# program's message, overwrites it, then disables interrupts and never
# gives the CPU back.
main:
    movl $0x80200000, %esi      # frames handed out to processes start here
1:  cmpl $0x76696c61, (%esi)    # "aliv"
    je found
    addl $4, %esi
    cmpl $0x80400000, %esi
    jb 1b
    jmp hog
found:
    movl $0x64616564, (%esi)    # "dead"
    movb $0x20, 4(%esi)         # and a space over the "e"
hog:
    call yield                  # let the victim print once more
    cli                         # nobody can take the CPU away now
2:  jmp 2b
