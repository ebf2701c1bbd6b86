package dev.tcxsim.vm;

import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.elf.Relocation;
import dev.tcxsim.vm.helpers.Kfuncs;
import dev.tcxsim.vm.helpers.MapHelpers;
import dev.tcxsim.vm.interp.ReferenceInterpreter;
import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.maps.MapException;
import dev.tcxsim.vm.maps.MapOfMaps;
import dev.tcxsim.vm.maps.MapPins;
import dev.tcxsim.vm.maps.ProgArrayMap;
import dev.tcxsim.vm.maps.TailCallRules;
import dev.tcxsim.vm.mem.Ptr;
import dev.tcxsim.vm.truffle.EbpfEngine;
import dev.tcxsim.vm.truffle.TruffleProgram;
import dev.tcxsim.vm.verifier.Verifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Loads programs and runs them through the Truffle interpreter (or, for differential tests, the
 * plain reference interpreter).
 *
 * <p>Loading a program: verify its structure ({@link Verifier}), resolve every LD_IMM64 that
 * names a map into the tagged pointer the VM uses (a map handle, or a pointer into a map's value
 * for global data), then build the executor. Runs may happen on any thread.
 */
public final class EbpfVm implements AutoCloseable {
    /** Default instruction budget of one run. */
    public static final long DEFAULT_BUDGET = 1_000_000;

    private final EbpfEngine.Mode mode;
    private final EbpfEngine engine;
    private final long budget;
    /** How this VM's runs enter its engine's context; one object, so chains can tell programs of one engine. */
    private final Supplier<AutoCloseable> enter;
    private final MapPins pins = new MapPins();

    public EbpfVm(EbpfEngine.Mode mode) {
        this(mode, DEFAULT_BUDGET);
    }

    /** A VM whose runs stop with a fault after {@code budget} instructions. */
    public EbpfVm(EbpfEngine.Mode mode, long budget) {
        this(mode, budget, false);
    }

    private EbpfVm(EbpfEngine.Mode mode, long budget, boolean reference) {
        if (budget <= 0) {
            throw new IllegalArgumentException("instruction budget must be positive, got " + budget);
        }
        this.mode = mode;
        this.budget = budget;
        this.engine = reference ? null : EbpfEngine.shared(mode);
        this.enter = engine == null ? () -> null : engine::enterCurrentThread;
    }

    /** Maps pinned by name (LIBBPF_PIN_BY_NAME) by the objects this VM loaded, shared between those objects. */
    public MapPins pins() {
        return pins;
    }

    /** A VM that runs programs with the plain Java reference interpreter instead of Truffle. */
    public static EbpfVm referenceInterpreter(long budget) {
        return new EbpfVm(EbpfEngine.Mode.INTERPRETED, budget, true);
    }

    public static EbpfVm referenceInterpreter() {
        return referenceInterpreter(DEFAULT_BUDGET);
    }

    public EbpfEngine.Mode mode() {
        return mode;
    }

    /** True when this VM runs the reference interpreter. */
    public boolean isReference() {
        return engine == null;
    }

    /**
     * Creates all maps of {@code obj} (reusing those pinned by name in this VM), fills map-in-map
     * slots, resolves its relocations, verifies every program and fills prog arrays.
     */
    public LoadedObject load(BpfObject obj) throws VerifierException {
        List<BpfMap> maps = new ArrayList<>();
        boolean[] reused = new boolean[obj.maps().size()];
        List<String> pinnedHere = new ArrayList<>();
        try {
            for (int i = 0; i < reused.length; i++) {
                MapSpec spec = obj.maps().get(i);
                try {
                    if (spec.pinning() == 1) {
                        String path = MapPins.pathOf(obj.pinRootPath(), spec.name());
                        MapPins.Pinned p = pins.reuseOrCreate(path, spec, obj.maps());
                        reused[i] = p.reused();
                        if (!p.reused()) {
                            pinnedHere.add(path);
                        }
                        maps.add(p.map());
                    } else {
                        maps.add(BpfMap.create(spec, obj.maps()));
                    }
                } catch (MapException e) {
                    throw new VerifierException("object " + obj.name() + ": cannot create map '" + spec.name() + "': "
                            + e.getMessage());
                }
            }
            try {
                MapOfMaps.fillInitialSlots(obj.maps(), maps, i -> !reused[i]);
            } catch (MapException e) {
                throw new VerifierException("object " + obj.name() + ": " + e.getMessage());
            }
            return loadPrograms(obj, maps);
        } catch (VerifierException | RuntimeException e) {
            // like libbpf, a failed load unpins the maps it pinned itself
            pinnedHere.forEach(pins::unpin);
            throw e;
        }
    }

