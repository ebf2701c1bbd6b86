package dev.tcxsim.vm.elf;

import java.util.List;

/** One parsed, linked ELF object: its maps (global data included) and its programs. */
public record BpfObject(String name, String license, int kernelVersion, List<MapSpec> maps,
                        List<ProgramSpec> programs, byte[] btf) {
    /** The program whose function name is {@code name}. */
    public ProgramSpec program(String name) {
        for (ProgramSpec p : programs) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("object " + this.name + " has no program named '" + name + "'; it has "
                + programs.stream().map(ProgramSpec::name).toList());
    }

    /** Programs whose section equals {@code sectionPrefix} or starts with it followed by '/'. */
    public List<ProgramSpec> programsInSection(String sectionPrefix) {
        return programs.stream()
                .filter(p -> p.section().equals(sectionPrefix) || p.section().startsWith(sectionPrefix + "/"))
                .toList();
    }

    /** Index of the map called {@code name} in {@link #maps()}, or -1. */
    public int mapIndex(String name) {
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
