package dev.tcxsim.conformance.gen;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Our small randomized-testing kit (we do not use jqwik): draw a sequence of steps from a seeded
 * {@link SplittableRandom}, check it, and when the check fails shrink the sequence — first by
 * dropping halves, then single steps — and report the seed and the minimal sequence.
 *
 * <p>Seeds: {@code -Dtcxsim.seed=N} replays exactly one seed; otherwise {@code tries} seeds are
 * derived from a fixed base so CI runs are repeatable.
 */
public final class SeededRun<S> {
    /** Thrown when a sequence fails; its message names the seed and the shrunk sequence. */
    public static final class Failure extends AssertionError {
        private final long seed;
        private final transient List<?> minimal;

        Failure(long seed, List<?> original, List<?> minimal, String why) {
            super("randomized check failed for seed " + seed + " (replay with -Dtcxsim.seed=" + seed + ")\n"
                    + "  " + why + "\n  original length " + original.size() + ", shrunk to " + minimal.size()
                    + " steps:\n" + render(minimal));
            this.seed = seed;
            this.minimal = minimal;
        }

        public long seed() {
            return seed;
        }

        public List<?> minimal() {
            return minimal;
        }

        private static String render(List<?> steps) {
            StringBuilder sb = new StringBuilder();
            for (Object s : steps) {
                sb.append("    ").append(s).append('\n');
            }
            return sb.toString();
        }
    }

    private final Function<SplittableRandom, List<S>> generator;
    private final Predicate<List<S>> holds;
    private final Function<List<S>, String> explain;

    /**
     * @param generator draws one sequence from a seeded random source
     * @param holds     the property: true when the sequence behaves
     * @param explain   a sentence about a failing sequence (called once, on the minimal one)
     */
    public SeededRun(Function<SplittableRandom, List<S>> generator, Predicate<List<S>> holds,
                     Function<List<S>, String> explain) {
        this.generator = generator;
        this.holds = holds;
        this.explain = explain;
    }

    /** The seeds a run uses: the replay seed alone, or {@code tries} seeds from the base. */
    public static long[] seeds(long base, int tries) {
        String replay = System.getProperty("tcxsim.seed");
        if (replay != null && !replay.isBlank()) {
            return new long[] {Long.parseLong(replay.trim())};
        }
        SplittableRandom r = new SplittableRandom(base);
        long[] seeds = new long[tries];
        for (int i = 0; i < tries; i++) {
            seeds[i] = r.nextLong() & Long.MAX_VALUE;
        }
        return seeds;
    }

    /** Runs every seed; throws {@link Failure} for the first failing one, after shrinking. */
    public void check(long base, int tries) {
        for (long seed : seeds(base, tries)) {
            List<S> steps = generator.apply(new SplittableRandom(seed));
            if (!safeHolds(steps)) {
                List<S> minimal = shrink(steps);
                throw new Failure(seed, steps, minimal, explain.apply(minimal));
            }
        }
    }

    private boolean safeHolds(List<S> steps) {
        try {
            return holds.test(steps);
        } catch (RuntimeException | AssertionError e) {
            return false;
        }
    }

    /** Shrinks a failing sequence: drop chunks (halves, quarters, ...) then single steps, to a fixpoint. */
    public List<S> shrink(List<S> failing) {
        List<S> current = new ArrayList<>(failing);
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int chunk = Math.max(1, current.size() / 2); chunk >= 1; chunk /= 2) {
                for (int start = 0; start + chunk <= current.size(); ) {
                    List<S> candidate = new ArrayList<>(current.subList(0, start));
                    candidate.addAll(current.subList(start + chunk, current.size()));
                    if (!safeHolds(candidate)) {
                        current = candidate;
                        progress = true;
                    } else {
                        start += chunk;
                    }
                }
                if (chunk == 1) {
                    break;
                }
            }
        }
        return current;
    }
}
