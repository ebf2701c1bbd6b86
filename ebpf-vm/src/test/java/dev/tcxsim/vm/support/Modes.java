package dev.tcxsim.vm.support;

import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.maps.MapException;
import dev.tcxsim.vm.truffle.EbpfEngine;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The three ways the tests run a program: the Truffle interpreter without compilation, Truffle with
 * every call target compiled on its first call (a partial-evaluation failure throws), and the plain
 * reference interpreter. One VM per mode is shared by all tests of a JVM.
 */
public final class Modes {
    public enum Mode { INTERPRETED, COMPILED, REFERENCE }

    private static final Map<Mode, EbpfVm> VMS = new EnumMap<>(Mode.class);

    private Modes() {
    }

    public static synchronized EbpfVm vm(Mode mode) {
        return VMS.computeIfAbsent(mode, m -> switch (m) {
            case INTERPRETED -> new EbpfVm(EbpfEngine.Mode.INTERPRETED);
            case COMPILED -> new EbpfVm(EbpfEngine.Mode.COMPILE_IMMEDIATELY);
            case REFERENCE -> EbpfVm.referenceInterpreter();
        });
    }

    /** One mode's run: its result, the packet afterwards, and the maps it used. */
    public record Run(Mode mode, RunResult result, SkBuff skb, List<BpfMap> maps) {
    }

    public static List<BpfMap> maps(MapSpec... specs) throws MapException {
        List<BpfMap> maps = new ArrayList<>();
        for (MapSpec s : specs) {
            maps.add(BpfMap.create(s));
        }
        return maps;
    }

    /** Loads and runs {@code insns} once in {@code mode} on a fresh packet and fresh maps. */
    public static Run run(Mode mode, long[] insns, byte[] packet, RunEnv env, MapSpec... specs)
            throws VerifierException, MapException {
        List<BpfMap> maps = maps(specs);
        LoadedProgram p = vm(mode).loadRaw("test", maps, insns);
        SkBuff skb = new SkBuff(packet);
        skb.setIfindex(1); // BPF_PROG_TEST_RUN runs on the loopback device
        RunResult r = p.run(skb, env);
        return new Run(mode, r, skb, maps);
    }

    /** Runs in every mode. */
    public static Map<Mode, Run> runAll(long[] insns, byte[] packet, RunEnv env, MapSpec... specs)
            throws VerifierException, MapException {
        Map<Mode, Run> out = new EnumMap<>(Mode.class);
        for (Mode m : Mode.values()) {
            out.put(m, run(m, insns, packet, env, specs));
        }
        return out;
    }

    /** A 64-byte IPv4/UDP-looking frame with recognisable bytes. */
    public static byte[] packet(int len) {
        byte[] p = new byte[len];
        for (int i = 0; i < len; i++) {
            p[i] = (byte) (i * 7 + 1);
        }
        if (len >= 14) {
            p[12] = 0x08;
            p[13] = 0x00;
        }
        return p;
    }
}
