package dev.tcxsim.linux.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * bpf(2), one static method per command, with the {@code union bpf_attr} layouts of the uapi
 * (tcx-semantics.md 2.1 and linux/bpf.h; the offsets are written next to each field). Every attr is
 * a fresh zeroed buffer, so the kernel's "unused tail must be zero" rule always holds.
 *
 * <p>Failures throw {@link ErrnoException} whose call string names the command and its arguments.
 */
public final class Bpf {
    public static final int MAP_CREATE = 0;
    public static final int MAP_LOOKUP_ELEM = 1;
    public static final int MAP_UPDATE_ELEM = 2;
    public static final int MAP_DELETE_ELEM = 3;
    public static final int MAP_GET_NEXT_KEY = 4;
    public static final int PROG_LOAD = 5;
    public static final int OBJ_PIN = 6;
    public static final int OBJ_GET = 7;
    public static final int PROG_ATTACH = 8;
    public static final int PROG_DETACH = 9;
    public static final int PROG_TEST_RUN = 10;
    public static final int PROG_GET_FD_BY_ID = 13;
    public static final int MAP_GET_FD_BY_ID = 14;
    public static final int OBJ_GET_INFO_BY_FD = 15;
    public static final int PROG_QUERY = 16;
    public static final int BTF_LOAD = 18;
    public static final int MAP_FREEZE = 22;
    public static final int LINK_CREATE = 28;
    public static final int LINK_UPDATE = 29;
    public static final int LINK_GET_FD_BY_ID = 30;
    public static final int LINK_DETACH = 34;
    public static final int ENABLE_STATS = 32;
    private static final int BPF_STATS_RUN_TIME = 0;

    public static final int ENOSPC = 28;
    private static final int EACCES = 13;
    private static final int EINVAL = 22;

    /** Larger than every field we set; the kernel accepts a shorter-or-longer attr whose tail is zero. */
    private static final int ATTR_SIZE = 160;
    private static final int OBJ_NAME_LEN = 16;
    private static final int LOG_SIZE = 1 << 20;
    private static final int LOG_TAIL_LINES = 12;

    private Bpf() {
    }

    private static MemorySegment attr(Arena arena) {
        return arena.allocate(ATTR_SIZE, 8);
    }

    private static int call(int cmd, MemorySegment attr, String what) throws ErrnoException {
        return Sys.bpf(cmd, attr).orThrow(what);
    }

    private static MemorySegment bytes(Arena arena, byte[] b) {
        MemorySegment s = arena.allocate(Math.max(1, b.length), 8);
        MemorySegment.copy(b, 0, s, JAVA_BYTE, 0, b.length);
        return s;
    }

