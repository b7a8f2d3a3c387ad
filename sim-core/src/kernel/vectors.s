# Ringside kernel: the trap vectors (cf. xv6 vectors.S). Each pushes a dummy
# error code where the CPU pushes none, then its vector number, and jumps to
# alltraps (trapasm.s). The kernel reads the vectorN labels to fill the IDT.
.text
vector0:
    pushl $0
    pushl $0
    jmp alltraps
vector1:
    pushl $0
    pushl $1
    jmp alltraps
vector2:
    pushl $0
    pushl $2
    jmp alltraps
vector3:
    pushl $0
    pushl $3
    jmp alltraps
vector4:
    pushl $0
    pushl $4
    jmp alltraps
vector5:
    pushl $0
    pushl $5
    jmp alltraps
vector6:
    pushl $0
    pushl $6
    jmp alltraps
vector7:
    pushl $0
    pushl $7
    jmp alltraps
vector8:
    pushl $8
    jmp alltraps
vector9:
    pushl $0
    pushl $9
    jmp alltraps
vector10:
    pushl $10
    jmp alltraps
vector11:
    pushl $11
    jmp alltraps
vector12:
    pushl $12
    jmp alltraps
vector13:
    pushl $13
    jmp alltraps
vector14:
    pushl $14
    jmp alltraps
vector15:
    pushl $0
    pushl $15
    jmp alltraps
vector16:
    pushl $0
    pushl $16
    jmp alltraps
vector17:
    pushl $17
    jmp alltraps
vector18:
    pushl $0
    pushl $18
    jmp alltraps
vector19:
    pushl $0
    pushl $19
    jmp alltraps
vector20:
    pushl $0
    pushl $20
    jmp alltraps
vector21:
    pushl $0
    pushl $21
    jmp alltraps
vector22:
    pushl $0
    pushl $22
    jmp alltraps
vector23:
    pushl $0
    pushl $23
    jmp alltraps
vector24:
    pushl $0
    pushl $24
    jmp alltraps
vector25:
    pushl $0
    pushl $25
    jmp alltraps
vector26:
    pushl $0
    pushl $26
    jmp alltraps
vector27:
    pushl $0
    pushl $27
    jmp alltraps
vector28:
    pushl $0
    pushl $28
    jmp alltraps
vector29:
    pushl $0
    pushl $29
    jmp alltraps
vector30:
    pushl $0
    pushl $30
    jmp alltraps
vector31:
    pushl $0
    pushl $31
    jmp alltraps
vector32:
    pushl $0
    pushl $32
    jmp alltraps
vector33:
    pushl $0
    pushl $33
    jmp alltraps
vector34:
    pushl $0
    pushl $34
    jmp alltraps
vector35:
    pushl $0
    pushl $35
    jmp alltraps
vector36:
    pushl $0
    pushl $36
    jmp alltraps
vector37:
    pushl $0
    pushl $37
    jmp alltraps
vector38:
    pushl $0
    pushl $38
    jmp alltraps
vector39:
    pushl $0
    pushl $39
    jmp alltraps
vector40:
    pushl $0
    pushl $40
    jmp alltraps
vector41:
    pushl $0
    pushl $41
    jmp alltraps
vector42:
    pushl $0
    pushl $42
    jmp alltraps
vector43:
    pushl $0
    pushl $43
    jmp alltraps
vector44:
    pushl $0
    pushl $44
    jmp alltraps
vector45:
    pushl $0
    pushl $45
    jmp alltraps
vector46:
    pushl $0
    pushl $46
    jmp alltraps
vector47:
    pushl $0
    pushl $47
    jmp alltraps
vector64:
    pushl $0
    pushl $64
    jmp alltraps
