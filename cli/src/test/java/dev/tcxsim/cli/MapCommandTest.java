package dev.tcxsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tcxsim map ...} on the newer map types: keyless queues, update flags, LPM lookups, pins. */
class MapCommandTest {
    private static final Path PROGS = Path.of("..", "testdata", "progs").toAbsolutePath().normalize();

    private static MainTest.Run batch(Path dir, String... lines) throws Exception {
        Path script = dir.resolve("maps.tcx");
        Files.write(script, List.of(lines));
        return MainTest.run("batch", "file", script.toString(), "--continue");
    }

    @Test
    void queuesTakePushPeekAndFlagsWithoutKeys(@TempDir Path dir) throws Exception {
        MainTest.Run r = batch(dir,
                "prog load " + PROGS.resolve("maps_queue.o") + " q",
                "map push name fifo value 7 0 0 0 0 0 0 0",
                "map enqueue name fifo value hex 08 00 00 00 00 00 00 00",
                "map update name fifo value 9 0 0 0 0 0 0 0 any",
                "map peek name fifo",
                "map push name fifo value 10 0 0 0 0 0 0 0",
                "map push name fifo value 10 0 0 0 0 0 0 0 exist",
                "map peek name fifo",
                "map push name fifo value 1 0 0 0 0 0 0 0 noexist",
                "map pin name fifo fifo_pin");
        assertTrue(r.out().contains("value: 07 00 00 00 00 00 00 00"), r.out() + r.err());
        assertTrue(r.out().contains("value: 08 00 00 00 00 00 00 00"), "BPF_EXIST dropped the oldest: " + r.out());
        assertTrue(r.err().contains("cannot push map fifo") && r.err().contains("E2BIG"), r.err());
        assertTrue(r.err().contains("EINVAL"), "noexist is no queue flag: " + r.err());
        assertEquals(2, r.err().lines().filter(l -> l.contains("cannot push map fifo")).count(), r.err());
    }

    @Test
    void lpmTrieLooksUpTheLongestPrefix(@TempDir Path dir) throws Exception {
        MainTest.Run r = batch(dir,
                "prog load " + PROGS.resolve("maps_lpm.o") + " r",
                "map update name routes key 8 0 0 0 10 0 0 0 value 1 0 0 0",
                "map update name routes key 24 0 0 0 10 0 0 0 value 2 0 0 0 noexist",
                "map update name routes key 24 0 0 0 10 0 0 77 value 3 0 0 0 noexist",
                "map lookup name routes key 32 0 0 0 10 0 0 9",
                "map lookup name routes key 32 0 0 0 10 1 0 9");
        assertTrue(r.out().contains("key: 20 00 00 00 0a 00 00 09  value: 02 00 00 00"), r.out() + r.err());
        assertTrue(r.out().contains("key: 20 00 00 00 0a 01 00 09  value: 01 00 00 00"), r.out() + r.err());
        assertTrue(r.err().contains("cannot update map routes") && r.err().contains("EEXIST"),
                "10.0.0.77/24 is the stored 10.0.0.0/24: " + r.err());
    }

    @Test
    void dumpListsEveryElementInTheMapsOrder(@TempDir Path dir) throws Exception {
        MainTest.Run r = batch(dir,
                "prog load " + PROGS.resolve("maps_lpm.o") + " r",
                "map dump name routes",
                "map update name routes key 8 0 0 0 10 0 0 0 value 1 0 0 0",
                "map update name routes key 24 0 0 0 10 0 0 0 value 2 0 0 0",
                "map dump name routes");
        assertTrue(r.out().contains("Found 0 elements"), r.out() + r.err());
        assertTrue(r.out().contains("key: 08 00 00 00 0a 00 00 00  value: 01 00 00 00"), r.out() + r.err());
        assertTrue(r.out().contains("key: 18 00 00 00 0a 00 00 00  value: 02 00 00 00"), r.out() + r.err());
        assertTrue(r.out().contains("Found 2 elements"), r.out() + r.err());
        // the kernel's trie walks a longer prefix before the shorter one that contains it (postorder)
        assertTrue(r.out().indexOf("key: 18 00 00 00 0a") < r.out().indexOf("key: 08 00 00 00 0a"), r.out());

        String why = dev.tcxsim.conformance.harness.Backend.LINUX.whyUnavailable();
        if (why != null) {
            if (dev.tcxsim.conformance.harness.Backend.LINUX.required()) {
                org.junit.jupiter.api.Assertions.fail("the kernel comparison is required here but cannot run: " + why);
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "kernel comparison skipped: " + why);
        }
        MainTest.Run k = MainTest.run("--kernel", "linux", "batch", "file", dir.resolve("maps.tcx").toString(), "--continue");
        assertEquals(r.out(), k.out(), "map dump on the kernel (bpf(2) GET_NEXT_KEY): " + k.err());
    }

    @Test
    void aKeyedMapWithoutAKeyIsRefusedClearly(@TempDir Path dir) throws Exception {
        MainTest.Run r = batch(dir,
                "prog load " + PROGS.resolve("maps_lpm.o") + " r",
                "map lookup name routes",
                "map frob name routes");
        assertTrue(r.err().contains("cannot lookup map routes") && r.err().contains("EINVAL"), r.err());
        assertTrue(r.err().contains("push, enqueue, peek, dump, pin"), r.err());
    }
}
