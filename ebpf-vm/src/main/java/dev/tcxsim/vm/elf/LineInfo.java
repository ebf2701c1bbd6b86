package dev.tcxsim.vm.elf;

/** BTF line_info: the C source line of the instruction at {@code insnOffset} of the linked program. */
public record LineInfo(int insnOffset, String file, String line, int lineNumber, int column) {
}
