package dev.tcxsim.cli;

import dev.tcxsim.linux.ffm.BpfSmoke;
import dev.tcxsim.linux.ffm.KernelRequirement;
import dev.tcxsim.vm.truffle.CompilationProbe;
import dev.tcxsim.vm.truffle.EbpfEngine;
import picocli.CommandLine.Command;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tcxsim doctor}: one {@code key: value} line per thing tcxsim needs. Exit code 0 when the
 * simulator can run (the kernel backend is optional), 1 otherwise.
 */
@Command(name = "doctor", description = "Check this machine: Java, Truffle compilation, kernel backend, bpffs, clang.")
final class DoctorCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("java", Runtime.version() + " (" + System.getProperty("java.home") + ")");
        String runtime = EbpfEngine.runtimeName();
        lines.put("truffle-runtime", runtime);
        String compilation;
        boolean simulatorOk;
        if (!EbpfEngine.isOptimizing()) {
            compilation = "unavailable: the Truffle runtime is the fallback interpreter (Graal compiler not on --upgrade-module-path, or JVMCI off)";
            simulatorOk = true; // slow but correct
        } else {
            try {
                CompilationProbe.Result r = CompilationProbe.run(1000);
                compilation = r.ranCompiled() ? "ok" : "failed: the probe did not run as compiled code";
                simulatorOk = r.sum() == 499_500L;
            } catch (RuntimeException e) {
                compilation = "failed: " + e.getMessage();
                simulatorOk = false;
            }
        }
        lines.put("truffle-compilation", compilation);
        lines.put("kernel", KernelRequirement.release());
        lines.put("kernel-backend", kernelBackend());
        lines.put("bpffs", bpffs());
        lines.put("clang", clang());
        var out = spec.commandLine().getOut();
        lines.forEach((k, v) -> out.println(k + ": " + v));
        out.flush();
        return simulatorOk ? 0 : 1;
    }

    private static String kernelBackend() {
        String why = KernelRequirement.whyUnavailable();
        if (why != null) {
            return "unavailable: " + why;
        }
        try {
            BpfSmoke.Outcome o = BpfSmoke.loadAndRun(0, 64);
            if (!o.ok()) {
                return "unavailable: " + o.describe();
            }
            // tcx attach types exist from 6.6 on; whyUnavailable() checked the version already.
            return "available";
        } catch (RuntimeException | LinkageError e) {
            return "unavailable: " + e;
        }
    }

    private static String bpffs() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].equals("bpf")) {
                    return "mounted at " + f[1];
                }
            }
            return Files.isDirectory(Path.of("/sys/fs/bpf"))
                    ? "not mounted (/sys/fs/bpf exists; the kernel backend mounts its own)"
                    : "absent";
        } catch (Exception e) {
            return "unknown: " + e.getMessage();
        }
    }

    private static String clang() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String name : new String[] {"clang-19", "clang"}) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return "absent (only needed to rebuild the committed test objects)";
    }
}
