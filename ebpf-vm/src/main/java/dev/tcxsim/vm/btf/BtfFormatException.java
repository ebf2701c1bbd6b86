package dev.tcxsim.vm.btf;

/**
 * Malformed {@code .BTF} or {@code .BTF.ext} data. {@link #offset()} is the byte offset inside the
 * section's data; the ELF loader adds the section's file offset and reports an ElfFormatException.
 */
public final class BtfFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final String detail;

    public BtfFormatException(long offset, String detail) {
        super("@0x" + Long.toHexString(offset) + " in section: " + detail);
        this.offset = offset;
        this.detail = detail;
    }

    public long offset() {
        return offset;
    }

    /** The message without the offset. */
    public String detail() {
        return detail;
    }
}
