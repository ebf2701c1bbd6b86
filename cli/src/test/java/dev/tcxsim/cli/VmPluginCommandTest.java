package dev.tcxsim.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A few cases of our own through the bpf_conformance plugin protocol (r1 = memory, r2 = its length). */
class VmPluginCommandTest {
    private static final String EXIT = "95 00 00 00 00 00 00 00";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "r0 = 42                      | b7 00 00 00 2a 00 00 00 | '' | 2a",
            "r0 = -1 is 64-bit            | b7 00 00 00 ff ff ff ff | '' | ffffffffffffffff",
            "load 4 bytes from r1         | 61 10 00 00 00 00 00 00 | 01 02 03 04 | 4030201",
            "r2 holds the memory length   | bf 20 00 00 00 00 00 00 | aa bb cc | 3",
            "store then load through r1   | 62 01 00 00 44 33 22 11 61 10 00 00 00 00 00 00 | 00 00 00 00 | 11223344",
            "div by a zero register is 0  | b7 00 00 00 07 00 00 00 b7 03 00 00 00 00 00 00 3f 30 00 00 00 00 00 00 | '' | 0",
    })
    void runsAProgramOnMemory(String name, String program, String memory, String expected) {
        MainTest.Run r = memory.isEmpty()
                ? MainTest.run("vm-plugin", "--program", program + " " + EXIT)
                : MainTest.run("vm-plugin", memory, "--program", program + " " + EXIT);
        assertEquals(0, r.code(), name + ": " + r.err());
        assertEquals(expected, r.out().strip(), name);
    }

    @Test
    void anOutOfBoundsLoadFailsTheRunWithTheReason() {
        MainTest.Run r = MainTest.run("vm-plugin", "01 02 03 04", "--program", "61 10 08 00 00 00 00 00 " + EXIT);
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("Failed to execute program") && r.err().contains("out of bounds"), r.err());
    }

    @Test
    void anInvalidOpcodeFailsTheLoad() {
        MainTest.Run r = MainTest.run("vm-plugin", "--program", "ff 00 00 00 00 00 00 00 " + EXIT);
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("Failed to load code"), r.err());
    }

    @Test
    void aProgramThatIsNotWholeInstructionsIsRefused() {
        MainTest.Run r = MainTest.run("vm-plugin", "--program", "b7 00 00");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("multiple of 8 bytes"), r.err());
    }
}
