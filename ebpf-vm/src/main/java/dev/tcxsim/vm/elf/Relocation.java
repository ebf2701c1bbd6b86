package dev.tcxsim.vm.elf;

/**
 * A map or global-data reference at an LD_IMM64 ({@code insnIndex} is its first slot). The loader
 * already set src_reg to BPF_PSEUDO_MAP_FD (1) for MAP_FD or BPF_PSEUDO_MAP_VALUE (2) for
 * MAP_VALUE, left the first imm 0 and wrote {@code offset} into the second slot's imm for
 * MAP_VALUE: a backend fills the first imm with its own map handle.
 */
public record Relocation(int insnIndex, Kind kind, int mapIndex, int offset) {
    public enum Kind { MAP_FD, MAP_VALUE }
}
