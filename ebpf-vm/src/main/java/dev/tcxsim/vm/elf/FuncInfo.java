package dev.tcxsim.vm.elf;

/** BTF func_info: the function starting at {@code insnOffset} of the linked program. */
public record FuncInfo(int insnOffset, String name) {
}
