# Ringside kernel: trap entry and exit (cf. xv6 trapasm.S).
alltraps:
    pushal              # build the trap frame: save every general register
trap_c:                 # the kernel's C code (trap(), syscalls, sched()) runs here
    nop
trapret:
    popal               # restore the registers of the thread being resumed
    addl $8, %esp       # drop trap number and error code
    iret                # back to where the trap came from
idle:                   # nothing to run: wait for an interrupt
    sti
    hlt
    jmp idle
