//! GNU `as`-compatible AT&T-syntax assembler for the IA-32 subset. (Being written.)
