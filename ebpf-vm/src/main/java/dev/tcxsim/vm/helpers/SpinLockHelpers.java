package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.RunState;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * bpf_spin_lock and bpf_spin_unlock (kernel/bpf/helpers.c): a 4-byte struct bpf_spin_lock inside
 * a map value, so runs of programs on several threads exclude each other on it as on the
 * kernel's CPUs. A Java heap byte[] offers no atomic int access (its alignment is unknown), so the
 * exclusion comes from one of {@link #STRIPES} Java locks chosen by the lock word's map and
 * offset; the word itself reads 1 while the lock is held and 0 otherwise, as the kernel's does.
 * Two locks that share a stripe only wait for each other, which is harmless since a run holds at
 * most one lock.
 *
 * <p>The kernel's verifier proves at load time that a program holds at most one lock, calls no
 * helper while holding it and releases it before it exits. The simulator's verifier does not
 * follow locks, so the rules are checked as the program runs: taking a second lock, unlocking one
 * it does not hold, or a run that ended still holding its lock (noticed by this thread's next
 * bpf_spin_lock, which releases it) stop the program with a fault. (A run's state object is
 * reused by the thread's next run, so the two cases of a lock taken twice look alike.) A lock that stays taken for
 * {@link #MAX_WAIT_NS} (its holder died that way on another thread) stops the waiter too, instead
 * of spinning for ever.
 */
final class SpinLockHelpers {
    static final int SPIN_LOCK = 93, SPIN_UNLOCK = 94;
    /** How long a waiter spins before it gives up: far longer than any correct critical section. */
    static final long MAX_WAIT_NS = 2_000_000_000L;
    private static final int STRIPES = 256;
    private static final ReentrantLock[] LOCKS = new ReentrantLock[STRIPES];

    static {
        for (int i = 0; i < STRIPES; i++) {
            LOCKS[i] = new ReentrantLock();
        }
    }

    /** The lock this thread holds: where its word is. */
    private record Held(byte[] memory, int index, String map) {
        ReentrantLock stripe() {
            return LOCKS[Math.floorMod(System.identityHashCode(memory) * 31 + index, STRIPES)];
        }

        void release() {
            Memory.write(memory, index, 4, 0);
            stripe().unlock();
        }
    }

    private static final ThreadLocal<Held> HELD = new ThreadLocal<>();

    private SpinLockHelpers() {
    }

    static long lock(RunState st, long addr, int pc) {
        String who = Helpers.describe(SPIN_LOCK);
        Held held = HELD.get();
        if (held != null) {
            HELD.remove();
            held.release();
            throw new BpfFault(pc, who + ": this thread still holds the lock in map '" + held.map() + "': taken"
                    + " twice in one run (locks do not nest) or by a run that exited holding it; the kernel's"
                    + " verifier refuses both (the lock is released now)");
        }
        Held lock = word(addr, pc, who);
        boolean taken;
        try {
            taken = lock.stripe().tryLock(MAX_WAIT_NS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            taken = false;
        }
        if (!taken) {
            throw new BpfFault(pc, who + ": the lock in map '" + lock.map() + "' stayed taken for "
                    + MAX_WAIT_NS / 1_000_000 + " ms (a run exited holding it?)");
        }
        Memory.write(lock.memory(), lock.index(), 4, 1);
        HELD.set(lock);
        return 0;
    }

    static long unlock(RunState st, long addr, int pc) {
        String who = Helpers.describe(SPIN_UNLOCK);
        Held lock = word(addr, pc, who);
        Held held = HELD.get();
        if (held == null || held.memory() != lock.memory() || held.index() != lock.index()) {
            throw new BpfFault(pc, who + ": this run does not hold the lock in map '" + lock.map() + "'");
        }
        HELD.remove();
        held.release();
        return 0;
    }

    private static Held word(long addr, int pc, String who) {
        BpfMap map = Memory.mapOf(addr, 4, pc, who + " lock");
        int index = Memory.mapIndex(map, addr, 4, pc, who + " lock");
        if (index % 4 != 0) {
            throw new BpfFault(pc, who + ": the lock in map '" + map.name() + "' is not 4-byte aligned");
        }
        return new Held(map.memory(), index, map.name());
    }
}
