package dev.tcxsim.linux;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.LinkInfo;
import dev.tcxsim.kernel.LoadedObjectFds;
import dev.tcxsim.kernel.ProgInfo;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.linux.ffm.Bpf;
import dev.tcxsim.linux.ffm.ErrnoException;
import dev.tcxsim.linux.ffm.Sys;
import dev.tcxsim.tcx.Errno;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.elf.ProgramSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One "process" of a {@link LinuxKernel}: the fds it opened. The JVM has a single real fd table, so
 * an fd of another process (or one already closed) is handed to the kernel as a number no table
 * holds, and the kernel answers EBADF at exactly the point where it checks that argument.
 */
final class LinuxBpfProcess implements BpfProcess {
    /** Never open in any process: fd lookups fail with EBADF. */
    private static final int CLOSED_FD = Integer.MAX_VALUE;
    private static final int BPF_F_ID = 1 << 5;
    private static final int LD_IMM64 = 0x18;
    private static final int PSEUDO_MAP_FD = 1;
    private static final int PSEUDO_MAP_VALUE = 2;
    private static final int PIN_BY_NAME = 1;

    private final LinuxKernel kernel;
    private final String name;
    private final Set<Integer> fds = new LinkedHashSet<>();
    private boolean exited;

    LinuxBpfProcess(LinuxKernel kernel, String name) {
        this.kernel = kernel;
        this.name = name;
    }

    LinuxKernel kernel() {
        return kernel;
    }

    @Override
    public String name() {
        return name;
    }

    /** The number to give the kernel for this process's {@code fd}: itself if open here, else a closed one. */
    synchronized int kernelFd(int fd) {
        if (fd <= 0 || fds.contains(fd)) {
            return fd;
        }
        return CLOSED_FD;
    }

    private int relative(int flags, int relativeFdOrId) {
        return (flags & BPF_F_ID) != 0 ? relativeFdOrId : kernelFd(relativeFdOrId);
    }

    private synchronized int adopt(int fd) {
        if (exited) {
            Sys.close(fd);
            throw new IllegalStateException("process " + name + " has exited");
        }
        fds.add(fd);
        kernel.session().track(fd);
        return fd;
    }

    private <T> T run(NetnsSession.Work<T> work) throws BpfException {
        synchronized (this) {
            if (exited) {
                throw new BpfException(Errno.EBADF, "process " + name + " has exited");
            }
        }
        return kernel.run(work);
    }

    // ---- programs and maps ----

    @Override
    public int progLoad(ProgramSpec spec, int[] mapFdsByIndex) throws BpfException {
        return progLoad(spec, mapFdsByIndex, "GPL", null);
    }

    /** The object's BTF loaded into the kernel, and its FUNC ids by name, for func_info. */
    private record ObjectBtf(int fd, Map<String, Integer> funcIds) {
        /** (insn_off, type_id) pairs for the program, or an empty array when a function has no BTF. */
        int[] funcInfo(ProgramSpec spec) {
            int[] out = new int[2 * spec.funcInfo().size()];
            for (int i = 0; i < spec.funcInfo().size(); i++) {
                Integer id = funcIds.get(spec.funcInfo().get(i).name());
                if (id == null) {
                    return new int[0];
                }
                out[2 * i] = spec.funcInfo().get(i).insnOffset();
                out[2 * i + 1] = id;
            }
            return out;
        }
    }

