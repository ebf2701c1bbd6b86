package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.LoadedObjectFds;
import dev.tcxsim.vm.elf.ElfLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the loader found in an object survives the simulated kernel's own relocation pass
 * (SimProcess rewrites map references into fds and rebuilds each program): kfunc calls and
 * poisoned CO-RE relocations.
 */
class ObjectFeaturesTest {
    private static final Path PROGS = Path.of("..", "testdata", "progs").toAbsolutePath().normalize();

    @Test
    void anObjectCallingKfuncsLoads() throws Exception {
        try (SimKernel k = new SimKernel()) {
            BpfProcess p = k.process("t");
            LoadedObjectFds fds = p.loadObject(ElfLoader.load(PROGS.resolve("cb_dynptr.o")));
            assertFalse(fds.progFds().isEmpty(), "cb_dynptr.o's programs call bpf_dynptr_from_skb: " + fds);
        }
    }

    @Test
    void mapsOfMapsGetTheirInnerTemplateInitialSlotsAndFdValues() throws Exception {
        try (SimKernel k = new SimKernel()) {
            BpfProcess p = k.process("t");
            LoadedObjectFds fds = p.loadObject(ElfLoader.load(PROGS.resolve("map_in_map.o")));
            var veth = k.addVeth("va", "vb");
            p.progAttach(veth.peerIfindex(), dev.tcxsim.kernel.Uapi.BPF_TCX_INGRESS, fds.prog("count_inner"), 0, 0, 0, 0);
            k.transmit("va", Progs.udp("192.0.2.2", 5000, "x".getBytes()));
            // cb[0] is 0, so the program counted in outer[0], which __array(values, ...) set to inner_a
            byte[] n = p.mapLookup(fds.mapFds().get("inner_a"), new byte[4]);
            assertTrue(n[0] == 1, "inner_a[0] after one packet: " + java.util.Arrays.toString(n));
            // user space puts a map into a map of maps by its fd, as bpf(2) takes it
            int innerB = fds.mapFds().get("inner_b");
            p.mapUpdate(fds.mapFds().get("by_id"), new byte[] {5, 0, 0, 0}, new byte[] {(byte) innerB, 0, 0, 0}, 0);
            byte[] id = p.mapLookup(fds.mapFds().get("by_id"), new byte[] {5, 0, 0, 0});
            assertTrue(id.length == 4 && (id[0] | id[1] | id[2] | id[3]) != 0, "a lookup answers the inner map's id");
        }
    }

    @Test
    void mapsPinnedByNameAreSharedBetweenObjects() throws Exception {
        try (SimKernel k = new SimKernel()) {
            BpfProcess a = k.process("a");
            BpfProcess b = k.process("b");
            LoadedObjectFds fa = a.loadObject(ElfLoader.load(PROGS.resolve("maps_pin_a.o")));
            LoadedObjectFds fb = b.loadObject(ElfLoader.load(PROGS.resolve("maps_pin_b.o")));
            String shared = "shared_hits"; // LIBBPF_PIN_BY_NAME in both objects
            byte[] key = new byte[4];
            byte[] value = a.mapLookup(fa.mapFds().get(shared), key).clone();
            value[0] ^= 0x5a;
            a.mapUpdate(fa.mapFds().get(shared), key, value, 0);
            org.junit.jupiter.api.Assertions.assertArrayEquals(value, b.mapLookup(fb.mapFds().get(shared), key),
                    "object b reused the map object a pinned by name");
            if (fa.mapFds().containsKey("own_hits") && fb.mapFds().containsKey("own_hits")) {
                a.mapUpdate(fa.mapFds().get("own_hits"), key, value, 0);
                org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(value,
                        b.mapLookup(fb.mapFds().get("own_hits"), key)), "maps without pinning stay per object");
            }
            b.unpin("/sys/fs/bpf/" + shared);
        }
    }

    @Test
    void anObjectWithADeadPoisonedRelocationLoads() throws Exception {
        var obj = ElfLoader.load(PROGS.resolve("core_skb.o"));
        assertTrue(obj.programs().stream().anyMatch(prog -> !prog.poisoned().isEmpty()),
                "core_skb.o has a relocation no kernel can satisfy");
        try (SimKernel k = new SimKernel()) {
            LoadedObjectFds fds = k.process("t").loadObject(obj);
            assertTrue(fds.progFds().containsKey("core_skb"), fds.toString());
        }
    }
}
