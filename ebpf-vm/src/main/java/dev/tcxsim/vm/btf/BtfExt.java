package dev.tcxsim.vm.btf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An object's {@code .BTF.ext} section (libbpf_internal.h's btf_ext layout): after the header,
 * up to three info blocks (func_info, line_info, core_relo), each a record size followed by
 * groups of {section name offset, record count, records}. Instruction offsets are in bytes from
 * the start of the named ELF section, as the compiler wrote them.
 */
public final class BtfExt {
    /**
     * func_info: the function whose BTF FUNC is {@code typeId} starts at byte {@code insnOff}.
     * Every record also says where it is: {@code at} is its offset in the .BTF.ext section.
     */
    public record FuncRecord(long insnOff, int typeId, int at) {
    }

    /** line_info: file name and line text are string offsets into .BTF. */
    public record LineRecord(long insnOff, long fileNameOff, long lineOff, int line, int column, int at) {
    }

    /** A CO-RE relocation (bpf_core_relo): {@code accessStrOff} is a string offset into .BTF. */
    public record CoreRecord(long insnOff, int typeId, long accessStrOff, int kind, int at) {
    }

    private final Map<String, List<FuncRecord>> funcInfo = new LinkedHashMap<>();
    private final Map<String, List<LineRecord>> lineInfo = new LinkedHashMap<>();
    private final Map<String, List<CoreRecord>> coreRelos = new LinkedHashMap<>();

    private BtfExt() {
    }

    /** Parses {@code data}; section names are looked up in {@code btf}'s string table. */
    public static BtfExt parse(byte[] data, Btf btf) throws BtfFormatException {
        ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < 24) {
            throw new BtfFormatException(0, "header truncated: " + data.length + " bytes, need 24");
        }
        int magic = buf.getShort(0) & 0xffff;
        if (magic != Btf.MAGIC) {
            throw new BtfFormatException(0, "bad magic 0x" + Integer.toHexString(magic));
        }
        if (data[2] != 1) {
            throw new BtfFormatException(2, "unsupported version " + data[2]);
        }
        long hdrLen = buf.getInt(4) & 0xffffffffL;
        if (hdrLen < 24 || hdrLen > data.length) {
            throw new BtfFormatException(4, "header length " + hdrLen + " outside 24.." + data.length);
        }
        BtfExt ext = new BtfExt();
        ext.readBlock(buf, hdrLen, 8, 8, btf, (at, sec, out) ->
                out.add(new FuncRecord(u32(buf, at), buf.getInt(at + 4), at)), ext.funcInfo);
        ext.readBlock(buf, hdrLen, 16, 16, btf, (at, sec, out) -> {
            long lineCol = u32(buf, at + 12);
            out.add(new LineRecord(u32(buf, at), u32(buf, at + 4), u32(buf, at + 8), (int) (lineCol >>> 10),
                    (int) (lineCol & 0x3ff), at));
        }, ext.lineInfo);
        if (hdrLen >= 32) {
            ext.readBlock(buf, hdrLen, 24, 16, btf, (at, sec, out) ->
                    out.add(new CoreRecord(u32(buf, at), buf.getInt(at + 4), u32(buf, at + 8), buf.getInt(at + 12),
                            at)),
                    ext.coreRelos);
        }
        return ext;
    }

    private interface RecordReader<T> {
        void read(int at, String section, List<T> out);
    }

    /**
     * Reads the block whose offset and length are at {@code headerField} and {@code headerField+4};
     * each record is at least {@code minRecord} bytes (newer compilers may append fields).
     */
    private <T> void readBlock(ByteBuffer buf, long hdrLen, int headerField, int minRecord, Btf btf,
                               RecordReader<T> reader, Map<String, List<T>> into) throws BtfFormatException {
        long off = u32(buf, headerField);
        long len = u32(buf, headerField + 4);
        int total = buf.capacity();
        if (len == 0) {
            return;
        }
        long start = hdrLen + off;
        if (start + len > total) {
            throw new BtfFormatException(headerField, "block [" + start + ", +" + len + ") past the end of .BTF.ext ("
                    + total + " bytes)");
        }
        int end = (int) (start + len);
        if (len < 4) {
            throw new BtfFormatException(start, "block too short for its record size");
        }
        long recSize = u32(buf, (int) start);
        if (recSize < minRecord || recSize > 256 || recSize % 4 != 0) {
            throw new BtfFormatException(start, "record size " + recSize + " (expected a multiple of 4, at least "
                    + minRecord + ")");
        }
        int pos = (int) start + 4;
        while (pos < end) {
            if (end - pos < 8) {
                throw new BtfFormatException(pos, "section group header truncated");
            }
            long nameOff = u32(buf, pos);
            long count = u32(buf, pos + 4);
            String section = btf.stringAt(nameOff).orElse(null);
            if (section == null || section.isEmpty()) {
                throw new BtfFormatException(pos, "section name offset " + nameOff + " is not a string of .BTF");
            }
            pos += 8;
            if (count == 0 || count * recSize > end - pos) {
                throw new BtfFormatException(pos - 4, "section '" + section + "': " + count + " records of "
                        + recSize + " bytes do not fit in the " + (end - pos) + " bytes left");
            }
            List<T> list = into.computeIfAbsent(section, k -> new ArrayList<>());
            for (long i = 0; i < count; i++) {
                reader.read(pos, section, list);
                pos += (int) recSize;
            }
        }
    }

    private static long u32(ByteBuffer buf, int at) {
        return buf.getInt(at) & 0xffffffffL;
    }

    /** func_info records of one ELF section, in file order (empty when none). */
    public List<FuncRecord> funcInfo(String section) {
        return funcInfo.getOrDefault(section, List.of());
    }

    public List<LineRecord> lineInfo(String section) {
        return lineInfo.getOrDefault(section, List.of());
    }

    /** Every section that has CO-RE relocations, in file order. */
    public Map<String, List<CoreRecord>> allCoreRelos() {
        return java.util.Collections.unmodifiableMap(coreRelos);
    }
}
