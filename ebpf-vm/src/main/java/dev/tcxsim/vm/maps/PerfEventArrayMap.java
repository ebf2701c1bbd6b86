package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: one slot per CPU, each holding a perf event that
 * bpf_perf_event_output writes samples to. In the kernel user space opens a perf event per CPU
 * and stores its fd in the slot; here Java opens a reader for a slot ({@link #openReader}) and
 * takes the samples written to it with {@link #poll} or {@link #drain}, oldest first. A slot
 * without a reader makes the helper return -ENOENT, as an empty slot does in the kernel.
 */
public final class PerfEventArrayMap extends BpfMap {
    /** Samples per slot; null for a slot without a reader. Guarded by this. */
    private final List<ArrayDeque<byte[]>> readers;

    PerfEventArrayMap(MapSpec spec) throws MapException {
        super(validate(spec), 0);
        this.readers = new ArrayList<>();
        for (int i = 0; i < spec.maxEntries(); i++) {
            readers.add(null);
        }
    }

    private static MapSpec validate(MapSpec spec) throws MapException {
        if (spec.keySize() != 4 || spec.valueSize() != 4 || spec.maxEntries() <= 0) {
            throw new MapException(MapException.EINVAL, "perf event array '" + spec.name()
                    + "' needs key size 4, value size 4 and max_entries > 0 (got key " + spec.keySize() + ", value "
                    + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")");
        }
        return spec;
    }

    private void checkIndex(int index) throws MapException {
        if (index < 0 || index >= maxEntries()) {
            throw new MapException(MapException.E2BIG, "perf event array '" + name() + "': index " + index
                    + " is not below max_entries " + maxEntries());
        }
    }

    /** Attaches a reader to slot {@code index} (the CPU whose samples it gets); a second call keeps the first. */
    public synchronized void openReader(int index) throws MapException {
        checkIndex(index);
        if (readers.get(index) == null) {
            readers.set(index, new ArrayDeque<>());
        }
    }

    /** Detaches slot {@code index}'s reader; its unread samples are dropped. */
    public synchronized void closeReader(int index) throws MapException {
        checkIndex(index);
        readers.set(index, null);
    }

    /**
     * bpf_perf_event_output's delivery: appends {@code sample} to slot {@code index}. Returns 0,
     * -E2BIG for an index past max_entries, -ENOENT for a slot without a reader.
     */
    public synchronized int output(long index, byte[] sample) {
        if (index < 0 || index >= maxEntries()) {
            return -MapException.E2BIG;
        }
        ArrayDeque<byte[]> q = readers.get((int) index);
        if (q == null) {
            return -MapException.ENOENT;
        }
        q.addLast(sample.clone());
        return 0;
    }

    /** The oldest unread sample of slot {@code index}, or null. */
    public synchronized byte[] poll(int index) throws MapException {
        checkIndex(index);
        ArrayDeque<byte[]> q = readers.get(index);
        return q == null ? null : q.pollFirst();
    }

    /** Every unread sample of slot {@code index}, oldest first. */
    public synchronized List<byte[]> drain(int index) throws MapException {
        List<byte[]> out = new ArrayList<>();
        for (byte[] s = poll(index); s != null; s = poll(index)) {
            out.add(s);
        }
        return out;
    }

    @Override
    public byte[] lookup(byte[] key) {
        return null; // the kernel refuses lookups of perf event arrays from user space
    }

    @Override
    public void update(byte[] key, byte[] value, long flags) throws MapException {
        throw new MapException(MapException.EINVAL, "perf event array '" + name()
                + "': slots take perf event fds, which the simulator has none of; use openReader");
    }

    @Override
    public synchronized void delete(byte[] key) throws MapException {
        checkKey(key);
        int i = ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN).getInt();
        checkIndex(i);
        if (readers.get(i) == null) {
            throw new MapException(MapException.ENOENT, "perf event array '" + name() + "': slot " + i + " is empty");
        }
        readers.set(i, null);
    }

    @Override
    public byte[] nextKey(byte[] keyOrNull) throws MapException {
        long i = keyOrNull == null || keyOrNull.length != 4 ? -1
                : ByteBuffer.wrap(keyOrNull).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        long next = i >= maxEntries() ? 0 : i + 1;
        if (next >= maxEntries()) {
            throw new MapException(MapException.ENOENT, "perf event array '" + name() + "': no key after " + i);
        }
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) next).array();
    }
}