    private int progLoad(ProgramSpec spec, int[] mapFdsByIndex, String license, ObjectBtf btf) throws BpfException {
        if (spec == null || spec.insns() == null) {
            throw new BpfException(Errno.EFAULT, "BPF_PROG_LOAD: no program (null spec or instructions)");
        }
        long[] insns = spec.insns().clone();
        boolean[] relocated = new boolean[insns.length];
        for (var r : spec.relocations()) {
            if (r.insnIndex() < 0 || r.insnIndex() + 1 >= insns.length) {
                throw new BpfException(Errno.EINVAL, "program " + spec.name() + ": relocation at instruction "
                        + r.insnIndex() + " is outside its " + insns.length + " instructions");
            }
            if (mapFdsByIndex == null || r.mapIndex() < 0 || r.mapIndex() >= mapFdsByIndex.length) {
                throw new BpfException(Errno.EINVAL, "program " + spec.name() + ": instruction " + r.insnIndex()
                        + " refers to map index " + r.mapIndex() + " but " + (mapFdsByIndex == null ? 0 : mapFdsByIndex.length)
                        + " map fds were given");
            }
            insns[r.insnIndex()] = withImm(insns[r.insnIndex()], kernelFd(mapFdsByIndex[r.mapIndex()]));
            relocated[r.insnIndex()] = true;
        }
        // Raw instructions may carry this process's map fds directly, as bpf(2) takes them.
        for (int i = 0; i + 1 < insns.length; i++) {
            int op = (int) (insns[i] & 0xff);
            int src = (int) ((insns[i] >>> 12) & 0xf);
            if (op == LD_IMM64 && !relocated[i] && (src == PSEUDO_MAP_FD || src == PSEUDO_MAP_VALUE)) {
                insns[i] = withImm(insns[i], kernelFd((int) (insns[i] >>> 32)));
            }
            if (op == LD_IMM64) {
                i++;
            }
        }
        int btfFd = btf == null ? 0 : kernelFd(btf.fd());
        int[] funcInfo = btf == null ? new int[0] : btf.funcInfo(spec);
        return run(() -> adopt(Bpf.progLoad(spec.progType(), insns, license, spec.name(), spec.expectedAttachType(),
                btfFd, funcInfo)));
    }

    private static long withImm(long insn, int imm) {
        return (insn & 0xFFFFFFFFL) | ((long) imm << 32);
    }

    @Override
    public LoadedObjectFds loadObject(BpfObject obj) throws BpfException {
        if (obj == null) {
            throw new BpfException(Errno.EFAULT, "loadObject: no object (null)");
        }
        Set<Integer> before;
        synchronized (this) {
            before = Set.copyOf(fds);
        }
        try {
            return loadAll(obj);
        } catch (BpfException | RuntimeException e) {
            // Like bpf_object__load: a failed load leaves none of its maps or programs open.
            List<Integer> opened;
            synchronized (this) {
                opened = fds.stream().filter(fd -> !before.contains(fd)).toList();
                opened.forEach(fds::remove);
            }
            opened.forEach(kernel::closeTracked);
            throw e;
        }
    }

    private LoadedObjectFds loadAll(BpfObject obj) throws BpfException {
        List<MapSpec> maps = obj.maps();
        int[] mapFds = new int[maps.size()];
        Map<String, Integer> mapsByName = new LinkedHashMap<>();
        for (int i = 0; i < maps.size(); i++) {
            if (mapFds[i] == 0) {
                mapFds[i] = createObjectMap(maps, i, mapFds, 0);
            }
            mapsByName.put(maps.get(i).name(), mapFds[i]);
        }
        ObjectBtf btf = loadBtf(obj);
        Map<String, Integer> progs = new LinkedHashMap<>();
        for (ProgramSpec p : obj.programs()) {
            progs.put(p.name(), progLoad(p, mapFds, obj.license() == null ? "GPL" : obj.license(), btf));
        }
        for (int i = 0; i < maps.size(); i++) {
            for (var slot : maps.get(i).initialProgSlots().entrySet()) {
                Integer progFd = progs.get(slot.getValue());
                if (progFd == null) {
                    throw new BpfException(Errno.EINVAL, "map " + maps.get(i).name() + " slot " + slot.getKey()
                            + " names program '" + slot.getValue() + "', which the object does not have");
                }
                mapUpdate(mapFds[i], le32(slot.getKey()), le32(progFd), 0);
            }
        }
        return new LoadedObjectFds(mapsByName, progs);
    }

