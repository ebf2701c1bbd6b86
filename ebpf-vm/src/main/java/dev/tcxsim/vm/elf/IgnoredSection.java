package dev.tcxsim.vm.elf;

/**
 * A code section the loader skipped, with why: programs of a type tcxsim does not run (kprobe,
 * tracepoint, xdp, fentry, struct_ops, ...) or a section name libbpf could not type. libbpf
 * would load such programs (or refuse the unknown name); a tc simulator lists them instead, so an
 * object that mixes tc programs with others still loads.
 */
public record IgnoredSection(String section, String reason) {
}
