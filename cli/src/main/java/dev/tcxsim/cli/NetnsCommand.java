package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code tcxsim netns del NAME}: removes a namespace kept by {@code --kernel linux --netns NAME}. */
@Command(name = "netns", description = {"Named network namespaces kept by --kernel linux --netns NAME.",
        "  netns del NAME     delete it, with its devices, attachments and pins"})
final class NetnsCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Parameters(index = "0", paramLabel = "VERB", description = "del")
    String verb;

    @CommandLine.Parameters(index = "1", paramLabel = "NAME", description = "the namespace")
    String name;

    @Override
    public Integer call() {
        if (!verb.equals("del")) {
            main.err().println("Error: unknown verb '" + verb + "' for 'netns' (expected: del)");
            return 2;
        }
        String why = dev.tcxsim.conformance.harness.Backend.LINUX.whyUnavailable();
        if (why != null) {
            main.err().println("Error: named namespaces live on the linux kernel, which is not available here: " + why);
            return 1;
        }
        if (!dev.tcxsim.linux.LinuxKernel.namedExists(name)) {
            main.err().println("Error: no namespace '" + name + "' kept by tcxsim");
            return 1;
        }
        try {
            dev.tcxsim.linux.LinuxKernel.deleteNamed(name);
        } catch (BpfException e) {
            main.err().println(CliError.of("cannot delete namespace " + name, e).line());
            return 1;
        }
        main.out().println("deleted namespace " + name);
        return 0;
    }
}
