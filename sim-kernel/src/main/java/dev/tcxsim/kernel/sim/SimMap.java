package dev.tcxsim.kernel.sim;

import dev.tcxsim.vm.maps.BpfMap;

/** A map object: the VM's map plus the kernel's id and references. */
final class SimMap extends KObject {
    final BpfMap map;
    private final Runnable onRelease;

    SimMap(int id, BpfMap map, Runnable onRelease) {
        super(id);
        this.map = map;
        this.onRelease = onRelease;
    }

    @Override
    void release() {
        onRelease.run();
    }

    @Override
    public String toString() {
        return "map " + id + " (" + map.name() + ")";
    }
}
