package dev.tcxsim.vm.elf;

/** A malformed or unsupported object; the message names the section and the byte offset. */
public class ElfFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public ElfFormatException(String message) {
        super(message);
    }

    public ElfFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A problem in {@code section} (a section name, or a pseudo name such as "ELF header") at
     * file offset {@code fileOffset}: the message reads "section 'tc' at offset 0x1a8: ...".
     */
    public ElfFormatException(String section, long fileOffset, String detail) {
        super("section '" + section + "'" + (fileOffset >= 0 ? " at offset 0x" + Long.toHexString(fileOffset) : "")
                + ": " + detail);
    }
}
