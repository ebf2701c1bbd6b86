package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.LinkInfo;
import dev.tcxsim.kernel.LoadedObjectFds;
import dev.tcxsim.kernel.ProgInfo;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.tcx.Errno;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.elf.Relocation;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.maps.MapException;
import dev.tcxsim.vm.maps.ProgArrayMap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One process of the simulated kernel: an fd table (0, 1 and 2 are its stdio, not BPF objects),
 * and the bpf(2) commands, each checking its arguments in the kernel's order.
 */
final class SimProcess implements BpfProcess {
    private static final Object STDIO = new Object() {
        @Override
        public String toString() {
            return "stdio";
        }
    };
    private static final int LD_IMM64 = 0x18;
    private static final int PSEUDO_MAP_FD = 1;
    private static final int PSEUDO_MAP_VALUE = 2;

    final SimKernel kernel;
    private final String name;
    final TreeMap<Integer, Object> fds = new TreeMap<>();
    private boolean exited;
    private final TcxSyscalls tcx;

    SimProcess(SimKernel kernel, String name) {
        this.kernel = kernel;
        this.name = name;
        this.tcx = new TcxSyscalls(this);
        for (int i = 0; i < 3; i++) {
            fds.put(i, STDIO);
        }
    }

    @Override
    public String name() {
        return name;
    }

    // ---- fd table ----

    int install(KObject o) {
        int fd = 0;
        while (fds.containsKey(fd)) {
            fd++;
        }
        fds.put(fd, o);
        return fd;
    }

    private Object fd(int fd, String what) throws BpfException {
        Object o = fds.get(fd);
        if (o == null) {
            throw new BpfException(Errno.EBADF, what + ": fd " + fd + " is not open in process " + name);
        }
        return o;
    }

    /** bpf_prog_get: EBADF / EINVAL. */
    SimProg progOfFd(int fd, String what) throws BpfException {
        if (fd(fd, what) instanceof SimProg p) {
            return p;
        }
        throw new BpfException(Errno.EINVAL, what + ": fd " + fd + " is not a BPF program");
    }

    /** bpf_prog_get_type: EBADF / EINVAL (not a program, or another type). */
    SimProg progOfFd(int fd, int type, String what) throws BpfException {
        SimProg p = progOfFd(fd, what);
        if (p.type != type) {
            throw new BpfException(Errno.EINVAL, what + ": " + p + " has program type " + p.type + ", not " + type);
        }
        return p;
    }

    private SimMap mapOfFd(int fd, String what) throws BpfException {
        if (fd(fd, what) instanceof SimMap m) {
            return m;
        }
        throw new BpfException(Errno.EINVAL, what + ": fd " + fd + " is not a BPF map");
    }

    SimLink linkOfFd(int fd, String what) throws BpfException {
        if (fd(fd, what) instanceof SimLink l) {
            return l;
        }
        throw new BpfException(Errno.EINVAL, what + ": fd " + fd + " is not a BPF link");
    }

    void alive() {
        if (exited) {
            throw new IllegalStateException("process " + name + " has exited");
        }
    }

    // ---- programs and maps ----

    @Override
    public int progLoad(ProgramSpec spec, int[] mapFdsByIndex) throws BpfException {
        synchronized (kernel.rtnl) {
            alive();
            if (spec == null || spec.insns() == null || spec.insns().length == 0) {
                throw new BpfException(Errno.EINVAL, "BPF_PROG_LOAD: a program needs at least one instruction");
            }
            String progName = spec.name() == null ? "" : spec.name();
            for (char c : progName.toCharArray()) {
                if (!Character.isLetterOrDigit(c) && c != '_' && c != '.') {
                    throw new BpfException(Errno.EINVAL, "BPF_PROG_LOAD: program name '" + progName
                            + "' may only hold letters, digits, '_' and '.'");
                }
            }
            if (progName.length() > SimProg.NAME_MAX) {
                progName = progName.substring(0, SimProg.NAME_MAX);
            }
            List<SimMap> used = new ArrayList<>();
            int[] given = mapFdsByIndex == null ? new int[0] : mapFdsByIndex;
            for (Relocation r : spec.relocations()) {
                if (r.mapIndex() < 0 || r.mapIndex() >= given.length) {
                    throw new BpfException(Errno.EINVAL, "BPF_PROG_LOAD: instruction " + r.insnIndex() + " refers to map index "
                            + r.mapIndex() + " but " + given.length + " map fds were given");
                }
            }
            for (int fd : given) {
                used.add(mapOfFd(fd, "BPF_PROG_LOAD map"));
            }
            ProgramSpec linked = withRawMapFds(spec, used);
            List<BpfMap> vmMaps = used.stream().map(m -> m.map).toList();
            ProgramRuntime.Executable exec;
            try {
                exec = kernel.runtime.load(linked, vmMaps);
            } catch (VerifierException e) {
                throw new BpfException(Errno.EACCES, "BPF_PROG_LOAD: the verifier refused " + progName + ": " + e.getMessage());
            }
            int id = kernel.nextProgId();
            for (SimMap m : used) {
                m.get();
            }
            SimProg p = new SimProg(id, spec.progType(), progName, linked, used, exec, () -> kernel.progs.remove(id));
            kernel.progs.put(id, p);
            p.get();
            return install(p);
        }
    }

