package dev.tcxsim.vm.elf;

import java.util.List;

/**
 * One parsed, linked ELF object: its maps (global data included) and its programs.
 *
 * @param ignoredSections code sections that hold no tc program, with the reason (see {@link IgnoredSection})
 * @param pinRootPath     where maps pinned by name go ({@link LoadOptions#pinRootPath()})
 * @param externs         the object's extern variables and kfuncs and how the loader resolved them
 */
public record BpfObject(String name, String license, int kernelVersion, List<MapSpec> maps,
                        List<ProgramSpec> programs, byte[] btf, List<IgnoredSection> ignoredSections,
                        String pinRootPath, List<Extern> externs) {
    public BpfObject {
        ignoredSections = List.copyOf(ignoredSections);
        externs = List.copyOf(externs);
    }

    /** An object with no ignored sections or externs, pinned under {@link LoadOptions#DEFAULT_PIN_ROOT}. */
    public BpfObject(String name, String license, int kernelVersion, List<MapSpec> maps, List<ProgramSpec> programs,
                     byte[] btf) {
        this(name, license, kernelVersion, maps, programs, btf, List.of(), LoadOptions.DEFAULT_PIN_ROOT, List.of());
    }

    /** The program whose function name is {@code name}. */
    public ProgramSpec program(String name) {
        for (ProgramSpec p : programs) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("object " + this.name + " has no program named '" + name + "'; it has "
                + programs.stream().map(ProgramSpec::name).toList()
                + (ignoredSections.isEmpty() ? "" : " (ignored sections: " + ignoredSections + ")"));
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
