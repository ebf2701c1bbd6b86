package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.maps.ArrayMap;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.maps.HashMapBpf;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.Ptr;
import dev.tcxsim.vm.mem.RunState;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * bpf_timer_init, bpf_timer_set_callback, bpf_timer_start and bpf_timer_cancel (kernel/bpf/helpers.c)
 * on the simulator's clock. A struct bpf_timer (16 bytes in a map value of an array or hash map)
 * is backed by a {@link Timer} kept beside the map's memory; a started timer belongs to the
 * {@link TimerClock} of the run that started it and fires, running its callback
 * {@code callback(map, key, value)}, when Java advances that clock past its expiry. A timer
 * started in a run whose environment is not a TimerClock never fires: nothing moves its time.
 * Deleting or overwriting the map element does not cancel the timer (the kernel does).
 */
final class BpfTimers {
    static final int TIMER_INIT = 169, TIMER_SET_CALLBACK = 170, TIMER_START = 171, TIMER_CANCEL = 172;
    /** Clock ids bpf_timer_init accepts (flags < MAX_CLOCKS and not an _ALARM clock). */
    private static final int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_BOOTTIME = 7, MAX_CLOCKS = 16;
    static final long BPF_F_TIMER_ABS = 1, BPF_F_TIMER_CPU_PIN = 2;
    private static final int EINVAL = 22, EBUSY = 16, EDEADLK = 35;
    /** sizeof(struct bpf_timer). */
    private static final int SIZE = 16;

    /** Timers by the memory of their map and their byte index in it. */
    private static final Map<byte[], Map<Integer, Timer>> TIMERS = new WeakHashMap<>();

    /** One initialized bpf_timer. Its fields are guarded by the class lock of BpfTimers. */
    static final class Timer {
        final BpfMap map;
        final int slot;
        final long mapHandle;
        LoadedProgram program;
        int callbackInsn = -1;
        long expiryNs;
        TimerClock clock;
        boolean armed;
        boolean running;

        Timer(BpfMap map, int slot, long mapHandle) {
            this.map = map;
            this.slot = slot;
            this.mapHandle = mapHandle;
        }

        /** The key of the element holding this timer (its index for an array), or null when it is gone. */
        byte[] key() {
            if (map instanceof ArrayMap) {
                return new byte[] {(byte) slot, (byte) (slot >>> 8), (byte) (slot >>> 16), (byte) (slot >>> 24)};
            }
            for (byte[] k : CallbackHelpers.keysOf(map)) {
                if (map.programLookup(k, 0) == map.slotPointer(slot)) {
                    return k;
                }
            }
            return null;
        }

        /** Runs the callback in a run of its own on {@code env}'s clock; returns null or the fault. */
        String fire(TimerClock env) {
            byte[] key = key();
            if (key == null) {
                return null; // the element was deleted: the kernel would have cancelled the timer
            }
            RunState st = new RunState(new SkBuff(new byte[0]), env, program.budget(), program);
            try {
                program.executor().callFromHost(st, callbackInsn, mapHandle, CallbackHelpers.keyPointer(0, key),
                        map.slotPointer(slot));
                return null;
            } catch (BpfFault f) {
                return program.describe(f.pc()) + ": " + f.getMessage();
            } finally {
                synchronized (BpfTimers.class) {
                    running = false;
                }
            }
        }

        @Override
        public String toString() {
            return "timer in map '" + map.name() + "' value " + slot;
        }
    }

    private BpfTimers() {
    }

    /** The timer at {@code addr}: its map, slot and state (null when not initialized). */
    private record Place(BpfMap map, int index, int slot) {
    }

    private static Place place(long addr, int pc, String who) {
        BpfMap map = Memory.mapOf(addr, SIZE, pc, who + " timer");
        if (!(map instanceof ArrayMap) && !(map instanceof HashMapBpf)) {
            throw new BpfFault(pc, who + ": map '" + map.name() + "' cannot hold timers (array and hash maps can)");
        }
        int index = Memory.mapIndex(map, addr, SIZE, pc, who + " timer");
        return new Place(map, index, index / map.valueSize());
    }

    private static synchronized Timer timerAt(Place p) {
        Map<Integer, Timer> inMap = TIMERS.get(p.map().memory());
        return inMap == null ? null : inMap.get(p.index());
    }

