# Writes another program's memory. Under direct execution it runs in ring 0
# and the kernel maps all of physical memory at 0x80000000: it finds the
# victim's message and overwrites it. Under limited direct execution it runs
# in ring 3: the first touch of a kernel page is a #PF, and it is killed.
main:
    movl $0x80200000, %esi      # frames handed out to processes start here
1:  cmpl $0x76696c61, (%esi)    # "aliv"
    je found
    addl $4, %esi
    cmpl $0x80400000, %esi
    jb 1b
    jmp done
found:
    movl $0x64616564, (%esi)    # "dead"
    movb $0x20, 4(%esi)         # and a space over the "e"
done:
    pushl $0
    call exit
