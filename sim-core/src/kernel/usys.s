.text
fork:
    movl $SYS_fork, %eax
    int $64
    ret
exit:
    movl $SYS_exit, %eax
    int $64
    ret
wait:
    movl $SYS_wait, %eax
    int $64
    ret
getpid:
    movl $SYS_getpid, %eax
    int $64
    ret
write:
    movl $SYS_write, %eax
    int $64
    ret
read:
    movl $SYS_read, %eax
    int $64
    ret
sleep:
    movl $SYS_sleep, %eax
    int $64
    ret
yield:
    movl $SYS_yield, %eax
    int $64
    ret
kill:
    movl $SYS_kill, %eax
    int $64
    ret
uptime:
    movl $SYS_uptime, %eax
    int $64
    ret
thread_create:
    movl $SYS_thread_create, %eax
    int $64
    ret
thread_join:
    movl $SYS_thread_join, %eax
    int $64
    ret
thread_exit:
    movl $SYS_thread_exit, %eax
    int $64
    ret
__main_return:
    pushl %eax
    pushl $0
    movl $SYS_exit, %eax
    int $64
__thread_return:
    pushl %eax
    pushl $0
    movl $SYS_thread_exit, %eax
    int $64
