package dev.tcxsim.cli;

import dev.tcxsim.conformance.harness.Backend;
import dev.tcxsim.conformance.harness.ConformanceStats;
import dev.tcxsim.conformance.harness.Report;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

/**
 * {@code tcxsim conformance}: runs the conformance suite from the command line and prints, per
 * case, what the simulator and the real kernel did and whether they agree.
 */
@Command(name = "conformance", description = {"Run the conformance suite and print a side-by-side table.",
        "  conformance [--kernel sim|linux|both] [--report FILE.html]"})
final class ConformanceCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Option(names = "--kernel", paramLabel = "sim|linux|both", description = "Backends to run (default: both).")
    String kernels = "both";

    @CommandLine.Option(names = "--report", paramLabel = "FILE.html", description = "Also write an HTML report.")
    Path report;

    @CommandLine.Option(names = "--select", paramLabel = "PACKAGE", hidden = true)
    String selectPackage = "dev.tcxsim.conformance.cases";

    @Override
    public Integer call() throws IOException {
        String backends = switch (kernels) {
            case "both" -> "sim,linux";
            case "sim", "linux" -> kernels;
            default -> {
                main.err().println("Error: --kernel takes sim, linux or both, not '" + kernels + "'");
                yield null;
            }
        };
        if (backends == null) {
            return 2;
        }
        var out = main.out();
        if (backends.contains("linux")) {
            String why = Backend.LINUX.whyUnavailable();
            if (why != null) {
                out.println("The real-kernel side will not run: " + why);
                backends = backends.replace("linux", "").replace(",", "");
                if (backends.isEmpty()) {
                    return 1;
                }
            }
        }
        String saved = System.getProperty("tcxsim.backends");
        System.setProperty("tcxsim.backends", backends);
        // Outside CI nobody is "required": a missing kernel side is reported above, not failed per case.
        String savedRequired = System.getProperty("tcxsim.kernel.required");
        System.setProperty("tcxsim.kernel.required", "false");
        ConformanceStats.reset();
        try {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectPackage(selectPackage)).build();
            Launcher launcher = LauncherFactory.create();
            SummaryGeneratingListener summary = new SummaryGeneratingListener();
            launcher.execute(request, summary);
        } finally {
            restore("tcxsim.backends", saved);
            restore("tcxsim.kernel.required", savedRequired);
        }
        Map<String, Map<Backend, ConformanceStats.Outcome>> cases = ConformanceStats.cases();
        if (cases.isEmpty()) {
            main.err().println("Error: no conformance cases found in " + selectPackage);
            return 1;
        }
        out.print(Report.table(cases));
        if (report != null) {
            Files.writeString(report, Report.html(cases));
            out.println("report written to " + report);
        }
        return Report.allAgree(cases) ? 0 : 1;
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
