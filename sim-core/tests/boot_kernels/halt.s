# Not run under QEMU (where it would never end): hlt with interrupts off
# ends a `ringside boot` run.
        .include "common.s"
        .section .text
test_main:
        SAY "halt"
        cli
        hlt
