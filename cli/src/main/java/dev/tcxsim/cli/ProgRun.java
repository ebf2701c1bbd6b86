package dev.tcxsim.cli;

import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.truffle.EbpfEngine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code prog run} on the simulator: what BPF_PROG_TEST_RUN does for a SCHED_CLS program, in the
 * Truffle VM. With {@code repeat N > 1} the program first runs until Truffle has compiled it (those
 * runs are not counted; at most {@link #WARMUP_LIMIT_RUNS} runs or {@link #WARMUP_LIMIT_MS} ms), then
 * the N runs are timed and averaged, so the number compares with the kernel JIT's steady state that
 * {@code bpftool prog run} reports. How many warm-up runs it took and how long is part of the outcome.
 */
final class ProgRun {
    /** The warm-up gives up after this many runs or this long (the runs are then timed as they are). */
    static final int WARMUP_LIMIT_RUNS = 5_000_000;
    static final long WARMUP_LIMIT_MS = 30_000;

    /**
     * The run's outcome, as bpftool reports it plus our warm-up facts: {@code warmupRuns} uncounted runs
     * took {@code warmupMs}; {@code compiled} says whether the timed runs ran Graal-compiled code.
     */
    record Outcome(int retval, long durationNs, byte[] dataOut, byte[] ctxOut, List<String> printk, int warmupRuns,
                   long warmupMs, boolean compiled, String fault) {
    }

    /** What the warm-up did: uncounted runs, how long they took, whether the last one ran compiled code. */
    record Warmup(int runs, long ms, boolean compiled) {
    }

    private ProgRun() {
    }

    /**
     * Runs {@code run} until {@code compiled} says the last run left through Graal-compiled code, a
     * run faults, or {@code maxRuns} runs or {@code maxMs} have passed. Truffle compiles in the
     * background once the program is hot; until the code is installed, runs stay in the interpreter.
     */
    static Warmup warmUp(Supplier<RunResult> run, BooleanSupplier compiled, int maxRuns, long maxMs) {
        long start = System.nanoTime();
        long deadline = start + maxMs * 1_000_000;
        int runs = 0;
        boolean done = false;
        while (runs < maxRuns && !done) {
            RunResult r = run.get();
            runs++;
            done = r.fault() != null || compiled.getAsBoolean() || System.nanoTime() > deadline;
        }
        return new Warmup(runs, (System.nanoTime() - start) / 1_000_000, compiled.getAsBoolean());
    }

    static Outcome run(BpfObject obj, String program, byte[] data, byte[] ctxIn, int repeat) throws CliError {
        List<String> printk = new ArrayList<>();
        RunEnv env = new RunEnv() {
            @Override
            public void tracePrintk(String line) {
                if (printk.size() < 100) {
                    printk.add(line);
                }
            }
        };
        try (EbpfVm vm = new EbpfVm(EbpfEngine.Mode.DEFAULT)) {
            LoadedProgram prog;
            try {
                prog = vm.load(obj).program(program);
            } catch (VerifierException e) {
                throw new CliError("the simulator's verifier refuses " + program + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new CliError(e.getMessage());
            }
            Warmup warm = repeat > 1
                    ? warmUp(() -> prog.run(skb(data, ctxIn), env), prog::lastRunCompiled, WARMUP_LIMIT_RUNS, WARMUP_LIMIT_MS)
                    : new Warmup(0, 0, false);
            printk.clear(); // what the warm-up printed is not part of the answer
            SkBuff skb = null;
            RunResult result = null;
            long total = 0;
            for (int i = 0; i < Math.max(1, repeat); i++) {
                skb = skb(data, ctxIn);
                long t0 = System.nanoTime();
                result = prog.run(skb, env);
                total += System.nanoTime() - t0;
                if (result.fault() != null) {
                    break;
                }
            }
            return new Outcome(result.returnValue(), total / Math.max(1, repeat), skb.data(), ctxOut(skb), printk,
                    warm.runs(), warm.ms(), prog.lastRunCompiled(), result.fault());
        }
    }

    /** A fresh skb as BPF_PROG_TEST_RUN builds one: the frame, and the __sk_buff fields ctx_in may set. */
    private static SkBuff skb(byte[] data, byte[] ctxIn) {
        SkBuff skb = new SkBuff(data);
        skb.setIfindex(1); // test_run's skb belongs to the namespace's loopback device
        if (ctxIn != null) {
            ByteBuffer c = ByteBuffer.wrap(pad(ctxIn)).order(ByteOrder.LITTLE_ENDIAN);
            skb.setMark(c.getInt(SkBuffLayout.MARK));
            skb.setPriority(c.getInt(SkBuffLayout.PRIORITY));
            for (int i = 0; i < 5; i++) {
                skb.setCb(i, c.getInt(SkBuffLayout.CB + 4 * i));
            }
        }
        return skb;
    }

    /** The writable part of __sk_buff after the run (mark, priority, tc_index, cb, tc_classid). */
    private static byte[] ctxOut(SkBuff skb) {
        ByteBuffer c = ByteBuffer.allocate(SkBuffLayout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        c.putInt(SkBuffLayout.LEN, skb.len());
        c.putInt(SkBuffLayout.MARK, skb.mark());
        c.putInt(SkBuffLayout.PRIORITY, skb.priority());
        c.putInt(SkBuffLayout.TC_INDEX, skb.tcIndex());
        for (int i = 0; i < 5; i++) {
            c.putInt(SkBuffLayout.CB + 4 * i, skb.cb(i));
        }
        c.putInt(SkBuffLayout.TC_CLASSID, skb.tcClassid());
        return c.array();
    }

    private static byte[] pad(byte[] ctx) {
        byte[] b = new byte[Math.max(SkBuffLayout.SIZE, ctx.length)];
        System.arraycopy(ctx, 0, b, 0, ctx.length);
        return b;
    }
}
