package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * BPF_MAP_TYPE_RINGBUF: programs reserve records, fill them through the pointer they got, and
 * submit or discard them; Java reads submitted records in reservation order with {@link #poll()}.
 *
 * <p>Space is accounted like the kernel's ring: each record takes its size plus an 8-byte header,
 * rounded up to 8, until the reader consumed it (or it was discarded and everything before it was
 * consumed). The data area is twice the ring size so that a record is contiguous in the program's
 * pointer space even when it wraps, the way the kernel maps the ring's pages twice.
 */
public final class RingBufMap extends BpfMap {
    private static final int HEADER = 8;
    public static final long BPF_RB_NO_WAKEUP = 1, BPF_RB_FORCE_WAKEUP = 2;

    private final byte[] data;
    private final int capacity;
    private long producer;
    private long consumer;
    /** Reserved records in reservation order (not yet consumed). */
    private final ArrayDeque<Record> pending = new ArrayDeque<>();

    private static final class Record {
        final long pos;
        final int size;
        int state; // 0 busy, 1 submitted, 2 discarded

        Record(long pos, int size) {
            this.pos = pos;
            this.size = size;
        }

        int footprint() {
            return (size + HEADER + 7) & ~7;
        }
    }

    RingBufMap(MapSpec spec) throws MapException {
        super(validate(spec), 0);
        this.capacity = spec.maxEntries();
        this.data = new byte[capacity * 2];
    }

    private static MapSpec validate(MapSpec spec) throws MapException {
        int n = spec.maxEntries();
        if (spec.keySize() != 0 || spec.valueSize() != 0 || n <= 0 || Integer.bitCount(n) != 1 || n % 4096 != 0
                || n > (1 << 28)) {
            throw new MapException(MapException.EINVAL, "ringbuf '" + spec.name()
                    + "' needs key and value size 0 and a power-of-2 max_entries that is a multiple of 4096 (got key "
                    + spec.keySize() + ", value " + spec.valueSize() + ", max_entries " + n + ")");
        }
        return spec;
    }

    @Override
    public byte[] memory() {
        return data;
    }

    @Override
    public int strideShift() {
        return -1;
    }

    /** bpf_ringbuf_reserve: a pointer to {@code size} writable bytes, or 0 when the ring is full. */
    public synchronized long reserve(long size, long flags) {
        if (flags != 0 || size <= 0 || size > capacity - HEADER) {
            return 0;
        }
        Record r = new Record(producer, (int) size);
        if (producer + r.footprint() - consumer > capacity) {
            return 0;
        }
        producer += r.footprint();
        pending.addLast(r);
        int at = (int) (r.pos % capacity) + HEADER;
        Arrays.fill(data, at, at + r.size, (byte) 0);
        return dev.tcxsim.vm.mem.Ptr.make(dev.tcxsim.vm.mem.Ptr.MAP_VALUE + id(), at);
    }

    /** bpf_ringbuf_submit / discard of the record whose data starts at region offset {@code offset}; false when no busy record starts there. */
    public synchronized boolean commit(int offset, boolean discard) {
        int at = offset - HEADER;
        for (Record r : pending) {
            if (r.state == 0 && (int) (r.pos % capacity) == at) {
                r.state = discard ? 2 : 1;
                dropDiscardedHead();
                return true;
            }
        }
        return false;
    }

    private void dropDiscardedHead() {
        while (!pending.isEmpty() && pending.peekFirst().state == 2) {
            consumer += pending.pollFirst().footprint();
        }
    }

    /** The oldest submitted record, or null when none is ready (a busy record blocks those after it). */
    public synchronized byte[] poll() {
        dropDiscardedHead();
        Record r = pending.peekFirst();
        if (r == null || r.state != 1) {
            return null;
        }
        pending.pollFirst();
        consumer += r.footprint();
        int at = (int) (r.pos % capacity) + HEADER;
        byte[] out = Arrays.copyOfRange(data, at, at + r.size);
        dropDiscardedHead();
        return out;
    }

    /** Hands every ready record to {@code reader}; returns how many. */
    public int drain(Consumer<byte[]> reader) {
        int n = 0;
        for (byte[] rec = poll(); rec != null; rec = poll()) {
            reader.accept(rec);
            n++;
        }
        return n;
    }

    /** The producer position: bytes ever reserved, headers and padding included (BPF_RB_PROD_POS). */
    public synchronized long producerPos() {
        return producer;
    }

    /** The consumer position: bytes consumed so far (BPF_RB_CONS_POS). */
    public synchronized long consumerPos() {
        return consumer;
    }

    /** Bytes reserved and not yet consumed (BPF_RB_AVAIL_DATA counts submitted ones only; this counts all). */
    public synchronized long used() {
        return producer - consumer;
    }

    @Override
    public byte[] lookup(byte[] key) {
        return null;
    }

    @Override
    public void update(byte[] key, byte[] value, long flags) throws MapException {
        throw new MapException(MapException.ENOTSUPP, "ringbuf '" + name() + "' has no keys; read it with poll()");
    }

    @Override
    public void delete(byte[] key) throws MapException {
        throw new MapException(MapException.ENOTSUPP, "ringbuf '" + name() + "' has no keys");
    }

    @Override
    public byte[] nextKey(byte[] keyOrNull) throws MapException {
        throw new MapException(MapException.ENOTSUPP, "ringbuf '" + name() + "' has no keys");
    }
}