    /** Writes a name the way the kernel accepts it: at most 15 bytes of [A-Za-z0-9_.], NUL-terminated. */
    private static void putObjName(MemorySegment attr, long offset, String name) {
        if (name == null) {
            return;
        }
        StringBuilder clean = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (clean.length() == OBJ_NAME_LEN - 1) {
                break;
            }
            clean.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' ? c : '_');
        }
        byte[] b = clean.toString().getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(b, 0, attr, JAVA_BYTE, offset, b.length);
    }

    private static String cString(MemorySegment seg, long offset, int max) {
        byte[] b = seg.asSlice(offset, max).toArray(JAVA_BYTE);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    // ---- programs ----

    /**
     * BPF_PROG_LOAD. On EACCES/EINVAL (the verifier's answers) the load is repeated with a verifier
     * log, and the log's last lines go into the exception message.
     */
    public static int progLoad(int progType, long[] insns, String license, String name, int expectedAttachType)
            throws ErrnoException {
        return progLoad(progType, insns, license, name, expectedAttachType, 0, new int[0]);
    }

    /**
     * BPF_PROG_LOAD with BTF func_info: {@code funcInfo} holds (insn_off, type_id) pairs, one per
     * function of the program, and {@code btfFd} the BTF they index (0 and an empty array: none).
     */
    public static int progLoad(int progType, long[] insns, String license, String name, int expectedAttachType,
                               int btfFd, int[] funcInfo) throws ErrnoException {
        String what = "BPF_PROG_LOAD(" + name + ", type " + progType + ", " + insns.length + " insns)";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment code = arena.allocate(JAVA_LONG, Math.max(1, insns.length)); // 0 insns: the kernel says EINVAL
            MemorySegment.copy(insns, 0, code, JAVA_LONG, 0, insns.length);
            MemorySegment lic = arena.allocateFrom(license == null ? "GPL" : license, StandardCharsets.US_ASCII);
            MemorySegment attr = attr(arena);
            attr.set(JAVA_INT, 0, progType);
            attr.set(JAVA_INT, 4, insns.length);
            attr.set(JAVA_LONG, 8, code.address());
            attr.set(JAVA_LONG, 16, lic.address());
            putObjName(attr, 48, name);
            attr.set(JAVA_INT, 68, expectedAttachType);
            if (btfFd > 0 && funcInfo.length > 0) {
                MemorySegment fi = arena.allocate(JAVA_INT, funcInfo.length);
                MemorySegment.copy(funcInfo, 0, fi, JAVA_INT, 0, funcInfo.length);
                attr.set(JAVA_INT, 72, btfFd);                  // prog_btf_fd
                attr.set(JAVA_INT, 76, 8);                      // func_info_rec_size
                attr.set(JAVA_LONG, 80, fi.address());          // func_info
                attr.set(JAVA_INT, 88, funcInfo.length / 2);    // func_info_cnt
            }
            Sys.Result r = Sys.bpf(PROG_LOAD, attr);
            if (!r.failed()) {
                return (int) r.value();
            }
            if (r.errno() != EACCES && r.errno() != EINVAL) {
                throw new ErrnoException(what, r.errno());
            }
            MemorySegment log = arena.allocate(LOG_SIZE);
            attr.set(JAVA_INT, 24, 1);                  // log_level
            attr.set(JAVA_INT, 28, LOG_SIZE);           // log_size
            attr.set(JAVA_LONG, 32, log.address());     // log_buf
            Sys.Result again = Sys.bpf(PROG_LOAD, attr);
            if (!again.failed()) {
                return (int) again.value();             // loads with a log too: accept it
            }
            // The first errno is the verifier's answer; the retry may only add ENOSPC for a full log.
            throw new ErrnoException(what, r.errno(), "verifier log tail:\n" + tail(cString(log, 0, LOG_SIZE)));
        }
    }

    private static String tail(String log) {
        String[] lines = log.strip().split("\n");
        return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - LOG_TAIL_LINES), lines.length));
    }

    /** The outcome of BPF_PROG_TEST_RUN. */
    public record TestRun(int retval, int durationNs, byte[] dataOut, byte[] ctxOut) {
    }

    /** BPF_PROG_TEST_RUN with a data buffer and an optional context ({@code ctxIn} null: none). */
    public static TestRun progTestRun(int progFd, byte[] dataIn, int dataOutSize, byte[] ctxIn, int ctxOutSize,
                                      int repeat) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = bytes(arena, dataIn);
            MemorySegment out = arena.allocate(Math.max(1, dataOutSize));
            MemorySegment a = attr(arena);
            a.set(JAVA_INT, 0, progFd);
            a.set(JAVA_INT, 8, dataIn.length);          // data_size_in
            a.set(JAVA_INT, 12, dataOutSize);           // data_size_out
            a.set(JAVA_LONG, 16, in.address());         // data_in
            a.set(JAVA_LONG, 24, dataOutSize == 0 ? 0 : out.address());
            a.set(JAVA_INT, 32, repeat);
            MemorySegment ctxOut = arena.allocate(Math.max(1, ctxOutSize));
            if (ctxIn != null) {
                MemorySegment ci = bytes(arena, ctxIn);
                a.set(JAVA_INT, 40, ctxIn.length);      // ctx_size_in
                a.set(JAVA_LONG, 48, ci.address());     // ctx_in
            }
            if (ctxOutSize > 0) {
                a.set(JAVA_INT, 44, ctxOutSize);        // ctx_size_out
                a.set(JAVA_LONG, 56, ctxOut.address()); // ctx_out
            }
            call(PROG_TEST_RUN, a, "BPF_PROG_TEST_RUN(prog fd " + progFd + ", " + dataIn.length + " bytes)");
            int outLen = Math.min(dataOutSize, a.get(JAVA_INT, 12));
            int ctxLen = Math.min(ctxOutSize, a.get(JAVA_INT, 44));
            return new TestRun(a.get(JAVA_INT, 4), a.get(JAVA_INT, 36),
                    out.asSlice(0, outLen).toArray(JAVA_BYTE), ctxOut.asSlice(0, ctxLen).toArray(JAVA_BYTE));
        }
    }

    // ---- maps ----

    /** BPF_MAP_CREATE (innerMapFd 0: none). */
    public static int mapCreate(int type, int keySize, int valueSize, int maxEntries, int flags, int innerMapFd,
                                String name) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = attr(arena);
            a.set(JAVA_INT, 0, type);
            a.set(JAVA_INT, 4, keySize);
            a.set(JAVA_INT, 8, valueSize);
            a.set(JAVA_INT, 12, maxEntries);
            a.set(JAVA_INT, 16, flags);
            a.set(JAVA_INT, 20, innerMapFd);
            putObjName(a, 28, name);
            return call(MAP_CREATE, a, "BPF_MAP_CREATE(" + name + ", type " + type + ", key " + keySize + ", value "
                    + valueSize + ", max " + maxEntries + ", flags 0x" + Integer.toHexString(flags) + ")");
        }
    }

    private static MemorySegment elemAttr(Arena arena, int mapFd, MemorySegment key, MemorySegment value, long flags) {
        MemorySegment a = attr(arena);
        a.set(JAVA_INT, 0, mapFd);
        a.set(JAVA_LONG, 8, key == null ? 0 : key.address());
        a.set(JAVA_LONG, 16, value == null ? 0 : value.address());
        a.set(JAVA_LONG, 24, flags);
        return a;
    }

    /** BPF_MAP_LOOKUP_ELEM into a buffer of {@code valueSize} bytes. */
    public static byte[] mapLookup(int mapFd, byte[] key, int valueSize) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Math.max(1, valueSize), 8);
            call(MAP_LOOKUP_ELEM, elemAttr(arena, mapFd, bytes(arena, key), value, 0),
                    "BPF_MAP_LOOKUP_ELEM(map fd " + mapFd + ")");
            return value.asSlice(0, valueSize).toArray(JAVA_BYTE);
        }
    }

    public static void mapUpdate(int mapFd, byte[] key, byte[] value, long flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(MAP_UPDATE_ELEM, elemAttr(arena, mapFd, bytes(arena, key), bytes(arena, value), flags),
                    "BPF_MAP_UPDATE_ELEM(map fd " + mapFd + ", flags " + flags + ")");
        }
    }

    public static void mapDelete(int mapFd, byte[] key) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            call(MAP_DELETE_ELEM, elemAttr(arena, mapFd, bytes(arena, key), null, 0),
                    "BPF_MAP_DELETE_ELEM(map fd " + mapFd + ")");
        }
    }

    /** BPF_MAP_GET_NEXT_KEY; {@code key} null asks for the first key; returns null at the end (ENOENT). */
    public static byte[] mapGetNextKey(int mapFd, byte[] key, int keySize) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment next = arena.allocate(Math.max(1, keySize), 8);
            Sys.Result r = Sys.bpf(MAP_GET_NEXT_KEY,
                    elemAttr(arena, mapFd, key == null ? null : bytes(arena, key), next, 0));
            if (r.failed()) {
                if (r.errno() == 2) {
                    return null;
                }
                throw new ErrnoException("BPF_MAP_GET_NEXT_KEY(map fd " + mapFd + ")", r.errno());
            }
            return next.asSlice(0, keySize).toArray(JAVA_BYTE);
        }
    }

    /** BPF_MAP_FREEZE: no more writes from user space (libbpf freezes .rodata). */
    public static void mapFreeze(int mapFd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = attr(arena);
            a.set(JAVA_INT, 0, mapFd);
            call(MAP_FREEZE, a, "BPF_MAP_FREEZE(map fd " + mapFd + ")");
        }
    }

    // ---- tcx attach ----

    /** BPF_PROG_ATTACH: attr 0 target_ifindex, 4 attach_bpf_fd, 8 attach_type, 12 attach_flags, 16 replace_bpf_fd, 20 relative_fd|id, 24 expected_revision. */
    public static void progAttach(int ifindex, int attachType, int progFd, int flags, int relative, int replaceFd,
                                  long expectedRevision) throws ErrnoException {
        attachCall(PROG_ATTACH, "BPF_PROG_ATTACH", ifindex, attachType, progFd, flags, relative, replaceFd, expectedRevision);
    }

    /** BPF_PROG_DETACH with the same layout as attach (replace_bpf_fd unused, left 0). */
    public static void progDetach(int ifindex, int attachType, int progFd, int flags, int relative,
                                  long expectedRevision) throws ErrnoException {
        attachCall(PROG_DETACH, "BPF_PROG_DETACH", ifindex, attachType, progFd, flags, relative, 0, expectedRevision);
    }

    private static void attachCall(int cmd, String name, int ifindex, int attachType, int progFd, int flags, int relative,
                                   int replaceFd, long expectedRevision) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = attr(arena);
            a.set(JAVA_INT, 0, ifindex);
            a.set(JAVA_INT, 4, progFd);
            a.set(JAVA_INT, 8, attachType);
            a.set(JAVA_INT, 12, flags);
            a.set(JAVA_INT, 16, replaceFd);
            a.set(JAVA_INT, 20, relative);
            a.set(JAVA_LONG, 24, expectedRevision);
            call(cmd, a, name + "(ifindex " + ifindex + ", attach type " + attachType + ", prog fd " + progFd
                    + ", flags 0x" + Integer.toHexString(flags) + ", relative " + relative
                    + (cmd == PROG_ATTACH ? ", replace fd " + replaceFd : "") + ", expected revision "
                    + expectedRevision + ")");
        }
    }

    /**
     * What BPF_PROG_QUERY wrote: {@code errno} is 0 or ENOSPC (then the arrays hold the first
     * {@code buffer} entries and {@code count} the real total).
     */
    public record Query(int errno, int attachFlags, int count, long revision, int[] progIds, int[] linkIds) {
    }

    /**
     * BPF_PROG_QUERY: 0 target_ifindex, 4 attach_type, 8 query_flags, 12 attach_flags (out),
     * 16 prog_ids ptr, 24 count (in/out), 32 prog_attach_flags ptr, 40 link_ids ptr,
     * 48 link_attach_flags ptr, 56 revision (out). {@code buffer} 0 passes no arrays.
     */
    public static Query progQuery(int ifindex, int attachType, int queryFlags, int buffer) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = attr(arena);
            MemorySegment progIds = arena.allocate(JAVA_INT, Math.max(1, buffer));
            MemorySegment linkIds = arena.allocate(JAVA_INT, Math.max(1, buffer));
            a.set(JAVA_INT, 0, ifindex);
            a.set(JAVA_INT, 4, attachType);
            a.set(JAVA_INT, 8, queryFlags);
            if (buffer > 0) {
                a.set(JAVA_LONG, 16, progIds.address());
                a.set(JAVA_LONG, 40, linkIds.address());
            }
            a.set(JAVA_INT, 24, buffer);
            Sys.Result r = Sys.bpf(PROG_QUERY, a);
            if (r.failed() && r.errno() != ENOSPC) {
                throw new ErrnoException("BPF_PROG_QUERY(ifindex " + ifindex + ", attach type " + attachType
                        + ", query flags 0x" + Integer.toHexString(queryFlags) + ", buffer " + buffer + ")", r.errno());
            }
            int count = a.get(JAVA_INT, 24);
            int filled = Math.min(count, buffer);
            return new Query(r.failed() ? r.errno() : 0, a.get(JAVA_INT, 12), count, a.get(JAVA_LONG, 56),
                    progIds.asSlice(0, 4L * filled).toArray(JAVA_INT), linkIds.asSlice(0, 4L * filled).toArray(JAVA_INT));
        }
    }

    // ---- links ----

    /** BPF_LINK_CREATE: 0 prog_fd, 4 target_ifindex, 8 attach_type, 12 flags, 16 tcx.relative_fd|id, 24 tcx.expected_revision. */
    public static int linkCreate(int progFd, int ifindex, int attachType, int flags, int relative,
                                 long expectedRevision) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = attr(arena);
            a.set(JAVA_INT, 0, progFd);
            a.set(JAVA_INT, 4, ifindex);
            a.set(JAVA_INT, 8, attachType);
            a.set(JAVA_INT, 12, flags);
            a.set(JAVA_INT, 16, relative);
            a.set(JAVA_LONG, 24, expectedRevision);
            return call(LINK_CREATE, a, "BPF_LINK_CREATE(prog fd " + progFd + ", ifindex " + ifindex
                    + ", attach type " + attachType + ", flags 0x" + Integer.toHexString(flags) + ", relative "
                    + relative + ", expected revision " + expectedRevision + ")");
        }
    }

    /** BPF_LINK_UPDATE: 0 link_fd, 4 new_prog_fd, 8 flags, 12 old_prog_fd. */
    public static void linkUpdate(int linkFd, int newProgFd, int flags, int oldProgFd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = attr(arena);
            a.set(JAVA_INT, 0, linkFd);
            a.set(JAVA_INT, 4, newProgFd);
            a.set(JAVA_INT, 8, flags);
            a.set(JAVA_INT, 12, oldProgFd);
            call(LINK_UPDATE, a, "BPF_LINK_UPDATE(link fd " + linkFd + ", new prog fd " + newProgFd + ", flags 0x"
                    + Integer.toHexString(flags) + ", old prog fd " + oldProgFd + ")");
        }
    }

    public static void linkDetach(int linkFd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = attr(arena);
            a.set(JAVA_INT, 0, linkFd);
            call(LINK_DETACH, a, "BPF_LINK_DETACH(link fd " + linkFd + ")");
        }
    }

    // ---- pins and ids ----

    /** BPF_OBJ_PIN: 0 pathname ptr, 8 bpf_fd. */
    public static void objPin(int fd, String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            MemorySegment a = attr(arena);
            a.set(JAVA_LONG, 0, p.address());
            a.set(JAVA_INT, 8, fd);
            call(OBJ_PIN, a, "BPF_OBJ_PIN(fd " + fd + ", " + path + ")");
        }
    }

    /** BPF_OBJ_GET: 0 pathname ptr, 12 file_flags. */
    public static int objGet(String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            MemorySegment a = attr(arena);
            a.set(JAVA_LONG, 0, p.address());
            return call(OBJ_GET, a, "BPF_OBJ_GET(" + path + ")");
        }
    }

    private static int fdById(int cmd, String name, int id) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = attr(arena);
            a.set(JAVA_INT, 0, id);
            return call(cmd, a, name + "(id " + id + ")");
        }
    }

    public static int progGetFdById(int id) throws ErrnoException {
        return fdById(PROG_GET_FD_BY_ID, "BPF_PROG_GET_FD_BY_ID", id);
    }

    public static int mapGetFdById(int id) throws ErrnoException {
        return fdById(MAP_GET_FD_BY_ID, "BPF_MAP_GET_FD_BY_ID", id);
    }

    public static int linkGetFdById(int id) throws ErrnoException {
        return fdById(LINK_GET_FD_BY_ID, "BPF_LINK_GET_FD_BY_ID", id);
    }

    // ---- info ----

    private static MemorySegment info(Arena arena, int fd, int size, String what) throws ErrnoException {
        MemorySegment info = arena.allocate(size, 8);
        MemorySegment a = attr(arena);
        a.set(JAVA_INT, 0, fd);
        a.set(JAVA_INT, 4, size);
        a.set(JAVA_LONG, 8, info.address());
        call(OBJ_GET_INFO_BY_FD, a, "BPF_OBJ_GET_INFO_BY_FD(" + what + " fd " + fd + ")");
        return info;
    }

    /** The bpf_prog_info fields tcxsim reads. */
    public record ProgInfo(int type, int id, String name, long runTimeNs, long runCount) {
    }

    /** bpf_prog_info: 0 type, 4 id, 64 name[16], 192 run_time_ns, 200 run_cnt (size 232 in 6.x). */
    public static ProgInfo progInfo(int progFd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = info(arena, progFd, 232, "prog");
            return new ProgInfo(i.get(JAVA_INT, 0), i.get(JAVA_INT, 4), cString(i, 64, OBJ_NAME_LEN),
                    i.get(JAVA_LONG, 192), i.get(JAVA_LONG, 200));
        }
    }

    /** The bpf_link_info fields of a tcx link. */
    public record LinkInfo(int type, int id, int progId, int ifindex, int attachType) {
    }

    /** bpf_link_info: 0 type, 4 id, 8 prog_id, union at 16: tcx {16 ifindex, 20 attach_type}. */
    public static LinkInfo linkInfo(int linkFd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = info(arena, linkFd, 48, "link");
            return new LinkInfo(i.get(JAVA_INT, 0), i.get(JAVA_INT, 4), i.get(JAVA_INT, 8), i.get(JAVA_INT, 16),
                    i.get(JAVA_INT, 20));
        }
    }

    /** The bpf_map_info fields tcxsim reads. */
    public record MapInfo(int type, int id, int keySize, int valueSize, int maxEntries, int flags, String name) {
    }

    /** bpf_map_info: 0 type, 4 id, 8 key_size, 12 value_size, 16 max_entries, 20 map_flags, 24 name[16]. */
    public static MapInfo mapInfo(int mapFd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = info(arena, mapFd, 88, "map");
            return new MapInfo(i.get(JAVA_INT, 0), i.get(JAVA_INT, 4), i.get(JAVA_INT, 8), i.get(JAVA_INT, 12),
                    i.get(JAVA_INT, 16), i.get(JAVA_INT, 20), cString(i, 24, OBJ_NAME_LEN));
        }
    }

    /**
     * BPF_ENABLE_STATS(BPF_STATS_RUN_TIME): while the returned fd is open the kernel counts run_cnt
     * and run_time_ns of every program; closing it turns counting off again (unless others hold one).
     */
    public static int enableStats() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = attr(arena);
            a.set(JAVA_INT, 0, BPF_STATS_RUN_TIME);
            return call(ENABLE_STATS, a, "BPF_ENABLE_STATS(BPF_STATS_RUN_TIME)");
        }
    }

    // ---- BTF ----

    /** BPF_BTF_LOAD: 0 btf ptr, 8 btf_log_buf, 16 btf_size, 20 btf_log_size, 24 btf_log_level. */
    public static int btfLoad(byte[] btf) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = bytes(arena, btf);
            MemorySegment a = attr(arena);
            a.set(JAVA_LONG, 0, data.address());
            a.set(JAVA_INT, 16, btf.length);
            Sys.Result r = Sys.bpf(BTF_LOAD, a);
            if (!r.failed()) {
                return (int) r.value();
            }
            MemorySegment log = arena.allocate(LOG_SIZE);
            a.set(JAVA_LONG, 8, log.address());
            a.set(JAVA_INT, 20, LOG_SIZE);
            a.set(JAVA_INT, 24, 1);
            Sys.Result again = Sys.bpf(BTF_LOAD, a);
            if (!again.failed()) {
                return (int) again.value();
            }
            throw new ErrnoException("BPF_BTF_LOAD(" + btf.length + " bytes)", r.errno(),
                    "BTF log tail:\n" + tail(cString(log, 0, LOG_SIZE)));
        }
    }
}
