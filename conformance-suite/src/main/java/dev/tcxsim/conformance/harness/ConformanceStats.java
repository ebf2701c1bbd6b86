package dev.tcxsim.conformance.harness;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the conformance runs of this JVM saw: time spent per backend, and per case the outcome on
 * each backend (for the summary printed at the end of a run and for {@code tcxsim conformance}).
 */
public final class ConformanceStats {
    /** One case on one backend. */
    public record Outcome(boolean passed, String failure, List<String> transcript) {
    }

    private static final Map<Backend, Long> NANOS = new EnumMap<>(Backend.class);
    private static final Map<String, Map<Backend, Outcome>> CASES = new LinkedHashMap<>();
    private static final List<String> DISAGREEMENTS = new ArrayList<>();

    private ConformanceStats() {
    }

    static synchronized void add(Backend backend, long nanos) {
        NANOS.merge(backend, nanos, Long::sum);
    }

    static synchronized void outcome(String key, Backend backend, boolean passed, String failure, List<String> transcript) {
        CASES.computeIfAbsent(key, k -> new EnumMap<>(Backend.class)).put(backend, new Outcome(passed, failure, transcript));
    }

    static synchronized void disagree(String key) {
        DISAGREEMENTS.add(key);
    }

    public static synchronized Map<String, Map<Backend, Outcome>> cases() {
        Map<String, Map<Backend, Outcome>> copy = new LinkedHashMap<>();
        CASES.forEach((k, v) -> copy.put(k, new EnumMap<>(v)));
        return copy;
    }

    public static synchronized List<String> disagreements() {
        return List.copyOf(DISAGREEMENTS);
    }

    public static synchronized long millis(Backend backend) {
        return NANOS.getOrDefault(backend, 0L) / 1_000_000;
    }

    public static synchronized void reset() {
        NANOS.clear();
        CASES.clear();
        DISAGREEMENTS.clear();
    }

    /** The one-paragraph summary printed after a run. */
    public static synchronized String summary() {
        StringBuilder sb = new StringBuilder("tcxsim conformance: ").append(CASES.size()).append(" cases");
        for (Backend b : Backend.values()) {
            long ran = CASES.values().stream().filter(m -> m.containsKey(b)).count();
            long passed = CASES.values().stream().filter(m -> m.containsKey(b) && m.get(b).passed()).count();
            if (ran > 0) {
                sb.append("; ").append(b.label()).append(": ").append(passed).append("/").append(ran)
                        .append(" passed in ").append(millis(b)).append(" ms");
            }
        }
        sb.append("; disagreements: ").append(DISAGREEMENTS.size());
        return sb.toString();
    }
}
