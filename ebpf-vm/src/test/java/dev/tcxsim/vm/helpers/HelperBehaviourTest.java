package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.maps.ProgArrayMap;
import dev.tcxsim.vm.maps.RingBufMap;
import dev.tcxsim.vm.support.Asm;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static dev.tcxsim.vm.isa.Op.*;
import static dev.tcxsim.vm.support.Asm.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Helpers whose effect is outside r0: tail calls, redirects, trace output, ring buffers, the environment. */
class HelperBehaviourTest {
    private static RunResult run(LoadedProgram p, SkBuff skb, RunEnv env) {
        RunResult r = p.run(skb, env);
        assertNull(r.fault(), r.fault());
        return r;
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void tailCallsStopAfter33(Modes.Mode mode) throws Exception {
        List<BpfMap> maps = Modes.maps(MapSpec.of("jt", BpfMap.TYPE_PROG_ARRAY, 4, 4, 1, 0),
                MapSpec.of("n", BpfMap.TYPE_ARRAY, 4, 8, 1, 0));
        // count the run in n[0], then tail-call slot 0 (itself); when the call fails, return 42
        long[] insns = new Asm().mov64r(R6, R1).st(W, R10, -4, 0).mov64r(R2, R10).alu64(ADD, R2, -4).ldMap(R1, 1)
                .call(Helpers.MAP_LOOKUP_ELEM).jmp(JEQ, R0, 0, "out").mov64(R1, 1).atomic(DW, R0, R1, 0, ADD)
                .label("out").mov64r(R1, R6).ldMap(R2, 0).mov64(R3, 0).call(Helpers.TAIL_CALL).ret(42).build();
        LoadedProgram p = Modes.vm(mode).loadRaw("self", maps, insns);
        ((ProgArrayMap) maps.get(0)).set(0, p);
        RunResult r = run(p, new SkBuff(Modes.packet(64)), RunEnv.DEFAULT);
        assertEquals(42, r.returnValue());
        assertEquals(34, ByteBuffer.wrap(maps.get(1).lookup(new byte[4])).order(ByteOrder.LITTLE_ENDIAN).getLong(),
                "the first run and 33 tail calls");
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void redirectIsRecorded(Modes.Mode mode) throws Exception {
        LoadedProgram p = Modes.vm(mode).loadRaw("redir", List.of(),
                new Asm().mov64(R1, 7).mov64(R2, 1).call(Helpers.REDIRECT).exit().build());
        RunResult r = run(p, new SkBuff(Modes.packet(64)), RunEnv.DEFAULT);
        assertEquals(7, r.returnValue());
        assertEquals(new RunResult.Redirect(7, 1, RunResult.Redirect.Kind.REDIRECT), r.redirect());
        LoadedProgram peer = Modes.vm(mode).loadRaw("peer", List.of(),
                new Asm().mov64(R1, 9).mov64(R2, 0).call(Helpers.REDIRECT_PEER).exit().build());
        assertEquals(RunResult.Redirect.Kind.PEER, run(peer, new SkBuff(Modes.packet(64)), RunEnv.DEFAULT).redirect().kind());
        LoadedProgram shot = Modes.vm(mode).loadRaw("shot", List.of(),
                new Asm().mov64(R1, 9).mov64(R2, 4).call(Helpers.REDIRECT).exit().build());
        RunResult s = run(shot, new SkBuff(Modes.packet(64)), RunEnv.DEFAULT);
        assertEquals(Helpers.TC_ACT_SHOT, s.returnValue());
        assertNull(s.redirect());
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void tracePrintkFormats(Modes.Mode mode) throws Exception {
        // "x=%d u=%u h=%x\n" on the stack, args -5, -5, 255
        byte[] fmt = "x=%d u=%u h=%x\n\0".getBytes();
        Asm a = new Asm();
        for (int i = 0; i < fmt.length; i++) {
            a.st(B, R10, -32 + i, fmt[i]);
        }
        a.mov64r(R1, R10).alu64(ADD, R1, -32).mov64(R2, fmt.length).mov64(R3, -5).mov64(R4, -5).mov64(R5, 255)
                .call(Helpers.TRACE_PRINTK).exit();
        List<String> lines = new ArrayList<>();
        RunEnv env = new RunEnv() {
            @Override
            public void tracePrintk(String line) {
                lines.add(line);
            }
        };
        RunResult r = run(Modes.vm(mode).loadRaw("printk", List.of(), a.build()), new SkBuff(Modes.packet(64)), env);
        assertEquals(List.of("x=-5 u=4294967291 h=ff"), lines);
        assertEquals("x=-5 u=4294967291 h=ff\n".length(), r.returnValue());
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void traceVprintkTakesAnArgumentArray(Modes.Mode mode) throws Exception {
        byte[] fmt = "%s:%c:%lx|%5d|%-3u|\0".getBytes();
        Asm a = new Asm();
        for (int i = 0; i < fmt.length; i++) {
            a.st(B, R10, -64 + i, fmt[i]);
        }
        a.st(W, R10, -24, 0x00006968); // "hi"
        a.mov64r(R1, R10).alu64(ADD, R1, -24).stx(DW, R10, R1, -128); // args[0] = &"hi"
        a.st(DW, R10, -120, 'Z').ldImm64(R1, 0xabcdef0123L).stx(DW, R10, R1, -112).st(DW, R10, -104, 42)
                .st(DW, R10, -96, 7);
        a.mov64r(R1, R10).alu64(ADD, R1, -64).mov64(R2, fmt.length).mov64r(R3, R10).alu64(ADD, R3, -128)
                .mov64(R4, 40).call(Helpers.TRACE_VPRINTK).mov64r(R6, R0)
                .mov64r(R1, R10).alu64(ADD, R1, -64).mov64(R2, fmt.length).mov64r(R3, R10).alu64(ADD, R3, -128)
                .mov64(R4, 32).call(Helpers.TRACE_VPRINTK).alu64(LSH, R0, 32).alu64r(OR, R0, R6).exit();
        List<String> lines = new ArrayList<>();
        RunEnv env = new RunEnv() {
            @Override
            public void tracePrintk(String line) {
                lines.add(line);
            }
        };
        RunResult r = run(Modes.vm(mode).loadRaw("vprintk", List.of(), a.build()), new SkBuff(Modes.packet(64)), env);
        assertEquals(List.of("hi:Z:abcdef0123|   42|7  |"), lines);
        assertEquals("hi:Z:abcdef0123|   42|7  |".length(), (int) r.r0());
        assertEquals(-22, (int) (r.r0() >> 32), "five conversions with four arguments is EINVAL");
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void ldImm64PseudoSources(Modes.Mode mode) throws Exception {
        // BPF_PSEUDO_BTF_ID loads 0 here (no kernel objects); BPF_PSEUDO_FUNC loads something that is not NULL
        long[] insns = new Asm().raw(dev.tcxsim.vm.isa.Op.make(LD_IMM64, R1, PSEUDO_BTF_ID, 0, 77)).raw(0)
                .raw(dev.tcxsim.vm.isa.Op.make(LD_IMM64, R2, PSEUDO_FUNC, 0, 5)).raw(0)
                .mov64r(R0, R1).jmp(JEQ, R2, 0, "out").alu64(ADD, R0, 5).label("out").exit()
                .label("f").ret(0).build();
        assertEquals(5, run(Modes.vm(mode).loadRaw("pseudo", List.of(), insns), new SkBuff(Modes.packet(64)),
                RunEnv.DEFAULT).r0());
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void ringbufRecordsReachTheReader(Modes.Mode mode) throws Exception {
        List<BpfMap> maps = Modes.maps(MapSpec.of("events", BpfMap.TYPE_RINGBUF, 0, 0, 4096, 0));
        // reserve 8 bytes, write len there, submit; then output 4 bytes of mark
        long[] insns = new Asm().mov64r(R6, R1).ldMap(R1, 0).mov64(R2, 8).mov64(R3, 0).call(Helpers.RINGBUF_RESERVE)
                .jmp(JEQ, R0, 0, "out").ldx(W, R2, R6, SkBuffLayout.LEN).stx(DW, R0, R2, 0).mov64r(R1, R0).mov64(R2, 0)
                .call(Helpers.RINGBUF_SUBMIT).st(W, R10, -4, 0x01020304).ldMap(R1, 0).mov64r(R2, R10).alu64(ADD, R2, -4)
                .mov64(R3, 4).mov64(R4, 0).call(Helpers.RINGBUF_OUTPUT).exit().label("out").ret(-1).build();
        RunResult r = run(Modes.vm(mode).loadRaw("rb", maps, insns), new SkBuff(Modes.packet(64)), RunEnv.DEFAULT);
        assertEquals(0, r.returnValue());
        RingBufMap rb = (RingBufMap) maps.get(0);
        assertArrayEquals(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(64).array(), rb.poll());
        assertArrayEquals(new byte[] {4, 3, 2, 1}, rb.poll());
        assertNull(rb.poll());
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void environmentHelpers(Modes.Mode mode) throws Exception {
        RunEnv env = new RunEnv() {
            @Override
            public long nowNs() {
                return 1_000_000_007L;
            }

            @Override
            public int cpu() {
                return 1;
            }
        };
        LoadedProgram time = Modes.vm(mode).loadRaw("t", List.of(), new Asm().call(Helpers.KTIME_GET_NS).exit().build());
        assertEquals(1_000_000_007L, run(time, new SkBuff(Modes.packet(64)), env).r0());
        LoadedProgram cpu = Modes.vm(mode).loadRaw("c", List.of(), new Asm().call(Helpers.GET_SMP_PROCESSOR_ID).exit().build());
        assertEquals(1, run(cpu, new SkBuff(Modes.packet(64)), env).r0());
        LoadedProgram rnd = Modes.vm(mode).loadRaw("r", List.of(), new Asm().call(Helpers.GET_PRANDOM_U32).mov64r(R6, R0)
                .call(Helpers.GET_PRANDOM_U32).alu64(LSH, R0, 32).alu64r(OR, R0, R6).exit().build());
        long a = run(rnd, new SkBuff(Modes.packet(64)), env).r0();
        long b = run(rnd, new SkBuff(Modes.packet(64)), env).r0();
        assertEquals(a, b, "the same seed gives the same numbers");
        org.junit.jupiter.api.Assertions.assertNotEquals((int) a, (int) (a >>> 32), "two draws differ");
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void percpuLookupSeesTheRunsCpu(Modes.Mode mode) throws Exception {
        List<BpfMap> maps = Modes.maps(MapSpec.of("pc", BpfMap.TYPE_PERCPU_ARRAY, 4, 8, 1, 0));
        long[] insns = new Asm().st(W, R10, -4, 0).mov64r(R2, R10).alu64(ADD, R2, -4).ldMap(R1, 0)
                .call(Helpers.MAP_LOOKUP_ELEM).jmp(JEQ, R0, 0, "out").st(DW, R0, 0, 5).label("out").ret(0).build();
        LoadedProgram p = Modes.vm(mode).loadRaw("pc", maps, insns);
        run(p, new SkBuff(Modes.packet(64)), new RunEnv() {
            @Override
            public int cpu() {
                return 1;
            }
        });
        byte[] all = maps.get(0).lookup(new byte[4]);
        assertEquals(0, ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0), "cpu 0 untouched");
        assertEquals(5, ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(8), "cpu 1 written");
    }
}
