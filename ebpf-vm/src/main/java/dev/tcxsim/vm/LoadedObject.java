package dev.tcxsim.vm;

import dev.tcxsim.vm.maps.BpfMap;

import java.util.List;

/** An object after loading: its maps (in the object's order) and its programs. */
public final class LoadedObject {
    private final String name;
    private final List<BpfMap> maps;
    private final List<LoadedProgram> programs;

    LoadedObject(String name, List<BpfMap> maps, List<LoadedProgram> programs) {
        this.name = name;
        this.maps = List.copyOf(maps);
        this.programs = List.copyOf(programs);
    }

    public String name() {
        return name;
    }

    public List<BpfMap> maps() {
        return maps;
    }

    /** The map called {@code name}; IllegalArgumentException naming the known ones otherwise. */
    public BpfMap map(String name) {
        for (BpfMap m : maps) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("object " + this.name + " has no map named '" + name + "'; it has "
                + maps.stream().map(BpfMap::name).toList());
    }

    public List<LoadedProgram> programs() {
        return programs;
    }

    /** The program whose function name is {@code name}; IllegalArgumentException naming the known ones otherwise. */
    public LoadedProgram program(String name) {
        for (LoadedProgram p : programs) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("object " + this.name + " has no program named '" + name + "'; it has "
                + programs.stream().map(LoadedProgram::name).toList());
    }
}
