package dev.tcxsim.cli;

import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.truffle.EbpfEngine;
import dev.tcxsim.vm.verifier.Verifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tcxsim vm-plugin}: the bpf_conformance plugin protocol, so that public eBPF VM
 * conformance suite can drive our VM unchanged. The program comes as hex bytes on standard input
 * (or after {@code --program}); the optional first argument is the memory, also as hex bytes.
 * r1 points at the memory and r2 holds its length; the plugin prints r0 in hex and exits 0, or
 * prints why it could not run and exits 1.
 */
@Command(name = "vm-plugin", description = {"The bpf_conformance plugin protocol: run one program on one memory buffer.",
        "  vm-plugin [MEMORY_HEX] [--program PROGRAM_HEX]    (program from standard input when --program is absent)",
        "Hex bytes are separated by spaces, e.g. \"b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00\"."})
final class VmPluginCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Parameters(arity = "0..1", paramLabel = "MEMORY_HEX", description = "The memory r1 points at.")
    String memoryHex;

    @CommandLine.Option(names = "--program", paramLabel = "PROGRAM_HEX", description = "The program's bytes.")
    String programHex;

    @CommandLine.Option(names = {"--jit", "--interpret"}, hidden = true,
            description = "Accepted for the protocol; the Truffle VM decides when to compile.")
    boolean modeIgnored;

    @Override
    public Integer call() throws IOException {
        String program = programHex;
        if (program == null) {
            program = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine();
        }
        byte[] code = hex(program == null ? "" : program);
        byte[] memory = hex(memoryHex == null ? "" : memoryHex);
        if (code.length == 0 || code.length % 8 != 0) {
            main.err().println("Error: the program must be a non-empty multiple of 8 bytes, got " + code.length);
            return 1;
        }
        long[] insns = new long[code.length / 8 + 1];
        // r2 = the memory's length. Prepending one instruction keeps every relative jump and call intact.
        insns[0] = 0xb7L | 2 << 8 | ((long) memory.length << 32);
        ByteBuffer b = ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 1; i < insns.length; i++) {
            insns[i] = b.getLong();
        }
        try (EbpfVm vm = new EbpfVm(EbpfEngine.Mode.DEFAULT)) {
            LoadedProgram prog;
            try {
                prog = vm.loadProgram(ProgramSpec.raw("plugin", Verifier.PROG_TYPE_MEMORY, insns), List.of());
            } catch (VerifierException e) {
                main.err().println("Failed to load code: " + e.getMessage());
                main.out().println("Failed to load code: " + e.getMessage());
                return 1;
            }
            RunResult r = prog.runOnMemory(memory);
            if (r.fault() != null) {
                main.err().println("Failed to execute program: " + r.fault());
                return 1;
            }
            main.out().println(Long.toHexString(r.r0()));
            return 0;
        }
    }

    /** Space-separated hex bytes; words that are not hex are skipped, as the protocol's plugins do. */
    static byte[] hex(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String word : text.trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            try {
                int v = Integer.parseInt(word, 16);
                if (v >= 0 && v <= 255) {
                    out.write(v);
                }
            } catch (NumberFormatException ignored) {
                // the reference plugins ignore invalid values too
            }
        }
        return out.toByteArray();
    }
}
