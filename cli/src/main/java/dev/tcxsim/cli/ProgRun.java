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

/**
 * {@code prog run} on the simulator: what BPF_PROG_TEST_RUN does for a SCHED_CLS program, in the
 * Truffle VM. With {@code repeat N > 1} the program first runs until Truffle has compiled it (not
 * counted: {@link #WARMUP_RUNS} runs), then the N runs are timed and averaged, so the number
 * compares with the kernel JIT's steady state that {@code bpftool prog run} reports.
 */
final class ProgRun {
    /** Runs before timing when repeat > 1: enough for Truffle to compile a tc program. */
    static final int WARMUP_RUNS = 20_000;

    /** The run's outcome, as bpftool reports it plus our warm-up facts. */
    record Outcome(int retval, long durationNs, byte[] dataOut, byte[] ctxOut, List<String> printk, int warmupRuns,
                   long warmupMs, String fault) {
    }

    private ProgRun() {
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
            int warmup = 0;
            long warmupStart = System.nanoTime();
            if (repeat > 1) {
                for (; warmup < WARMUP_RUNS; warmup++) {
                    RunResult r = prog.run(skb(data, ctxIn), env);
                    if (r.fault() != null) {
                        break;
                    }
                }
                printk.clear();
            }
            long warmupMs = (System.nanoTime() - warmupStart) / 1_000_000;
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
                    warmup, warmupMs, result.fault());
        }
    }

    /** A fresh skb as BPF_PROG_TEST_RUN builds one: the frame, and the __sk_buff fields ctx_in may set. */
    private static SkBuff skb(byte[] data, byte[] ctxIn) {
        SkBuff skb = new SkBuff(data);
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
