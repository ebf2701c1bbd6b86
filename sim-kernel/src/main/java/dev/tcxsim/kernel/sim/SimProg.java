package dev.tcxsim.kernel.sim;

import dev.tcxsim.vm.elf.ProgramSpec;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A loaded program: id, type, name (truncated as the kernel does), its maps, and how to run it. */
final class SimProg extends KObject {
    /** BPF_OBJ_NAME_LEN - 1. */
    static final int NAME_MAX = 15;

    final int type;
    final String name;
    final ProgramSpec spec;
    final List<SimMap> maps;
    final ProgramRuntime.Executable exec;
    final AtomicLong runCount = new AtomicLong();
    private final Runnable onRelease;

    SimProg(int id, int type, String name, ProgramSpec spec, List<SimMap> maps, ProgramRuntime.Executable exec,
            Runnable onRelease) {
        super(id);
        this.type = type;
        this.name = name;
        this.spec = spec;
        this.maps = List.copyOf(maps);
        this.exec = exec;
        this.onRelease = onRelease;
    }

    @Override
    void release() {
        onRelease.run();
        for (SimMap m : maps) {
            m.put();
        }
    }

    @Override
    public String toString() {
        return "prog " + id + " (" + name + ")";
    }
}
