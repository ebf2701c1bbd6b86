package dev.tcxsim.vm.elf;

/**
 * A call to a kfunc at {@code insnIndex} of a linked program. The loader writes the instruction
 * as the kernel takes it, CALL with src_reg BPF_PSEUDO_KFUNC_CALL (2), but with the
 * <em>object's</em> BTF id of the extern FUNC in imm ({@code localBtfId}), which stays valid
 * whatever the target: a backend dispatches on {@code name}, and the kernel backend replaces imm
 * by the running kernel's id. {@code targetBtfId} is the FUNC's id in the target BTF the object
 * was opened with.
 */
public record KfuncCall(int insnIndex, String name, int localBtfId, int targetBtfId) {
}
