package dev.tcxsim.vm.mem;

import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;

/**
 * Everything one run of a program owns: the packet, the stack, the instruction budget, a
 * pending redirect and the tail-call count. Made per run, used by one thread.
 */
public final class RunState {
    /** Bytes of stack per BPF function frame (MAX_BPF_STACK). */
    public static final int FRAME_SIZE = 512;
    /** Call depth limit (MAX_CALL_FRAMES). */
    public static final int MAX_FRAMES = 8;
    /** Tail calls one run may take (MAX_TAIL_CALL_CNT). */
    public static final int MAX_TAIL_CALLS = 33;

    public final SkBuff skb;
    public final RunEnv env;
    public final byte[] stack = new byte[FRAME_SIZE * MAX_FRAMES];
    public final long budget;
    public final int cpu;
    /** Instructions executed so far (flushed by the interpreters at calls, helpers and exits). */
    public long insns;
    public RunResult.Redirect redirect;
    public int tailCalls;
    /** The program now running (changes on a tail call); names the fault's source line. */
    public LoadedProgram current;
    /** Set at the entry function's exit: whether that exit ran in Graal-compiled code. */
    public boolean exitedCompiled;
    /** Always 0; not final, so the compiler cannot know it (see EbpfFunctionNode.hideConstants). */
    public long zero;
    private long prandom;

    public RunState(SkBuff skb, RunEnv env, long budget, LoadedProgram program) {
        this.skb = skb;
        this.env = env;
        this.budget = budget;
        this.current = program;
        this.cpu = Math.floorMod(env.cpu(), dev.tcxsim.vm.maps.BpfMap.NR_CPUS);
        this.prandom = env.prandomSeed();
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
