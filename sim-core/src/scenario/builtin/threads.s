# Two threads of one process share one address space: the worker's write to
# 0xffe84264 is what the main thread reads.
main:
    movl $100, 0xffe84264
    pushl $0                    # argument for the worker
    pushl $worker               # start function
    call thread_create
    addl $8, %esp
    movl %eax, %esi             # the worker's thread id
    movl $20000, %ecx           # run alongside the worker for a while
1:  loop 1b
    pushl %esi
    call thread_join
    addl $4, %esp
    movl 0xffe84264, %ebx       # main sees the worker's 200
    pushl %ebx                  # exit status: the value main saw
    call exit

worker:
    movl $200, 0xffe84264       # same page, same frame: main sees this
    movl $20000, %ecx
1:  loop 1b
    movl 0xffe84264, %eax       # return value: what the worker sees
    ret
