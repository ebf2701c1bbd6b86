package dev.tcxsim.vm.mem;

import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;

/**
 * Everything one run of a program owns: the packet, the stack, the instruction budget, a
 * pending redirect and the tail-call count. Used by one thread at a time.
 *
 * <p>A run takes its state from a per-thread cache ({@link #acquire}) and gives it back at the end
 * ({@link #release}), so a run allocates neither this object nor its 4 KiB stack. The stack is not
 * cleared between runs: each function clears the bytes of its own frame that it can touch when it
 * is entered (the Truffle node and the reference interpreter both do), so what a program sees on its
 * stack never depends on an earlier run.
 */
public final class RunState {
    /** Bytes of stack per BPF function frame (MAX_BPF_STACK). */
    public static final int FRAME_SIZE = 512;
    /** Call depth limit (MAX_CALL_FRAMES). */
    public static final int MAX_FRAMES = 8;
    /** Tail calls one run may take (MAX_TAIL_CALL_CNT). */
    public static final int MAX_TAIL_CALLS = 33;

    private static final ThreadLocal<RunState> CACHE = new ThreadLocal<>();

    public SkBuff skb;
    public RunEnv env;
    public final byte[] stack = new byte[FRAME_SIZE * MAX_FRAMES];
    public long budget;
    public int cpu;
    /** Instructions executed so far (flushed by the interpreters at calls, helpers and exits). */
    public long insns;
    public RunResult.Redirect redirect;
    public int tailCalls;
    /** The program now running (changes on a tail call); names the fault's source line. */
    public LoadedProgram current;
    /** Position of the running program in the chain a {@link dev.tcxsim.vm.ProgramChain} runs (0 otherwise). */
    public int chainIndex;
    /** Set at the entry function's exit: whether that exit ran in Graal-compiled code. */
    public boolean exitedCompiled;
    /** Always 0; not final, so the compiler cannot know it (see EbpfFunctionNode.hideConstants). */
    public long zero;
    private long prandom;
    /** True between {@link #acquire} and {@link #release}: a nested run on this thread takes a new state. */
    private boolean busy;

    public RunState(SkBuff skb, RunEnv env, long budget, LoadedProgram program) {
        reset(skb, env, budget, program);
    }

    /** This thread's cached state set up for a new run, or a fresh one when the cached one is in use. */
    public static RunState acquire(SkBuff skb, RunEnv env, long budget, LoadedProgram program) {
        RunState st = CACHE.get();
        if (st == null || st.busy) {
            st = new RunState(skb, env, budget, program);
            if (CACHE.get() == null) {
                CACHE.set(st);
            }
        } else {
            st.reset(skb, env, budget, program);
        }
        st.busy = true;
        return st;
    }

    /** Ends the run that {@link #acquire} started; the state may be handed to the next run on this thread. */
    public void release() {
        busy = false;
        skb = null;
        env = null;
        current = null;
        redirect = null;
    }

    /** Every per-run field back to its start value (a field added to this class must be reset here too). */
    private void reset(SkBuff skb, RunEnv env, long budget, LoadedProgram program) {
        this.skb = skb;
        this.env = env;
        this.budget = budget;
        this.current = program;
        this.cpu = Math.floorMod(env.cpu(), dev.tcxsim.vm.maps.BpfMap.NR_CPUS);
        this.prandom = env.prandomSeed();
        this.insns = 0;
        this.redirect = null;
        this.tailCalls = 0;
        this.exitedCompiled = false;
        this.chainIndex = 0;
    }

    /**
     * Starts program {@code index} of a chain run: its own instruction budget and tail-call count,
     * as each program of a tcx chain is a run of its own in the kernel. The pending redirect is
     * kept, as the kernel keeps it per CPU across the chain.
     */
    public void startChainProgram(LoadedProgram program, int index) {
        this.current = program;
        this.chainIndex = index;
        this.budget = program.budget();
        this.insns = 0;
        this.tailCalls = 0;
    }

    /** Clears {@code bytes} bytes below the frame pointer of call depth {@code depth} (a function's entry). */
    public void clearFrame(int depth, int bytes) {
        int top = (depth + 1) * FRAME_SIZE;
        java.util.Arrays.fill(stack, top - bytes, top, (byte) 0);
    }

    /** r10 of the frame at call depth {@code depth} (0 for the entry function): the top of its 512 bytes. */
    public static long framePointer(int depth) {
        return Ptr.make(Ptr.STACK, (depth + 1) * FRAME_SIZE);
    }

    /** bpf_get_prandom_u32: a seeded xorshift sequence, so runs are reproducible. */
    public int nextPrandom() {
        long x = prandom == 0 ? 0x9e3779b97f4a7c15L : prandom;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        prandom = x;
        return (int) (x >>> 16);
    }

    public BpfFault budgetExceeded(int pc) {
        return new BpfFault(pc, "instruction budget of " + budget + " exhausted (a loop that does not end?)");
    }
}
