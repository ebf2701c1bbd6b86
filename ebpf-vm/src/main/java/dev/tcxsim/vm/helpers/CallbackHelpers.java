package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.Executor;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.maps.ArrayMap;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.maps.HashMapBpf;
import dev.tcxsim.vm.maps.MapException;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Ptr;
import dev.tcxsim.vm.mem.RunState;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Helpers that call back into the program: bpf_loop (kernel/bpf/bpf_iter.c) and
 * bpf_for_each_map_elem (kernel/bpf/arraymap.c, hashtab.c). A callback is a BPF
 * function of the running program, passed as the address an LD_IMM64 with BPF_PSEUDO_FUNC loads;
 * it runs in a stack frame of its own one level below the helper's caller, so it counts toward
 * the 8-frame limit, and its instructions count toward the run's budget.
 */
public final class CallbackHelpers {
    /** BPF_MAX_LOOPS: the most iterations bpf_loop accepts. */
    public static final long MAX_LOOPS = 8L * 1024 * 1024;
    static final int EINVAL = 22, E2BIG = 7;
    /** The largest key a hash map may have (MAX_BPF_STACK). */
    private static final int MAX_KEY_SIZE = 512;

    /**
     * Where for_each_map_elem puts the key it hands a callback: the kernel passes a pointer to a
     * read-only key (an array index on its own stack, or the key inside a hash element), so the
     * simulator keeps one read-only array map per thread with a slot per call depth (nested
     * iterations do not share a slot). Program stores into it fault like stores into .rodata.
     */
    private static final ThreadLocal<BpfMap> KEYS = ThreadLocal.withInitial(() -> {
        try {
            return BpfMap.create(MapSpec.of("for_each key", BpfMap.TYPE_ARRAY, 4, MAX_KEY_SIZE, RunState.MAX_FRAMES,
                    BpfMap.BPF_F_RDONLY_PROG));
        } catch (MapException e) {
            throw new IllegalStateException(e);
        }
    });

    private CallbackHelpers() {
    }

    /** One way to call a callback function, fixed for the duration of one helper call. */
    record Callback(RunState st, Executor executor, int insn, int depth) {
        long call(long r1, long r2, long r3, long r4, long r5) {
            return executor.callFunction(st, insn, r1, r2, r3, r4, r5, depth);
        }
    }

    /**
     * Checks that {@code fn} is the address of a function of the running program and finds the
     * frame the callback runs in. The kernel's verifier refuses a program whose callback would
     * nest deeper than 8 frames; here that stops the program.
     */
    static Callback callback(RunState st, long fn, int pc, String who) {
        int insn = functionOf(st, fn, pc, who);
        Executor executor = st.current.executor();
        int depth = executor.helperCallerDepth(st) + 1;
        if (depth >= RunState.MAX_FRAMES) {
            throw new BpfFault(pc, who + ": the callback would run " + (depth + 1) + " frames deep, more than "
                    + RunState.MAX_FRAMES);
        }
        return new Callback(st, executor, insn, depth);
    }

    /** The instruction index of the function {@code fn} points at; a fault when it is not a function of the running program. */
    static int functionOf(RunState st, long fn, int pc, String who) {
        int insn = Ptr.offset(fn);
        if (Ptr.tag(fn) != Ptr.FUNC || Arrays.binarySearch(st.current.functionStarts(), insn) < 0) {
            throw new BpfFault(pc, who + ": the callback argument (0x" + Long.toHexString(fn)
                    + ") is not the address of a BPF function of this program");
        }
        return insn;
    }

    /**
     * bpf_loop(nr_loops, callback_fn, callback_ctx, flags): calls {@code callback_fn(i, ctx)} for
     * i = 0 .. nr_loops-1 until it returns non-zero. Returns the number of calls made, -EINVAL for
     * non-zero flags, -E2BIG as a u32 for more than {@link #MAX_LOOPS} iterations (nr_loops is a u32).
     */
    static long loop(RunState st, long nrLoops, long fn, long ctx, long flags, int pc) {
        String who = Helpers.describe(Helpers.LOOP);
        Callback cb = callback(st, fn, pc, who);
        if (flags != 0) {
            return -EINVAL;
        }
        long n = nrLoops & 0xffffffffL;
        if (n > MAX_LOOPS) {
            // With flags 0 and one callback per call site the kernel's verifier inlines bpf_loop
            // (inline_bpf_loop), and the inlined code sets r0 = -E2BIG with a 32-bit move: the
            // program sees 0xfffffff9, not -7. Flags that are 0 only at run time are the one case
            // where the kernel would call the helper and return -7.
            return -E2BIG & 0xffffffffL;
        }
        for (long i = 0; i < n; i++) {
            if (cb.call(i, ctx, 0, 0, 0) != 0) {
                return i + 1;
            }
        }
        return n;
    }

    /**
     * bpf_for_each_map_elem(map, callback_fn, callback_ctx, flags): calls
     * {@code callback_fn(map, &key, &value, ctx)} for every element of an array (each index) or
     * hash map (elements present when the walk starts and still present when reached, this CPU's
     * value for per-CPU maps) until it returns non-zero. Returns the number of calls made;
     * -EINVAL for non-zero flags.
     */
    static long forEachMapElem(RunState st, long mapHandle, long fn, long ctx, long flags, int pc) {
        String who = Helpers.describe(Helpers.FOR_EACH_MAP_ELEM);
        BpfMap map = Helpers.map(mapHandle, Helpers.FOR_EACH_MAP_ELEM, pc);
        if (!(map instanceof ArrayMap) && !(map instanceof HashMapBpf)) {
            throw new BpfFault(pc, who + ": map '" + map.name() + "' (type " + map.type()
                    + ") cannot be iterated: the kernel allows array and hash maps");
        }
        Callback cb = callback(st, fn, pc, who);
        if (flags != 0) {
            return -EINVAL;
        }
        long calls = 0;
        for (byte[] key : keysOf(map)) {
            long value = map.programLookup(key, st.cpu);
            if (value == 0) {
                continue; // deleted by an earlier callback
            }
            long keyPtr = keyPointer(cb.depth(), key);
            calls++;
            if (cb.call(mapHandle, keyPtr, value, ctx, 0) != 0) {
                break;
            }
        }
        return calls;
    }

    /** A read-only copy of {@code key} for a callback running at call depth {@code depth}. */
    static long keyPointer(int depth, byte[] key) {
        BpfMap keys = KEYS.get();
        byte[] slot = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(depth).array();
        try {
            keys.update(slot, Arrays.copyOf(key, MAX_KEY_SIZE), BpfMap.BPF_ANY);
        } catch (MapException e) {
            throw new IllegalStateException(e);
        }
        return keys.slotPointer(depth);
    }

    /** Array indexes in order, or a snapshot of a hash map's keys. */
    static List<byte[]> keysOf(BpfMap map) {
        List<byte[]> out = new ArrayList<>();
        if (map instanceof ArrayMap) {
            for (int i = 0; i < map.maxEntries(); i++) {
                out.add(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array());
            }
            return out;
        }
        byte[] key = null;
        while (out.size() < map.maxEntries()) {
            try {
                key = map.nextKey(key);
            } catch (MapException end) {
                break;
            }
            out.add(key);
        }
        return out;
    }
}
