package dev.tcxsim.vm.support;

import dev.tcxsim.vm.btf.Btf;
import dev.tcxsim.vm.btf.BtfKind;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.FuncInfo;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.elf.Relocation;
import dev.tcxsim.vm.isa.Op;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * One compiled object in the real kernel the way libbpf would load it, for the programs that need
 * BTF: the object's BTF (see {@link KernelBtf}), every map with its BTF key and value types, and
 * programs with func_info (the verifier needs it for callbacks). Kfunc calls get the kernel's
 * BTF id from {@code kfuncIds}. Every fd is closed by {@link #close()}, also after a failure.
 */
public final class KernelObject implements AutoCloseable {
    private static final int BPF_MAP_CREATE = 0, BPF_MAP_LOOKUP_ELEM = 1, BPF_MAP_UPDATE_ELEM = 2,
            BPF_PROG_LOAD = 5, BPF_BTF_LOAD = 18, BPF_MAP_FREEZE = 22, SCHED_CLS = 3,
            BPF_F_RDONLY_PROG = 0x80;

    private final Arena arena = Arena.ofConfined();
    private final List<Integer> fds = new ArrayList<>();
    private final BpfObject obj;
    private final Btf btf;
    private final int btfFd;
    private final int[] mapFds;

    /** Loads the BTF and creates the maps (global data with its initial bytes). */
    public KernelObject(BpfObject obj) throws Throwable {
        this.obj = obj;
        try {
            this.btf = Btf.parse(obj.btf());
            byte[] kbtf = KernelBtf.forKernel(obj.btf());
            MemorySegment data = bytes(kbtf);
            MemorySegment log = arena.allocate(1 << 16);
            MemorySegment attr = arena.allocate(64);
            attr.set(ValueLayout.JAVA_LONG, 0, data.address());
            attr.set(ValueLayout.JAVA_LONG, 8, log.address());
            attr.set(ValueLayout.JAVA_INT, 16, kbtf.length);
            attr.set(ValueLayout.JAVA_INT, 20, (int) log.byteSize());
            attr.set(ValueLayout.JAVA_INT, 24, 1);
            this.btfFd = keep(KernelBpf.bpf(arena, BPF_BTF_LOAD, attr), "BPF_BTF_LOAD", log);
            this.mapFds = new int[obj.maps().size()];
            for (int i = 0; i < mapFds.length; i++) {
                mapFds[i] = createMap(obj.maps().get(i));
            }
        } catch (Throwable t) {
            close();
            throw t;
        }
    }

    private int createMap(MapSpec m) throws Throwable {
        MemorySegment attr = arena.allocate(128);
        attr.set(ValueLayout.JAVA_INT, 0, m.type());
        attr.set(ValueLayout.JAVA_INT, 4, m.keySize());
        attr.set(ValueLayout.JAVA_INT, 8, m.valueSize());
        attr.set(ValueLayout.JAVA_INT, 12, m.maxEntries());
        attr.set(ValueLayout.JAVA_INT, 16, m.flags());
        if (m.kind() == MapSpec.Kind.BTF_DEFINED && m.btfValueTypeId() != 0) {
            attr.set(ValueLayout.JAVA_INT, 48, btfFd);
            attr.set(ValueLayout.JAVA_INT, 52, m.btfKeyTypeId());
            attr.set(ValueLayout.JAVA_INT, 56, m.btfValueTypeId());
        }
        int fd = keep(KernelBpf.bpf(arena, BPF_MAP_CREATE, attr), "BPF_MAP_CREATE of " + m.name(), null);
        if (m.initialData() != null && m.initialData().length > 0) {
            if (update(fd, new byte[4], m.initialData()) != 0) {
                throw new IllegalStateException("cannot write the initial data of " + m.name());
            }
        }
        if ((m.flags() & BPF_F_RDONLY_PROG) != 0) {
            // libbpf freezes .rodata: the verifier trusts only frozen read-only maps as constants
            MemorySegment freeze = arena.allocate(8);
            freeze.set(ValueLayout.JAVA_INT, 0, fd);
            long rc = KernelBpf.bpf(arena, BPF_MAP_FREEZE, freeze);
            if (rc < 0) {
                throw new KernelBpf.BpfError("BPF_MAP_FREEZE of " + m.name(), (int) -rc, null);
            }
        }
        return fd;
    }

    private int keep(long rc, String what, MemorySegment log) throws KernelBpf.BpfError {
        if (rc < 0) {
            String text = log == null ? null : log.getString(0, StandardCharsets.UTF_8);
            throw new KernelBpf.BpfError(what, (int) -rc, text);
        }
        fds.add((int) rc);
        return (int) rc;
    }

    private MemorySegment bytes(byte[] b) {
        MemorySegment m = arena.allocate(Math.max(1, b.length), 8);
        m.copyFrom(MemorySegment.ofArray(b));
        return m;
    }

    /**
     * BPF_PROG_LOAD of program {@code name} as SCHED_CLS with func_info; {@code kfuncIds} gives the
     * kernel's BTF id for a kfunc name. Throws BpfError with the verifier log when refused.
     */
    public int loadProgram(String name, ToIntFunction<String> kfuncIds) throws Throwable {
        ProgramSpec p = obj.program(name);
        long[] insns = p.insns().clone();
        for (Relocation r : p.relocations()) {
            insns[r.insnIndex()] = Op.withImm(insns[r.insnIndex()], mapFds[r.mapIndex()]);
        }
        for (int pc = 0; pc < insns.length; pc++) {
            if (Op.opcode(insns[pc]) == (Op.JMP | Op.CALL) && Op.src(insns[pc]) == Op.PSEUDO_KFUNC_CALL) {
                String kfunc = btf.type(Op.imm(insns[pc])).name();
                insns[pc] = Op.withImm(insns[pc], kfuncIds.applyAsInt(kfunc));
            }
        }
        MemorySegment code = arena.allocate(8L * insns.length, 8);
        MemorySegment.copy(insns, 0, code, ValueLayout.JAVA_LONG, 0, insns.length);
        int[] funcInfo = new int[2 * p.funcInfo().size()];
        for (int i = 0; i < p.funcInfo().size(); i++) {
            FuncInfo f = p.funcInfo().get(i);
            funcInfo[2 * i] = f.insnOffset();
            funcInfo[2 * i + 1] = btf.find(BtfKind.FUNC, f.name()).orElseThrow(
                    () -> new IllegalArgumentException("no BTF FUNC named " + f.name()));
        }
        MemorySegment fi = arena.allocate(4L * Math.max(1, funcInfo.length), 4);
        MemorySegment.copy(funcInfo, 0, fi, ValueLayout.JAVA_INT, 0, funcInfo.length);
        MemorySegment license = arena.allocateFrom("GPL");
        MemorySegment attr = arena.allocate(160);
        attr.set(ValueLayout.JAVA_INT, 0, SCHED_CLS);
        attr.set(ValueLayout.JAVA_INT, 4, insns.length);
        attr.set(ValueLayout.JAVA_LONG, 8, code.address());
        attr.set(ValueLayout.JAVA_LONG, 16, license.address());
        if (funcInfo.length > 0) {
            attr.set(ValueLayout.JAVA_INT, 72, btfFd);
            attr.set(ValueLayout.JAVA_INT, 76, 8);
            attr.set(ValueLayout.JAVA_LONG, 80, fi.address());
            attr.set(ValueLayout.JAVA_INT, 88, funcInfo.length / 2);
        }
        long fd = KernelBpf.bpf(arena, BPF_PROG_LOAD, attr);
        if (fd >= 0) {
            return keep(fd, "BPF_PROG_LOAD of " + name, null);
        }
        // Refused: load again with a verifier log (a log that fills up fails even a good program).
        MemorySegment log = arena.allocate(1 << 22);
        attr.set(ValueLayout.JAVA_INT, 24, 1);
        attr.set(ValueLayout.JAVA_INT, 28, (int) log.byteSize());
        attr.set(ValueLayout.JAVA_LONG, 32, log.address());
        long again = KernelBpf.bpf(arena, BPF_PROG_LOAD, attr);
        if (again >= 0) {
            fds.add((int) again);
            throw new IllegalStateException("BPF_PROG_LOAD of " + name + " failed with errno " + -fd
                    + " once and passed with a log");
        }
        String text = log.getString(0, StandardCharsets.UTF_8);
        throw new KernelBpf.BpfError("BPF_PROG_LOAD of " + name, (int) -fd,
                text.length() > 4000 ? "..." + text.substring(text.length() - 4000) : text);
    }

    /** BPF_PROG_TEST_RUN once on {@code packet}: r0 and the packet afterwards. */
    public KernelBpf.Outcome testRun(int progFd, byte[] packet) throws Throwable {
        return KernelBpf.testRun(arena, progFd, packet, null);
    }

    /** The value at {@code key} of map {@code mapName}, or null when there is none. */
    public byte[] lookup(String mapName, byte[] key) throws Throwable {
        int i = obj.mapIndex(mapName);
        MapSpec m = obj.maps().get(i);
        MemorySegment value = arena.allocate(Math.max(8, m.valueSize()));
        MemorySegment attr = arena.allocate(32);
        attr.set(ValueLayout.JAVA_INT, 0, mapFds[i]);
        attr.set(ValueLayout.JAVA_LONG, 8, bytes(key).address());
        attr.set(ValueLayout.JAVA_LONG, 16, value.address());
        return KernelBpf.bpf(arena, BPF_MAP_LOOKUP_ELEM, attr) == 0
                ? value.asSlice(0, m.valueSize()).toArray(ValueLayout.JAVA_BYTE) : null;
    }

    /** BPF_MAP_UPDATE_ELEM on map {@code mapName}: 0 or -errno. */
    public int update(String mapName, byte[] key, byte[] value) throws Throwable {
        return update(mapFds[obj.mapIndex(mapName)], key, value);
    }

    private int update(int fd, byte[] key, byte[] value) throws Throwable {
        MemorySegment attr = arena.allocate(32);
        attr.set(ValueLayout.JAVA_INT, 0, fd);
        attr.set(ValueLayout.JAVA_LONG, 8, bytes(key).address());
        attr.set(ValueLayout.JAVA_LONG, 16, bytes(value).address());
        return (int) KernelBpf.bpf(arena, BPF_MAP_UPDATE_ELEM, attr);
    }

    @Override
    public void close() {
        try {
            for (int fd : fds) {
                int ignored = (int) KernelBpf.CLOSE.invokeExact(fd);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("closing kernel fds: " + t, t);
        } finally {
            fds.clear();
            arena.close();
        }
    }
}