    /** bpf_timer_init(timer, map, flags): 0, -EBUSY when already initialized, -EINVAL for a clock it does not take. */
    static long init(RunState st, long addr, long mapHandle, long flags, int pc) {
        String who = Helpers.describe(TIMER_INIT);
        Place p = place(addr, pc, who);
        BpfMap arg = Helpers.map(mapHandle, TIMER_INIT, pc);
        if (arg != p.map()) {
            throw new BpfFault(pc, who + ": R2 is map '" + arg.name() + "' but the timer is in map '" + p.map().name()
                    + "' (the verifier requires the same map)");
        }
        long clock = flags & (MAX_CLOCKS - 1);
        if (flags < 0 || flags >= MAX_CLOCKS || (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME
                && clock != CLOCK_BOOTTIME)) {
            return -EINVAL;
        }
        synchronized (BpfTimers.class) {
            Map<Integer, Timer> inMap = TIMERS.computeIfAbsent(p.map().memory(), m -> new java.util.HashMap<>());
            if (inMap.containsKey(p.index())) {
                return -EBUSY;
            }
            inMap.put(p.index(), new Timer(p.map(), p.slot(), mapHandle));
        }
        return 0;
    }

    /** bpf_timer_set_callback(timer, callback_fn): 0, -EINVAL for a timer not initialized. */
    static long setCallback(RunState st, long addr, long fn, int pc) {
        String who = Helpers.describe(TIMER_SET_CALLBACK);
        Place p = place(addr, pc, who);
        int insn = CallbackHelpers.functionOf(st, fn, pc, who);
        synchronized (BpfTimers.class) {
            Timer t = timerAt(p);
            if (t == null) {
                return -EINVAL;
            }
            t.program = st.current;
            t.callbackInsn = insn;
        }
        return 0;
    }

    /**
     * bpf_timer_start(timer, nsecs, flags): arms the timer {@code nsecs} after now (or at
     * {@code nsecs} with BPF_F_TIMER_ABS) on the run's clock. 0; -EINVAL for other flags or a
     * timer without a callback.
     */
    static long start(RunState st, long addr, long nsecs, long flags, int pc) {
        Place p = place(addr, pc, Helpers.describe(TIMER_START));
        if ((flags & ~(BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN)) != 0) {
            return -EINVAL;
        }
        synchronized (BpfTimers.class) {
            Timer t = timerAt(p);
            if (t == null || t.program == null) {
                return -EINVAL;
            }
            long now = st.env.nowNs();
            t.expiryNs = (flags & BPF_F_TIMER_ABS) != 0 ? nsecs : now + nsecs;
            t.armed = true;
            TimerClock clock = st.env instanceof TimerClock c ? c : null;
            if (t.clock != null && t.clock != clock) {
                t.clock.forget(t);
            }
            t.clock = clock;
            if (clock != null) {
                clock.schedule(t);
            }
        }
        return 0;
    }

    /**
     * bpf_timer_cancel(timer): 1 when it was armed, 0 when not; -EINVAL not initialized; -EDEADLK
     * from its own callback. Like the kernel it also drops the callback (and the program it
     * belongs to): the next bpf_timer_start fails until bpf_timer_set_callback.
     */
    static long cancel(RunState st, long addr, int pc) {
        Place p = place(addr, pc, Helpers.describe(TIMER_CANCEL));
        synchronized (BpfTimers.class) {
            Timer t = timerAt(p);
            if (t == null) {
                return -EINVAL;
            }
            if (t.running) {
                return -EDEADLK;
            }
            boolean was = t.armed;
            t.armed = false;
            t.program = null;
            t.callbackInsn = -1;
            if (t.clock != null) {
                t.clock.forget(t);
            }
            return was ? 1 : 0;
        }
    }

    /** Takes the earliest armed timer of {@code clock} due at or before {@code limit}, marking it running; or null. */
    static synchronized Timer takeDue(TimerClock clock, java.util.List<Timer> scheduled, long limit) {
        Timer best = null;
        for (Timer t : scheduled) {
            if (t.armed && t.clock == clock && t.expiryNs <= limit && (best == null || t.expiryNs < best.expiryNs)) {
                best = t;
            }
        }
        if (best != null) {
            best.armed = false;
            best.running = true;
            scheduled.remove(best);
        }
        return best;
    }
}