    private LoadedObject loadPrograms(BpfObject obj, List<BpfMap> maps) throws VerifierException {
        List<LoadedProgram> programs = new ArrayList<>();
        for (ProgramSpec p : obj.programs()) {
            programs.add(loadProgram(p, maps));
        }
        LoadedObject loaded = new LoadedObject(obj.name(), maps, programs);
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i) instanceof ProgArrayMap pa && obj.maps().get(i).initialProgSlots() != null) {
                for (Map.Entry<Integer, String> slot : obj.maps().get(i).initialProgSlots().entrySet()) {
                    try {
                        pa.set(slot.getKey(), loaded.program(slot.getValue()));
                    } catch (MapException | IllegalArgumentException e) {
                        throw new VerifierException("object " + obj.name() + ": prog array '" + pa.name() + "' slot "
                                + slot.getKey() + ": " + e.getMessage());
                    }
                }
            }
        }
        return loaded;
    }

    /**
     * Verifies and prepares one program. Map references are resolved through the spec's
     * relocations (whose mapIndex indexes {@code mapsByIndex}); an LD_IMM64 with
     * BPF_PSEUDO_MAP_FD or BPF_PSEUDO_MAP_VALUE that no relocation covers takes its first imm as
     * the index into {@code mapsByIndex} (how raw programs and MAP_CREATE'd maps meet).
     */
    public LoadedProgram loadProgram(ProgramSpec spec, List<BpfMap> mapsByIndex) throws VerifierException {
        MapHelpers.checkProgramType(spec);
        long[] insns = spec.insns().clone();
        Kfuncs.bind(spec, insns);
        int[] functionStarts = Verifier.verify(spec, insns);
        TailCallRules.check(spec, insns, functionStarts);
        List<BpfMap> maps = mapsByIndex == null ? List.of() : mapsByIndex;
        resolve(spec, insns, maps);
        Supplier<AutoCloseable> enter = this.enter;
        LoadedProgram program = new LoadedProgram(spec, insns, functionStarts, budget, enter, maps);
        if (engine == null) {
            program.setExecutor(new ReferenceInterpreter(insns));
        } else {
            try (AutoCloseable entered = engine.enterCurrentThread()) {
                program.setExecutor(new TruffleProgram(engine.language(), program, insns, functionStarts));
            } catch (Exception e) {
                throw new IllegalStateException("cannot build the Truffle program for " + spec.name() + ": " + e, e);
            }
        }
        return program;
    }

    /** A program from raw instructions (tests, MAP_CREATE'd maps referenced by index). */
    public LoadedProgram loadRaw(String name, List<BpfMap> mapsByIndex, long... insns) throws VerifierException {
        return loadProgram(ProgramSpec.raw(name, 3, insns), mapsByIndex);
    }

    private static void resolve(ProgramSpec spec, long[] insns, List<BpfMap> maps) throws VerifierException {
        Map<Integer, Relocation> relocs = new java.util.HashMap<>();
        if (spec.relocations() != null) {
            for (Relocation r : spec.relocations()) {
                relocs.put(r.insnIndex(), r);
            }
        }
        for (int pc = 0; pc < insns.length; pc++) {
            if (Op.opcode(insns[pc]) != Op.LD_IMM64) {
                continue;
            }
            int src = Op.src(insns[pc]);
            Relocation r = relocs.get(pc);
            long value;
            switch (src) {
                case 0 -> {
                    pc++;
                    continue;
                }
                case Op.PSEUDO_MAP_FD, Op.PSEUDO_MAP_VALUE -> {
                    int index = r != null ? r.mapIndex() : Op.imm(insns[pc]);
                    if (index < 0 || index >= maps.size()) {
                        throw new VerifierException(pc, SourceLines.describe(spec, pc) + ": map reference " + index
                                + " names no map (the program was given " + maps.size() + ")");
                    }
                    BpfMap map = maps.get(index);
                    if (src == Op.PSEUDO_MAP_FD) {
                        value = map.handle();
                    } else {
                        int offset = Op.imm(insns[pc + 1]);
                        if (offset < 0 || offset >= map.valueSize() || map.strideShift() < 0) {
                            throw new VerifierException(pc, SourceLines.describe(spec, pc) + ": direct value offset "
                                    + offset + " is outside map '" + map.name() + "' (value size " + map.valueSize() + ")");
                        }
                        value = map.slotPointer(0) + offset;
                    }
                }
                case Op.PSEUDO_BTF_ID -> value = 0;
                case Op.PSEUDO_FUNC -> value = Ptr.make(Ptr.FUNC, pc + 1 + Op.imm(insns[pc]));
                default -> throw new VerifierException(pc, SourceLines.describe(spec, pc)
                        + ": unrecognized bpf_ld_imm64 insn (src_reg " + src + ")");
            }
            insns[pc] = Op.withImm(insns[pc] & ~0xf000L, (int) value);
            insns[pc + 1] = Op.withImm(insns[pc + 1], (int) (value >>> 32));
            pc++;
        }
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