    /**
     * The object's BTF for func_info, when some program has sub-programs (the verifier needs func_info
     * for callbacks); null when there is none to give or the kernel refuses it: programs then load
     * without func_info, as they would from an object without BTF.
     */
    private ObjectBtf loadBtf(BpfObject obj) throws BpfException {
        boolean wanted = obj.programs().stream().anyMatch(p -> p.funcInfo().size() > 1);
        if (obj.btf() == null || !wanted) {
            return null;
        }
        BtfForKernel.Result rewritten;
        try {
            rewritten = BtfForKernel.rewrite(obj.btf());
        } catch (IllegalArgumentException e) {
            return null;
        }
        try {
            int fd = run(() -> adopt(Bpf.btfLoad(rewritten.btf())));
            return new ObjectBtf(fd, rewritten.funcIds());
        } catch (BpfException e) {
            return null;
        }
    }

    /** Creates (or, for a pinned-by-name map that exists, reopens) map i of an object, like libbpf. */
    private int createObjectMap(List<MapSpec> maps, int i, int[] created, int depth) throws BpfException {
        MapSpec m = maps.get(i);
        if (depth > maps.size()) {
            throw new BpfException(Errno.EINVAL, "map " + m.name() + ": its inner maps form a cycle");
        }
        if (m.pinning() == PIN_BY_NAME) {
            Path pin = pinPath(m.name());
            if (run(() -> Files.exists(pin))) {
                return objGet(m.name());
            }
        }
        int inner = 0;
        if (m.innerMapIndex() >= 0) {
            if (m.innerMapIndex() >= maps.size() || m.innerMapIndex() == i) {
                throw new BpfException(Errno.EINVAL, "map " + m.name() + " names inner map index " + m.innerMapIndex()
                        + " of " + maps.size());
            }
            if (created[m.innerMapIndex()] == 0) {
                created[m.innerMapIndex()] = createObjectMap(maps, m.innerMapIndex(), created, depth + 1);
            }
            inner = created[m.innerMapIndex()];
        }
        int innerFd = inner;
        int fd = run(() -> adopt(Bpf.mapCreate(m.type(), m.keySize(), m.valueSize(), m.maxEntries(), m.flags(),
                innerFd, m.name())));
        if (m.kind() == MapSpec.Kind.GLOBAL_DATA && m.initialData() != null) {
            mapUpdate(fd, le32(0), m.initialData(), 0);
            if (m.name().startsWith(".rodata")) {
                run(() -> {
                    Bpf.mapFreeze(fd);
                    return null;
                });
            }
        }
        if (m.pinning() == PIN_BY_NAME) {
            objPin(fd, m.name());
        }
        return fd;
    }

    private static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    @Override
    public int mapCreate(MapSpec spec) throws BpfException {
        if (spec == null) {
            throw new BpfException(Errno.EFAULT, "BPF_MAP_CREATE: no map spec (null)");
        }
        if (spec.innerMapIndex() >= 0) {
            throw new BpfException(Errno.EINVAL, "map " + spec.name()
                    + " is a map-in-map: create it through loadObject, which creates its inner map first");
        }
        return run(() -> adopt(Bpf.mapCreate(spec.type(), spec.keySize(), spec.valueSize(), spec.maxEntries(),
                spec.flags(), 0, spec.name())));
    }

    /** A map's type and sizes from /proc/self/fdinfo; null when the fd is not an open map. */
    private record MapShape(int type, int keySize, int valueSize) {
        /** The bytes one value takes in user space: per-CPU maps hold one 8-byte-aligned value per possible CPU. */
        int valueBytes() {
            return switch (type) {
                case 5, 6, 10, 21 -> ((valueSize + 7) & ~7) * PossibleCpus.count();
                default -> valueSize;
            };
        }
    }

