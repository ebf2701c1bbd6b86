package dev.tcxsim.vm.elf;

/** A malformed or unsupported object; the message names the section and the byte offset. */
public class ElfFormatException extends Exception {
    public ElfFormatException(String message) {
        super(message);
    }

    public ElfFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