    /**
     * bpf(2) takes map fds inside LD_IMM64 (src_reg PSEUDO_MAP_FD / PSEUDO_MAP_VALUE): turn each
     * into a relocation against {@code used}, which grows by the maps found this way.
     */
    private ProgramSpec withRawMapFds(ProgramSpec spec, List<SimMap> used) throws BpfException {
        long[] insns = spec.insns().clone();
        List<Relocation> relocs = new ArrayList<>(spec.relocations());
        java.util.Set<Integer> relocated = new java.util.HashSet<>();
        for (Relocation r : spec.relocations()) {
            relocated.add(r.insnIndex());
        }
        boolean changed = false;
        for (int i = 0; i < insns.length; i++) {
            long insn = insns[i];
            int op = (int) (insn & 0xff);
            if (op != LD_IMM64) {
                continue;
            }
            int src = (int) ((insn >>> 12) & 0xf);
            if ((src == PSEUDO_MAP_FD || src == PSEUDO_MAP_VALUE) && !relocated.contains(i)) {
                int fd = (int) (insn >> 32);
                SimMap m = mapOfFd(fd, "LD_IMM64 at instruction " + i);
                int idx = used.indexOf(m);
                if (idx < 0) {
                    used.add(m);
                    idx = used.size() - 1;
                }
                int offset = src == PSEUDO_MAP_VALUE && i + 1 < insns.length ? (int) (insns[i + 1] >> 32) : 0;
                relocs.add(new Relocation(i, src == PSEUDO_MAP_FD ? Relocation.Kind.MAP_FD : Relocation.Kind.MAP_VALUE, idx, offset));
                insns[i] = insn & 0xffffffffL;
                changed = true;
            }
            i++;
        }
        if (!changed) {
            return spec;
        }
        return new ProgramSpec(spec.name(), spec.section(), spec.progType(), spec.expectedAttachType(), insns, relocs,
                spec.funcInfo(), spec.lineInfo(), spec.poisoned(), spec.kfuncCalls()); // keep what the loader found
    }