    private static MapShape shape(int fd) {
        Map<String, Integer> fields = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo", Integer.toString(fd)))) {
                String[] kv = line.split(":\\s*", 2);
                if (kv.length == 2 && kv[1].matches("\\d+")) {
                    fields.put(kv[0], Integer.parseInt(kv[1]));
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
        Integer type = fields.get("map_type");
        Integer key = fields.get("key_size");
        Integer value = fields.get("value_size");
        return type == null || key == null || value == null ? null : new MapShape(type, key, value);
    }

    /**
     * bpf(2) reads key_size and value_size bytes from the caller's pointers; a Java array of another
     * length is rejected with EINVAL before the call. A bad fd or a non-map fd goes to the kernel,
     * which rejects it before reading any pointer.
     */
    private static void checkSizes(String call, MapShape m, byte[] key, byte[] value, boolean needsValue)
            throws BpfException {
        if (m == null) {
            return;
        }
        if (key == null || key.length != m.keySize()) {
            throw new BpfException(Errno.EINVAL, call + ": the map has " + m.keySize() + "-byte keys, got "
                    + (key == null ? "null" : key.length + " bytes"));
        }
        if (needsValue && (value == null || value.length != m.valueBytes())) {
            throw new BpfException(Errno.EINVAL, call + ": the map has " + m.valueBytes() + "-byte values, got "
                    + (value == null ? "null" : value.length + " bytes"));
        }
    }

    private static byte[] orEmpty(byte[] b) {
        return b == null ? new byte[0] : b;
    }

    @Override
    public byte[] mapNextKey(int mapFd, byte[] key) throws BpfException {
        int fd = kernelFd(mapFd);
        MapShape m = shape(fd);
        if (key != null) {
            checkSizes("BPF_MAP_GET_NEXT_KEY", m, key, null, false);
        }
        int keySize = m != null ? m.keySize() : key != null ? key.length : 0;
        return run(() -> Bpf.mapGetNextKey(fd, key, keySize));
    }

    @Override
    public byte[] mapLookup(int mapFd, byte[] key) throws BpfException {
        int fd = kernelFd(mapFd);
        MapShape m = shape(fd);
        checkSizes("BPF_MAP_LOOKUP_ELEM", m, key, null, false);
        return run(() -> Bpf.mapLookup(fd, orEmpty(key), m == null ? 0 : m.valueBytes()));
    }

    @Override
    public void mapUpdate(int mapFd, byte[] key, byte[] value, long flags) throws BpfException {
        int fd = kernelFd(mapFd);
        checkSizes("BPF_MAP_UPDATE_ELEM", shape(fd), key, value, true);
        run(() -> {
            Bpf.mapUpdate(fd, orEmpty(key), orEmpty(value), flags);
            return null;
        });
    }

    @Override
    public void mapDelete(int mapFd, byte[] key) throws BpfException {
        int fd = kernelFd(mapFd);
        checkSizes("BPF_MAP_DELETE_ELEM", shape(fd), key, null, false);
        run(() -> {
            Bpf.mapDelete(fd, orEmpty(key));
            return null;
        });
    }

    // ---- tcx ----

    @Override
    public void progAttach(int ifindex, int attachType, int progFd, int flags, int relativeFdOrId, int replaceProgFd,
                           long expectedRevision) throws BpfException {
        int prog = kernelFd(progFd);
        int rel = relative(flags, relativeFdOrId);
        int replace = kernelFd(replaceProgFd);
        run(() -> {
            Bpf.progAttach(ifindex, attachType, prog, flags, rel, replace, expectedRevision);
            return null;
        });
    }

    @Override
    public void progDetach(int ifindex, int attachType, int progFd, int flags, int relativeFdOrId,
                           long expectedRevision) throws BpfException {
        int prog = kernelFd(progFd);
        int rel = relative(flags, relativeFdOrId);
        run(() -> {
            Bpf.progDetach(ifindex, attachType, prog, flags, rel, expectedRevision);
            return null;
        });
    }

    @Override
    public QueryResult progQuery(int ifindex, int attachType, int queryFlags, int count) throws BpfException {
        if (count < 0) {
            throw new BpfException(Errno.EINVAL, "query buffer size " + count + " is negative");
        }
        Bpf.Query q = run(() -> Bpf.progQuery(ifindex, attachType, queryFlags, count));
        return new QueryResult(q.errno(), q.attachFlags(), q.count(), q.revision(), q.progIds(), q.linkIds());
    }

    @Override
    public int linkCreate(int progFd, int ifindex, int attachType, int flags, int relativeFdOrId,
                          long expectedRevision) throws BpfException {
        int prog = kernelFd(progFd);
        int rel = relative(flags, relativeFdOrId);
        return run(() -> adopt(Bpf.linkCreate(prog, ifindex, attachType, flags, rel, expectedRevision)));
    }

    @Override
    public void linkUpdate(int linkFd, int newProgFd, int flags, int oldProgFd) throws BpfException {
        int link = kernelFd(linkFd);
        int prog = kernelFd(newProgFd);
        int old = kernelFd(oldProgFd);
        run(() -> {
            Bpf.linkUpdate(link, prog, flags, old);
            return null;
        });
    }

    @Override
    public void linkDetach(int linkFd) throws BpfException {
        int link = kernelFd(linkFd);
        run(() -> {
            Bpf.linkDetach(link);
            return null;
        });
    }

    @Override
    public LinkInfo linkInfo(int linkFd) throws BpfException {
        int link = kernelFd(linkFd);
        Bpf.LinkInfo i = run(() -> Bpf.linkInfo(link));
        return new LinkInfo(i.id(), i.type(), i.progId(), i.ifindex(), i.attachType());
    }

    @Override
    public ProgInfo progInfo(int progFd) throws BpfException {
        int prog = kernelFd(progFd);
        Bpf.ProgInfo i = run(() -> Bpf.progInfo(prog));
        return new ProgInfo(i.id(), i.type(), i.name(), i.runCount());
    }

    @Override
    public int progGetFdById(int id) throws BpfException {
        return run(() -> adopt(Bpf.progGetFdById(id)));
    }

    @Override
    public int linkGetFdById(int id) throws BpfException {
        return run(() -> adopt(Bpf.linkGetFdById(id)));
    }

    // ---- bpffs ----

    private Path pinPath(String path) throws BpfException {
        if (path == null || path.isEmpty() || path.startsWith("/")) {
            throw new BpfException(Errno.EINVAL, "pin path '" + path + "' must be relative to the session's bpffs root");
        }
        Path root = kernel.session().bpffs();
        Path p = root.resolve(path).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new BpfException(Errno.EINVAL, "pin path '" + path + "' leaves the session's bpffs root");
        }
        return p;
    }

