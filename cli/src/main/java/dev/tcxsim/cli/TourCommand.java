package dev.tcxsim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tcxsim tour [N]}: the five lessons, run and explained. */
@Command(name = "tour", description = {"A guided tour of tcx in five short lessons (the scripts in examples/).",
        "  tour          run every lesson",
        "  tour N        run lesson N only"})
final class TourCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Parameters(arity = "0..1", paramLabel = "N", description = "Lesson number (1-5).")
    Integer lesson;

    @Override
    public Integer call() throws Exception {
        Path root = Lessons.root();
        List<Path> scripts;
        try {
            scripts = Lessons.scripts(root);
        } catch (java.io.IOException e) {
            main.err().println("Error: cannot find the lessons in " + root.resolve("examples")
                    + " (run from the repository, or through ./tcxsim which sets -Dtcxsim.root)");
            return 1;
        }
        if (lesson != null && (lesson < 1 || lesson > scripts.size())) {
            main.err().println("Error: there are lessons 1 to " + scripts.size() + ", not " + lesson);
            return 2;
        }
        for (int i = 0; i < scripts.size(); i++) {
            if (lesson != null && lesson != i + 1) {
                continue;
            }
            main.out().println("==== " + scripts.get(i).getFileName() + " ====");
            main.out().print(Lessons.run(root, scripts.get(i), main.kernelName));
            main.out().println();
        }
        main.out().flush();
        return 0;
    }
}