    @Override
    public LoadedObjectFds loadObject(BpfObject obj) throws BpfException {
        Map<String, Integer> mapFds = new LinkedHashMap<>();
        Map<String, Integer> progFds = new LinkedHashMap<>();
        int[] byIndex = new int[obj.maps().size()];
        List<String> pinnedHere = new ArrayList<>();
        try {
            List<BpfMap> created = new java.util.ArrayList<>();
            boolean[] fresh = new boolean[byIndex.length];
            for (int i = 0; i < byIndex.length; i++) {
                MapSpec ms = obj.maps().get(i);
                Integer reused = ms.pinning() == 1 ? reusePinned(obj, ms) : null; // LIBBPF_PIN_BY_NAME
                fresh[i] = reused == null;
                byIndex[i] = reused != null ? reused : mapCreate(ms, obj.maps()); // maps of maps: inner template
                if (fresh[i] && ms.pinning() == 1) {
                    objPin(byIndex[i], pinByName(obj, ms));
                    pinnedHere.add(pinByName(obj, ms));
                }
                mapFds.put(ms.name(), byIndex[i]);
                synchronized (kernel.rtnl) {
                    created.add(mapOfFd(byIndex[i], "BPF_MAP_CREATE").map);
                }
            }
            try {
                dev.tcxsim.vm.maps.MapOfMaps.fillInitialSlots(obj.maps(), created, i -> fresh[i]); // __array(values, ...)
            } catch (MapException e) {
                throw mapError("BPF_MAP_UPDATE_ELEM (initial inner maps)", e);
            }
            for (ProgramSpec ps : obj.programs()) {
                progFds.put(ps.name(), progLoad(ps, byIndex));
            }
            for (int i = 0; i < byIndex.length; i++) {
                for (Map.Entry<Integer, String> slot : obj.maps().get(i).initialProgSlots().entrySet()) {
                    Integer progFd = progFds.get(slot.getValue());
                    if (progFd == null) {
                        throw new BpfException(Errno.EINVAL, "map " + obj.maps().get(i).name() + " slot " + slot.getKey()
                                + " names program '" + slot.getValue() + "', which the object does not have");
                    }
                    mapUpdate(byIndex[i], le32(slot.getKey()), le32(progFd), 0);
                }
            }
        } catch (BpfException | RuntimeException e) {
            // Like bpf_object__load (and LinuxBpfProcess): a failed load leaves no fds and no new pins behind.
            for (String path : pinnedHere) {
                try {
                    unpin(path);
                } catch (BpfException ignored) {
                    // someone unpinned it already
                }
            }
            for (int fd : progFds.values()) {
                closeQuietly(fd);
            }
            for (int fd : mapFds.values()) {
                closeQuietly(fd);
            }
            throw e;
        }
        return new LoadedObjectFds(mapFds, progFds);
    }

    /** libbpf's pin path of a map pinned by name: the object's pin root (default /sys/fs/bpf) and the map's name. */
    private static String pinByName(BpfObject obj, MapSpec ms) {
        String root = obj.pinRootPath() == null || obj.pinRootPath().isEmpty() ? "/sys/fs/bpf" : obj.pinRootPath();
        return dev.tcxsim.vm.maps.MapPins.pathOf(root, ms.name());
    }

    /**
     * libbpf's bpf_object__reuse_map: a map pinned by name at its pin path is taken instead of a new
     * one when it has the same shape, and refused with EINVAL otherwise; null when nothing is pinned there.
     */
    private Integer reusePinned(BpfObject obj, MapSpec ms) throws BpfException {
        String path = pinByName(obj, ms);
        int fd;
        try {
            fd = objGet(path);
        } catch (BpfException nothingThere) {
            return null;
        }
        SimMap m;
        synchronized (kernel.rtnl) {
            m = mapOfFd(fd, "BPF_OBJ_GET");
        }
        try {
            dev.tcxsim.vm.maps.MapPins.checkReusable(path, m.map.spec(), ms);
        } catch (MapException e) {
            closeQuietly(fd);
            throw mapError("BPF_OBJ_GET", e);
        }
        return fd;
    }

