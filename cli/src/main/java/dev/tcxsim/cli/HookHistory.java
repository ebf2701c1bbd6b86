package dev.tcxsim.cli;

import dev.tcxsim.cli.explain.HookState;
import dev.tcxsim.tcx.Errno;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The revision history of the tcx hooks a session touched, for {@code net history}. The CLI
 * queries every hook before and after each command that can change one and records what changed,
 * so it needs nothing from the backend beyond BPF_PROG_QUERY and works on both kernels.
 * Failed attempts are recorded too, with the rule that refused them.
 */
final class HookHistory {
    /** A hook: device name and attach type. */
    record Key(String dev, int attachType) {
    }

    /**
     * One line of a hook's history.
     *
     * @param operation   attach, detach, link create, link update, link detach, link auto-detach, device event
     * @param who         the process or link that did it
     * @param after       the hook after the operation (unchanged for a failure)
     * @param errno       null for a success
     * @param explanation why the kernel refused it (failures only)
     * @param command     the command line that caused it (null for process exit)
     */
    record Entry(String operation, String who, HookState after, Errno errno, String explanation, String command) {
        boolean failed() {
            return errno != null;
        }
    }

    private final Map<Key, List<Entry>> entries = new LinkedHashMap<>();

    List<Entry> of(String dev, int attachType) {
        return List.copyOf(entries.getOrDefault(new Key(dev, attachType), List.of()));
    }

    /** True when anything was ever recorded for a hook of {@code dev}. */
    boolean knows(String dev) {
        return entries.keySet().stream().anyMatch(k -> k.dev().equals(dev));
    }

    private void add(Key key, Entry e) {
        entries.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
    }

    void recordFailure(Key key, String operation, String who, HookState state, Errno errno, String explanation,
                       String command) {
        add(key, new Entry(operation, who, state, errno, explanation, command));
    }

    /**
     * Records every hook that differs between {@code before} and {@code after} a command.
     *
     * @param noun     the command's noun (net, link, dev, tc ...)
     * @param verb     its verb
     * @param process  who ran it ("process tcxsim")
     */
    void recordCommand(Map<Key, HookState> before, Map<Key, HookState> after, String noun, String verb, String process,
                       String command) {
        Set<Key> keys = new java.util.LinkedHashSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (Key k : keys) {
            HookState b = before.getOrDefault(k, HookState.ABSENT);
            HookState a = after.getOrDefault(k, HookState.ABSENT);
            if (b.sameAs(a)) {
                continue;
            }
            Set<Integer> removed = linkIds(b);
            removed.removeAll(linkIds(a));
            Set<Integer> added = linkIds(a);
            added.removeAll(linkIds(b));
            String op;
            String who = process;
            if (!a.present()) {
                op = "device event (device removed: every attachment dropped)";
                who = "kernel";
            } else if (!b.present()) {
                op = "device event (device created)";
                who = "kernel";
            } else if (noun.equals("net") && verb.equals("attach")) {
                op = added.isEmpty() ? "attach" : "link create";
                who = added.isEmpty() ? process : "link " + added.iterator().next() + " (created by " + process + ")";
            } else if (noun.equals("net") && verb.equals("detach")) {
                op = "detach";
            } else if (noun.equals("link") && verb.equals("update")) {
                op = "link update";
                who = "link " + updatedLink(b, a);
            } else if (noun.equals("link") && verb.equals("detach")) {
                op = "link detach";
                who = removed.isEmpty() ? process : "link " + removed.iterator().next();
            } else if (!removed.isEmpty()) {
                op = "link auto-detach (close of the last reference)";
                who = "link " + removed.iterator().next() + " (" + process + " dropped its last reference)";
            } else {
                op = "device event";
                who = "kernel";
            }
            add(k, new Entry(op, who, a, null, null, command));
        }
    }

    /** Records the links a process exit auto-detached; returns their ids. */
    List<Integer> recordExit(Map<Key, HookState> before, Map<Key, HookState> after, String process) {
        List<Integer> gone = new ArrayList<>();
        for (Map.Entry<Key, HookState> e : before.entrySet()) {
            HookState a = after.getOrDefault(e.getKey(), HookState.ABSENT);
            if (e.getValue().sameAs(a)) {
                continue;
            }
            Set<Integer> removed = linkIds(e.getValue());
            removed.removeAll(linkIds(a));
            gone.addAll(removed);
            add(e.getKey(), new Entry("link auto-detach (process exit)",
                    "link " + removed.stream().map(String::valueOf).reduce((x, y) -> x + ", " + y).orElse("?")
                            + " (process " + process + " exited holding its last reference)", a, null, null, null));
        }
        return gone;
    }

    private static int updatedLink(HookState b, HookState a) {
        for (HookState.Slot s : a.chain()) {
            int i = b.indexOfLink(s.linkId());
            if (s.linkId() != 0 && i >= 0 && b.chain().get(i).progId() != s.progId()) {
                return s.linkId();
            }
        }
        return 0;
    }

    private static Set<Integer> linkIds(HookState h) {
        Set<Integer> ids = new HashSet<>();
        for (HookState.Slot s : h.chain()) {
            if (s.linkId() != 0) {
                ids.add(s.linkId());
            }
        }
        return ids;
    }
}