    @Override
    public void objPin(int fd, String path) throws BpfException {
        int k = kernelFd(fd);
        Path p = pinPath(path);
        run(() -> {
            Bpf.objPin(k, p.toString());
            return null;
        });
    }

    @Override
    public int objGet(String path) throws BpfException {
        Path p = pinPath(path);
        return run(() -> adopt(Bpf.objGet(p.toString())));
    }

    @Override
    public void unpin(String path) throws BpfException {
        Path p = pinPath(path);
        run(() -> {
            Sys.unlink(p.toString());
            return null;
        });
    }

    // ---- fds ----

    @Override
    public void close(int fd) throws BpfException {
        synchronized (this) {
            if (!fds.remove(fd)) {
                throw new BpfException(Errno.EBADF, "close(" + fd + "): fd " + fd + " is not open in process " + name);
            }
        }
        kernel.closeTracked(fd);
    }

    @Override
    public void exit() {
        List<Integer> open;
        synchronized (this) {
            if (exited) {
                return;
            }
            exited = true;
            open = List.copyOf(fds);
            fds.clear();
        }
        for (int fd : open) {
            kernel.closeTracked(fd);
        }
    }

    /** The fds this process holds (for tests and diagnostics). */
    synchronized Set<Integer> openFds() {
        return Set.copyOf(fds);
    }
}