    private void closeQuietly(int fd) {
        try {
            close(fd);
        } catch (BpfException ignored) {
            // already closed
        }
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    @Override
    public int mapCreate(MapSpec spec) throws BpfException {
        return mapCreate(spec, null);
    }

    private int mapCreate(MapSpec spec, List<MapSpec> objectMaps) throws BpfException {
        synchronized (kernel.rtnl) {
            alive();
            BpfMap map;
            try {
                map = BpfMap.create(spec, objectMaps);
            } catch (MapException e) {
                throw mapError("BPF_MAP_CREATE", e);
            }
            int id = kernel.nextMapId();
            SimMap m = new SimMap(id, map, () -> kernel.maps.remove(id));
            kernel.maps.put(id, m);
            m.get();
            return install(m);
        }
    }

    private static BpfException mapError(String call, MapException e) {
        return BpfException.ofNumber(e.errno(), call + ": " + e.getMessage());
    }

    @Override
    public byte[] mapNextKey(int mapFd, byte[] key) throws BpfException {
        SimMap m;
        synchronized (kernel.rtnl) {
            m = mapOfFd(mapFd, "BPF_MAP_GET_NEXT_KEY");
        }
        if (key != null) {
            checkKey(m, key, "BPF_MAP_GET_NEXT_KEY");
        }
        try {
            return m.map.nextKey(key);
        } catch (MapException e) {
            if (e.errno() == Errno.ENOENT.number()) {
                return null;
            }
            throw mapError("BPF_MAP_GET_NEXT_KEY", e);
        }
    }

    @Override
    public byte[] mapLookup(int mapFd, byte[] key) throws BpfException {
        SimMap m;
        synchronized (kernel.rtnl) {
            m = mapOfFd(mapFd, "BPF_MAP_LOOKUP_ELEM");
        }
        checkKey(m, key, "BPF_MAP_LOOKUP_ELEM");
        byte[] v = m.map.lookup(key);
        if (v == null) {
            throw new BpfException(Errno.ENOENT, "BPF_MAP_LOOKUP_ELEM: no such key in " + m);
        }
        return v;
    }

    private static void checkKey(SimMap m, byte[] key, String call) throws BpfException {
        if (key == null || key.length != m.map.keySize()) {
            throw new BpfException(Errno.EINVAL, call + ": " + m + " has " + m.map.keySize() + "-byte keys, got "
                    + (key == null ? "null" : key.length + " bytes"));
        }
    }

    @Override
    public void mapUpdate(int mapFd, byte[] key, byte[] value, long flags) throws BpfException {
        SimMap m;
        synchronized (kernel.rtnl) {
            m = mapOfFd(mapFd, "BPF_MAP_UPDATE_ELEM");
        }
        checkKey(m, key, "BPF_MAP_UPDATE_ELEM");
        if (m.map instanceof ProgArrayMap pa) {
            progArrayUpdate(pa, key, value, flags);
            return;
        }
        if (m.map instanceof dev.tcxsim.vm.maps.MapOfMaps && value != null && value.length == 4) {
            // bpf(2) takes the inner map as an fd of the caller; the VM's map of maps holds map ids
            SimMap inner;
            synchronized (kernel.rtnl) {
                inner = mapOfFd(java.nio.ByteBuffer.wrap(value).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(),
                        "BPF_MAP_UPDATE_ELEM (inner map fd)");
            }
            value = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(inner.map.id()).array();
        }
        try {
            m.map.update(key, value, flags);
        } catch (MapException e) {
            throw mapError("BPF_MAP_UPDATE_ELEM", e);
        }
    }

    /** A prog array's value is a program fd of the caller, as bpf(2) takes it. */
    private void progArrayUpdate(ProgArrayMap pa, byte[] key, byte[] value, long flags) throws BpfException {
        String call = "BPF_MAP_UPDATE_ELEM";
        if (value == null || value.length != 4) {
            throw new BpfException(Errno.EINVAL, call + ": a prog array value is a 4-byte program fd");
        }
        if (flags != 0) {
            throw new BpfException(Errno.EINVAL, call + ": prog arrays take only BPF_ANY");
        }
        int fd = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getInt();
        SimProg p;
        synchronized (kernel.rtnl) {
            p = progOfFd(fd, call + " prog array value");
        }
        if (!(p.exec instanceof VmRuntime.VmExecutable vm)) {
            throw new BpfException(Errno.EINVAL, call + ": " + p + " was not prepared by the VM and cannot be tail-called");
        }
        try {
            pa.set(ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN).getInt(), vm.loaded());
        } catch (MapException e) {
            throw mapError(call, e);
        }
    }

    @Override
    public void mapDelete(int mapFd, byte[] key) throws BpfException {
        SimMap m;
        synchronized (kernel.rtnl) {
            m = mapOfFd(mapFd, "BPF_MAP_DELETE_ELEM");
        }
        checkKey(m, key, "BPF_MAP_DELETE_ELEM");
        try {
            m.map.delete(key);
        } catch (MapException e) {
            throw mapError("BPF_MAP_DELETE_ELEM", e);
        }
    }

    // ---- tcx: the commands live in TcxSyscalls ----

    @Override
    public void progAttach(int ifindex, int attachType, int progFd, int flags, int relativeFdOrId, int replaceProgFd,
                           long expectedRevision) throws BpfException {
        tcx.progAttach(ifindex, attachType, progFd, flags, relativeFdOrId, replaceProgFd, expectedRevision);
    }

    @Override
    public void progDetach(int ifindex, int attachType, int progFd, int flags, int relativeFdOrId, long expectedRevision)
            throws BpfException {
        tcx.progDetach(ifindex, attachType, progFd, flags, relativeFdOrId, expectedRevision);
    }

    @Override
    public QueryResult progQuery(int ifindex, int attachType, int queryFlags, int count) throws BpfException {
        return tcx.progQuery(ifindex, attachType, queryFlags, count);
    }

