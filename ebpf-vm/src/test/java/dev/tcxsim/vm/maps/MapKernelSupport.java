package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.ElfLoader;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.elf.Relocation;
import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.support.KernelBpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the map tests share: the committed objects, byte helpers, and the objects' maps in the kernel. */
final class MapKernelSupport {
    private MapKernelSupport() {
    }

    static BpfObject object(String name) throws Exception {
        return ElfLoader.load(path(name));
    }

    /** testdata/progs/NAME.o, found from the working directory up. */
    static Path path(String name) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("testdata/progs"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no testdata/progs above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("testdata/progs/" + name + ".o");
    }

    /** The program's instructions with each map reference's first imm set to its map index (KernelBpf's convention). */
    static long[] withMapIndexes(ProgramSpec p) {
        long[] insns = p.insns().clone();
        for (Relocation r : p.relocations()) {
            insns[r.insnIndex()] = Op.withImm(insns[r.insnIndex()], r.mapIndex());
        }
        return insns;
    }

    /**
     * Creates every map of {@code obj} in the kernel session, in the object's order (map-in-map
     * outer maps get their inner template's fd, created first), and returns the fds by map index.
     */
    static int[] createMaps(KernelBpf.Session k, BpfObject obj) throws Throwable {
        int[] fds = new int[obj.maps().size()];
        for (int i = fds.length - 1; i >= 0; i--) {
            fds[i] = -1;
        }
        for (int i = 0; i < fds.length; i++) {
            create(k, obj, i, fds);
        }
        for (int i = 0; i < fds.length; i++) {
            for (var slot : obj.maps().get(i).initialMapSlots().entrySet()) {
                int rc = k.update(fds[i], u32(slot.getKey()), u32(fds[obj.mapIndex(slot.getValue())]), 0);
                if (rc != 0) {
                    throw new IllegalStateException("map " + obj.maps().get(i).name() + " slot " + slot.getKey()
                            + ": errno " + -rc);
                }
            }
        }
        return fds;
    }

    private static int create(KernelBpf.Session k, BpfObject obj, int i, int[] fds) throws Throwable {
        if (fds[i] >= 0) {
            return fds[i];
        }
        MapSpec m = obj.maps().get(i);
        int inner = m.innerMapIndex() >= 0 ? create(k, obj, m.innerMapIndex(), fds) : 0;
        fds[i] = k.createMap(m.type(), m.keySize(), m.valueSize(), m.maxEntries(), m.flags(), m.mapExtra(), inner);
        if (m.initialData() != null && m.initialData().length > 0) {
            byte[] value = java.util.Arrays.copyOf(m.initialData(), m.valueSize());
            int rc = k.update(fds[i], new byte[4], value, 0);
            if (rc != 0) {
                throw new IllegalStateException("initial data of map " + m.name() + ": errno " + -rc);
            }
        }
        return fds[i];
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static long u64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
