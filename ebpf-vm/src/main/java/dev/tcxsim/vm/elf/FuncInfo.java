package dev.tcxsim.vm.elf;

/**
 * BTF func_info: the function starting at {@code insnOffset} of the linked program, and its BTF
 * FUNC linkage. A GLOBAL function is verified by the kernel on its own, against its BTF
 * prototype, rather than in the context of each caller; a STATIC one is inlined into its caller's
 * verification. Both are called the same way.
 */
public record FuncInfo(int insnOffset, String name, Linkage linkage) {
    /** BTF_FUNC_STATIC, BTF_FUNC_GLOBAL, BTF_FUNC_EXTERN. */
    public enum Linkage {
        STATIC, GLOBAL, EXTERN;

        static Linkage of(int btfLinkage) {
            return switch (btfLinkage) {
                case 1 -> GLOBAL;
                case 2 -> EXTERN;
                default -> STATIC;
            };
        }
    }
}
