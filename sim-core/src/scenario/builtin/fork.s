# Two processes: after fork() each has its own copy of the stack page that
# holds 0xffe84264, so a write by one is invisible to the other.
main:
    movl $100, 0xffe84264       # parent's value, on its stack page
    call fork
    cmpl $0, %eax
    jne parent
child:
    movl $200, 0xffe84264       # the child writes its own copy
    movl 0xffe84264, %ebx       # child sees 200
    jmp linger
parent:
    movl 0xffe84264, %ebx       # parent still sees 100
linger:
    movl $20000, %ecx           # stay alive a while so both can be inspected
1:  loop 1b
    pushl %ebx                  # exit status: the value this process saw
    call exit
