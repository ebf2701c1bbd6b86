package dev.tcxsim.vm.btf;

/**
 * A CO-RE relocation that cannot be applied at all (as opposed to one that finds no match in the
 * target and is poisoned): a bad type id or access string, an instruction of the wrong form, an
 * ambiguous match. The loader reports it as an ElfFormatException at the record's place.
 */
public final class CoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public CoreException(String message) {
        super(message);
    }
}
