package dev.tcxsim.vm;

import com.oracle.truffle.api.CallTarget;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Ptr;
import dev.tcxsim.vm.mem.RunState;
import dev.tcxsim.vm.truffle.ChainRoots;
import dev.tcxsim.vm.truffle.TruffleProgram;

import java.util.List;
import java.util.function.Supplier;

/**
 * Programs that run one after another on the same packet until one returns something other than a
 * "continue" code: a tcx chain, where every program but the deciding one says TCX_NEXT.
 *
 * <p>When every program is a Truffle program of one engine, the chain runs as one Truffle root
 * that calls the programs directly (see ChainRootNode), so going from one program to the next
 * costs a compare, not a run's worth of entry work; otherwise the programs run one by one. Each
 * program gets its own instruction budget and tail-call count, as in the kernel, and a redirect
 * requested by any of them stays pending for the rest of the chain.
 */
public final class ProgramChain {
    private final List<LoadedProgram> programs;
    private final CallTarget root;
    private final Supplier<AutoCloseable> enter;

    private ProgramChain(List<LoadedProgram> programs, CallTarget root, Supplier<AutoCloseable> enter) {
        this.programs = programs;
        this.root = root;
        this.enter = enter;
    }

    /**
     * The outcome of one chain run.
     *
     * @param decidedBy index of the program whose return value ended the chain (it faulted when
     *                  {@code fault} is set), or the chain's length when every program continued
     * @param r0        r0 of every program that ran, up to {@code decidedBy}
     * @param fault     null, or why program {@code decidedBy} was stopped
     * @param redirect  the redirect pending after the chain (the last one a program asked for)
     */
    public record Outcome(int decidedBy, long[] r0, String fault, RunResult.Redirect redirect) {
    }

    /** A chain of {@code programs}, in order. */
    public static ProgramChain of(List<LoadedProgram> programs) {
        List<LoadedProgram> list = List.copyOf(programs);
        Supplier<AutoCloseable> enter = list.isEmpty() ? null : list.get(0).enterSupplier();
        CallTarget root = null;
        if (!list.isEmpty() && list.stream().allMatch(p -> p.executor() instanceof TruffleProgram
                && p.enterSupplier() == enter)) {
            root = ChainRoots.build(list, enter);
        }
        return new ProgramChain(list, root, enter);
    }

    public List<LoadedProgram> programs() {
        return programs;
    }

    /** True when the chain runs as one Truffle root (every program a Truffle program of one engine). */
    public boolean fused() {
        return root != null;
    }

    /** Runs the chain on {@code skb} until a program returns something other than {@code continueCode} (compared as int). */
    public Outcome run(SkBuff skb, RunEnv env, int continueCode) {
        long[] r0s = new long[programs.size()];
        if (programs.isEmpty()) {
            return new Outcome(0, r0s, null, null);
        }
        RunEnv e = env == null ? RunEnv.DEFAULT : env;
        RunState st = RunState.acquire(skb, e, programs.get(0).budget(), programs.get(0));
        long r1 = Ptr.make(Ptr.CTX, 0);
        try (AutoCloseable entered = enter == null ? null : enter.get()) {
            int decided;
            if (root != null) {
                decided = (Integer) root.call(st, r1, continueCode, r0s);
            } else {
                decided = programs.size();
                for (int i = 0; i < programs.size(); i++) {
                    st.startChainProgram(programs.get(i), i);
                    r0s[i] = programs.get(i).executor().execute(st, r1, 0);
                    if ((int) r0s[i] != continueCode) {
                        decided = i;
                        break;
                    }
                }
            }
            return new Outcome(decided, r0s, null, st.redirect);
        } catch (BpfFault f) {
            return new Outcome(st.chainIndex, r0s, st.current.describe(f.pc()) + ": " + f.getMessage(), st.redirect);
        } catch (StackOverflowError err) {
            return new Outcome(st.chainIndex, r0s, "program " + st.current.name()
                    + ": Java stack exhausted (calls nested too deeply)", st.redirect);
        } catch (Exception ex) {
            throw new IllegalStateException("chain of " + programs.size() + " failed inside the VM at program "
                    + st.chainIndex + ": " + ex, ex);
        } finally {
            st.release();
        }
    }
}
