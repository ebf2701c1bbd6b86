package dev.tcxsim.vm.elf;

/**
 * An instruction the loader replaced by a call to helper {@value #HELPER_ID} because its CO-RE
 * relocation found no match in the target kernel's BTF (libbpf's poisoning). The kernel refuses
 * such a call if the verifier can reach it ("invalid func unknown#195896080") and drops it as
 * dead code otherwise; {@code relocation} says which relocation failed, for the error message.
 * An LD_IMM64 is poisoned in both slots: {@code slots} is then 2 and {@code insnIndex} the first.
 */
public record PoisonedInsn(int insnIndex, int slots, String relocation) {
    /** 0xbad2310, "bad relo": the helper id libbpf writes into a poisoned instruction. */
    public static final int HELPER_ID = 0xbad2310;
}