    @Override
    public int linkCreate(int progFd, int ifindex, int attachType, int flags, int relativeFdOrId, long expectedRevision)
            throws BpfException {
        return tcx.linkCreate(progFd, ifindex, attachType, flags, relativeFdOrId, expectedRevision);
    }

    @Override
    public void linkUpdate(int linkFd, int newProgFd, int flags, int oldProgFd) throws BpfException {
        tcx.linkUpdate(linkFd, newProgFd, flags, oldProgFd);
    }

    @Override
    public void linkDetach(int linkFd) throws BpfException {
        tcx.linkDetach(linkFd);
    }

    @Override
    public LinkInfo linkInfo(int linkFd) throws BpfException {
        return tcx.linkInfo(linkFd);
    }

    @Override
    public ProgInfo progInfo(int progFd) throws BpfException {
        synchronized (kernel.rtnl) {
            SimProg p = progOfFd(progFd, "BPF_OBJ_GET_INFO_BY_FD");
            return new ProgInfo(p.id, p.type, p.name, p.runCount.get());
        }
    }

    @Override
    public int progGetFdById(int id) throws BpfException {
        synchronized (kernel.rtnl) {
            alive();
            SimProg p = kernel.progs.get(id);
            if (p == null) {
                throw new BpfException(Errno.ENOENT, "BPF_PROG_GET_FD_BY_ID: no program with id " + id);
            }
            p.get();
            return install(p);
        }
    }

    @Override
    public int linkGetFdById(int id) throws BpfException {
        synchronized (kernel.rtnl) {
            alive();
            SimLink l = kernel.links.get(id);
            if (l == null) {
                throw new BpfException(Errno.ENOENT, "BPF_LINK_GET_FD_BY_ID: no link with id " + id);
            }
            l.get();
            return install(l);
        }
    }

    // ---- bpffs ----

    private static String pinPath(String path, String call) throws BpfException {
        if (path == null || path.isBlank()) {
            throw new BpfException(Errno.EINVAL, call + ": empty pin path");
        }
        String p = path.startsWith("/") ? path.substring(1) : path;
        for (String part : p.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new BpfException(Errno.EINVAL, call + ": pin path '" + path + "' has an empty, '.' or '..' component");
            }
        }
        return p;
    }

    @Override
    public void objPin(int fd, String path) throws BpfException {
        String call = "BPF_OBJ_PIN";
        synchronized (kernel.rtnl) {
            alive();
            Object o = fd(fd, call);
            if (!(o instanceof KObject k)) {
                throw new BpfException(Errno.EINVAL, call + ": fd " + fd + " is not a BPF object");
            }
            String p = pinPath(path, call);
            if (kernel.pins.containsKey(p)) {
                throw new BpfException(Errno.EEXIST, call + ": " + path + " exists");
            }
            k.get();
            kernel.pins.put(p, k);
        }
    }

    @Override
    public int objGet(String path) throws BpfException {
        String call = "BPF_OBJ_GET";
        synchronized (kernel.rtnl) {
            alive();
            KObject k = kernel.pins.get(pinPath(path, call));
            if (k == null) {
                throw new BpfException(Errno.ENOENT, call + ": nothing pinned at " + path);
            }
            k.get();
            return install(k);
        }
    }

    @Override
    public void unpin(String path) throws BpfException {
        synchronized (kernel.rtnl) {
            KObject k = kernel.pins.remove(pinPath(path, "unlink"));
            if (k == null) {
                throw new BpfException(Errno.ENOENT, "unlink: nothing pinned at " + path);
            }
            k.put();
        }
    }

    @Override
    public void close(int fd) throws BpfException {
        synchronized (kernel.rtnl) {
            Object o = fds.remove(fd);
            if (o == null) {
                throw new BpfException(Errno.EBADF, "close: fd " + fd + " is not open in process " + name);
            }
            if (o instanceof KObject k) {
                k.put();
            }
        }
    }

    @Override
    public void exit() {
        synchronized (kernel.rtnl) {
            if (exited) {
                return;
            }
            for (Object o : List.copyOf(fds.values())) {
                if (o instanceof KObject k) {
                    k.put();
                }
            }
            fds.clear();
            exited = true;
        }
    }

    @Override
    public String toString() {
        return "process " + name + (exited ? " (exited)" : "");
    }
}
