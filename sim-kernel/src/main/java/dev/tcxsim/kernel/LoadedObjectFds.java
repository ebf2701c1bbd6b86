package dev.tcxsim.kernel;

import java.util.Map;

/** The fds {@link BpfProcess#loadObject} created, by map name and by program name. */
public record LoadedObjectFds(Map<String, Integer> mapFds, Map<String, Integer> progFds) {
    public LoadedObjectFds {
        mapFds = Map.copyOf(mapFds);
        progFds = Map.copyOf(progFds);
    }

    /** The fd of program {@code name}; IllegalArgumentException naming the known ones otherwise. */
    public int prog(String name) {
        Integer fd = progFds.get(name);
        if (fd == null) {
            throw new IllegalArgumentException("no program '" + name + "'; loaded: " + progFds.keySet());
        }
        return fd;
    }

    /** The fd of map {@code name}; IllegalArgumentException naming the known ones otherwise. */
    public int map(String name) {
        Integer fd = mapFds.get(name);
        if (fd == null) {
            throw new IllegalArgumentException("no map '" + name + "'; created: " + mapFds.keySet());
        }
        return fd;
    }
}
