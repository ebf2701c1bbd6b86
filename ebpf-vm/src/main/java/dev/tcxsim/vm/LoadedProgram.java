package dev.tcxsim.vm;

import dev.tcxsim.vm.maps.BpfMap;

import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Ptr;
import dev.tcxsim.vm.mem.RunState;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** A verified program, ready to run on packets. Safe to run from several threads at once. */
public final class LoadedProgram {
    private static final List<WeakReference<LoadedProgram>> REGISTRY = new ArrayList<>();

    private final int id;
    private final ProgramSpec spec;
    private final long[] insns;
    private final int[] functionStarts;
    private final long budget;
    private final Supplier<AutoCloseable> enter;
    /**
     * The maps the instructions reference. Pointers reach maps through the weak map registry, so the
     * program holds them here: a map lives at least as long as a program that uses it, as in the kernel.
     */
    private final List<BpfMap> maps;
    private volatile Executor executor;
    private volatile boolean lastRunCompiled;

    LoadedProgram(ProgramSpec spec, long[] insns, int[] functionStarts, long budget, Supplier<AutoCloseable> enter,
                  List<BpfMap> maps) {
        this.maps = new java.util.ArrayList<>(maps);
        this.spec = spec;
        this.insns = insns;
        this.functionStarts = functionStarts;
        this.budget = budget;
        this.enter = enter;
        synchronized (REGISTRY) {
            REGISTRY.add(new WeakReference<>(this));
            this.id = REGISTRY.size();
        }
    }

    void setExecutor(Executor executor) {
        this.executor = executor;
    }

    /** The program with {@link #id()} {@code id}, or null. */
    public static LoadedProgram byId(int id) {
        synchronized (REGISTRY) {
            return id >= 1 && id <= REGISTRY.size() ? REGISTRY.get(id - 1).get() : null;
        }
    }

    /** A number unique in this JVM (what a prog array slot holds on the Java side). */
    public int id() {
        return id;
    }

    public String name() {
        return spec.name();
    }

    public ProgramSpec spec() {
        return spec;
    }

    public int insnCount() {
        return insns.length;
    }

    /** The instructions as the VM runs them: map references resolved into tagged map pointers. */
    public long[] insns() {
        return insns.clone();
    }

    /** First instruction of every BPF function, the entry (0) first. */
    public int[] functionStarts() {
        return functionStarts.clone();
    }

    /** The instruction budget of one run (tail calls included). */
    public long budget() {
        return budget;
    }

    /** How a run enters the program's polyglot context (shared by every program of one engine). */
    Supplier<AutoCloseable> enterSupplier() {
        return enter;
    }

    /** The executor, for tail calls from another program of the same VM. */
    public Executor executor() {
        return executor;
    }

    /** Runs the program on {@code skb}. Never throws for program faults: they come back in {@link RunResult#fault()}. */
    public RunResult run(SkBuff skb, RunEnv env) {
        return run(skb, env, Ptr.make(Ptr.CTX, 0));
    }

    /**
     * Runs a program of type {@link dev.tcxsim.vm.verifier.Verifier#PROG_TYPE_MEMORY} with r1 pointing at
     * {@code memory} (null when it is empty), as the bpf_conformance plugin protocol does; the memory is
     * bounds-checked like a packet; stores change the VM's copy only.
     */
    public RunResult runOnMemory(byte[] memory) {
        SkBuff skb = new SkBuff(memory);
        return run(skb, RunEnv.DEFAULT, memory.length == 0 ? 0 : Ptr.make(Ptr.PACKET, skb.dataOffset()));
    }

    private RunResult run(SkBuff skb, RunEnv env, long r1) {
        RunState st = RunState.acquire(skb, env == null ? RunEnv.DEFAULT : env, budget, this);
        try (AutoCloseable entered = enter.get()) {
            long r0 = executor.execute(st, r1, 0);
            if (lastRunCompiled != st.exitedCompiled) {
                lastRunCompiled = st.exitedCompiled; // a volatile write only when it changes
            }
            return new RunResult(r0, st.redirect, null, st.insns);
        } catch (BpfFault f) {
            return new RunResult(0, null, st.current.describe(f.pc()) + ": " + f.getMessage(), st.insns);
        } catch (StackOverflowError e) {
            return new RunResult(0, null, "program " + name() + ": Java stack exhausted (calls nested too deeply)", st.insns);
        } catch (Exception e) {
            throw new IllegalStateException("program " + name() + " failed inside the VM: " + e, e);
        } finally {
            st.release();
        }
    }

    /**
     * Whether the most recent successful run (on any thread) left its last function through
     * Graal-compiled code; for tests and diagnostics that check the compiler really ran.
     */
    public boolean lastRunCompiled() {
        return lastRunCompiled;
    }

    /** "insn 12 (line foo.c:33)" or "insn 12" without line info. */
    public String describe(int pc) {
        return SourceLines.describe(spec, pc);
    }

    @Override
    public String toString() {
        return "LoadedProgram[" + name() + ", " + insns.length + " insns]";
    }
}
