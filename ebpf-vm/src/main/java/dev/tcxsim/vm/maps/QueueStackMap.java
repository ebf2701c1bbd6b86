package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;

import java.util.Arrays;

/**
 * BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO), as kernel/bpf/queue_stack_maps.c keeps
 * them: a ring of {@code max_entries + 1} value slots with a head (next write) and a tail (oldest
 * element). Keys do not exist (key size 0); programs use push/pop/peek, the syscall side uses
 * update (push), lookup (peek) and lookup-and-delete (pop). A push with BPF_EXIST into a full map
 * drops the oldest element, for the stack as for the queue.
 */
public final class QueueStackMap extends BpfMap {
    /** BPF_F_NUMA_NODE and the access bits (BPF_F_RDONLY, WRONLY, RDONLY_PROG, WRONLY_PROG): all create accepts. */
    static final int CREATE_FLAG_MASK = 0x4 | 0x8 | 0x10 | 0x80 | 0x100;

    private final boolean stack;
    private final byte[] ring;
    private final int size;
    private int head;
    private int tail;

    QueueStackMap(MapSpec spec, boolean stack) throws MapException {
        super(validate(spec, stack ? "stack" : "queue"), 0);
        this.stack = stack;
        this.size = spec.maxEntries() + 1;
        this.ring = new byte[size * spec.valueSize()];
    }

    private static MapSpec validate(MapSpec spec, String kind) throws MapException {
        if (spec.keySize() != 0 || spec.valueSize() == 0 || spec.maxEntries() <= 0
                || (spec.flags() & ~CREATE_FLAG_MASK) != 0) {
            throw new MapException(MapException.EINVAL, kind + " map '" + spec.name() + "' needs key size 0, a value "
                    + "size and max_entries > 0, and no flags but BPF_F_NUMA_NODE and the access flags (got key "
                    + spec.keySize() + ", value " + spec.valueSize() + ", max_entries " + spec.maxEntries()
                    + ", flags 0x" + Integer.toHexString(spec.flags()) + ")");
        }
        if ((spec.flags() & BPF_F_RDONLY_PROG) != 0 && (spec.flags() & BPF_F_WRONLY_PROG) != 0) {
            throw new MapException(MapException.EINVAL, kind + " map '" + spec.name()
                    + "': BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together");
        }
        if ((spec.maxEntries() + 1L) * spec.valueSize() > 1L << 30) {
            throw new MapException(MapException.ENOMEM, kind + " map '" + spec.name() + "': " + spec.maxEntries()
                    + " values of " + spec.valueSize() + " bytes do not fit the simulator's 1 GiB per map");
        }
        return spec;
    }

    /** True for BPF_MAP_TYPE_STACK. */
    public boolean isStack() {
        return stack;
    }

    /** Number of elements held now. */
    public synchronized int count() {
        return Math.floorMod(head - tail, size);
    }

    private boolean full() {
        int next = head + 1 == size ? 0 : head + 1;
        return next == tail;
    }

    /** The slot the next pop or peek reads: the oldest (queue) or the newest (stack) element. */
    private int front() {
        if (!stack) {
            return tail;
        }
        return head == 0 ? size - 1 : head - 1;
    }

    /** map_push_elem: 0, -EINVAL for flags other than BPF_ANY/BPF_EXIST, -E2BIG when full without BPF_EXIST. */
    public synchronized int push(byte[] value, long flags) {
        if ((flags & BPF_NOEXIST) != 0 || flags > BPF_EXIST) {
            return -MapException.EINVAL;
        }
        if (full()) {
            if (flags != BPF_EXIST) {
                return -MapException.E2BIG;
            }
            tail = tail + 1 == size ? 0 : tail + 1;
        }
        System.arraycopy(value, 0, ring, head * valueSize(), valueSize());
        head = head + 1 == size ? 0 : head + 1;
        return 0;
    }

    /** map_pop_elem ({@code delete}) or map_peek_elem: the value, or null when the map is empty (-ENOENT). */
    public synchronized byte[] take(boolean delete) {
        if (head == tail) {
            return null;
        }
        int slot = front();
        byte[] out = Arrays.copyOfRange(ring, slot * valueSize(), (slot + 1) * valueSize());
        if (delete) {
            if (stack) {
                head = slot;
            } else {
                tail = tail + 1 == size ? 0 : tail + 1;
            }
        }
        return out;
    }

    // ---- syscall side: the kernel passes a NULL key, so the key must be empty

    @Override
    public byte[] lookup(byte[] key) {
        return key == null || key.length == 0 ? take(false) : null;
    }

    @Override
    public void update(byte[] key, byte[] value, long flags) throws MapException {
        checkKey(key == null ? new byte[0] : key);
        checkValue(value, valueSize());
        int rc = push(value, flags);
        if (rc == -MapException.EINVAL) {
            throw new MapException(MapException.EINVAL, kindName() + " '" + name() + "': push flags must be BPF_ANY "
                    + "or BPF_EXIST, got 0x" + Long.toHexString(flags));
        }
        if (rc == -MapException.E2BIG) {
            throw new MapException(MapException.E2BIG, kindName() + " '" + name() + "' is full (" + maxEntries()
                    + " elements); BPF_EXIST would drop the oldest");
        }
    }

    @Override
    public byte[] lookupAndDelete(byte[] key) throws MapException {
        checkKey(key == null ? new byte[0] : key);
        byte[] v = take(true);
        if (v == null) {
            throw new MapException(MapException.ENOENT, kindName() + " '" + name() + "' is empty");
        }
        return v;
    }

    @Override
    public void delete(byte[] key) throws MapException {
        throw new MapException(MapException.EINVAL, kindName() + " '" + name() + "': elements cannot be deleted "
                + "by key; pop them (lookup-and-delete)");
    }

    @Override
    public byte[] nextKey(byte[] keyOrNull) throws MapException {
        throw new MapException(MapException.EINVAL, kindName() + " '" + name() + "' has no keys to iterate");
    }

    private String kindName() {
        return stack ? "stack map" : "queue map";
    }
}
