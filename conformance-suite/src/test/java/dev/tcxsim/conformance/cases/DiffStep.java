package dev.tcxsim.conformance.cases;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One step of a differential sequence: a tcx operation in the words of the {@code tcxsim} CLI, so
 * that a failing sequence prints as a {@code tcxsim batch} script. Programs are the lessons.o
 * programs by name; links live in three slots named l0, l1, l2 (created with {@code link as lN}).
 *
 * @param kind     the operation
 * @param dev      device d0 or d1
 * @param egress   tcx_egress instead of tcx_ingress
 * @param prog     the program (index into {@link #PROGS}), -1 when the step names none
 * @param position NONE, BEFORE or AFTER
 * @param relKind  what the position is relative to: nothing, a program or a link
 * @param rel      the relative program (index) or link slot
 * @param replace  the program to replace (index), -1 for none
 * @param revision expected_revision, 0 for none
 * @param slot     the link slot a link step works on, or the slot a new link is stored in
 */
record DiffStep(Kind kind, int dev, boolean egress, int prog, Pos position, Rel relKind, int rel, int replace,
                long revision, int slot) {

    enum Kind { ATTACH, LINK_CREATE, DETACH, LINK_UPDATE, LINK_DETACH, LINK_CLOSE, QUERY }

    /** BOTH is "before after X": both flags, which no valid request has. */
    enum Pos { NONE, BEFORE, AFTER, BOTH }

    enum Rel { NONE, PROG, LINK }

    /** The lessons.o programs a sequence uses (a few, so that collisions and EEXIST are common). */
    static final List<String> PROGS = List.of("audit", "count", "allow", "deny", "redirect");
    static final int SLOTS = 3;
    static final int DEVS = 2;

    String progName() {
        return PROGS.get(prog);
    }

    String hook() {
        return egress ? "tcx_egress" : "tcx_ingress";
    }

    /** The link slots this step needs open to be issued at all. */
    List<Integer> slotsUsed() {
        List<Integer> out = new ArrayList<>();
        if (relKind == Rel.LINK) {
            out.add(rel);
        }
        if (kind == Kind.LINK_UPDATE || kind == Kind.LINK_DETACH || kind == Kind.LINK_CLOSE) {
            out.add(slot);
        }
        return out;
    }

    /** This step as one {@code tcxsim batch} line. */
    String cli() {
        String dv = "d" + dev;
        return switch (kind) {
            case ATTACH, LINK_CREATE -> "net attach " + hook() + " name " + progName() + " dev " + dv + positionWords()
                    + (replace >= 0 ? " replace name " + PROGS.get(replace) : "")
                    + (revision != 0 ? " expected_revision " + revision : "")
                    + (kind == Kind.LINK_CREATE ? " link as l" + slot : "");
            case DETACH -> "net detach " + hook() + (prog >= 0 ? " name " + progName() : "") + " dev " + dv + positionWords()
                    + (replace >= 0 ? " replace name " + PROGS.get(replace) : "")
                    + (revision != 0 ? " expected_revision " + revision : "");
            case LINK_UPDATE -> "link update link l" + slot + " name " + progName()
                    + (replace >= 0 ? " old name " + PROGS.get(replace) : "");
            case LINK_DETACH -> "link detach link l" + slot;
            case LINK_CLOSE -> "link close link l" + slot;
            case QUERY -> "net show dev " + dv;
        };
    }

    private String positionWords() {
        if (position == Pos.NONE) {
            return "";
        }
        String w = switch (position) {
            case BEFORE -> " before";
            case AFTER -> " after";
            default -> " before after";
        };
        return switch (relKind) {
            case NONE -> w;
            case PROG -> w + " name " + PROGS.get(rel);
            case LINK -> w + " link l" + rel;
        };
    }

    @Override
    public String toString() {
        return cli();
    }

    /**
     * A random sequence of {@code length} steps, valid and invalid ones mixed. The generator guesses
     * which link slots are open (a create opens its slot, a close frees it) and which programs are
     * attached, so that most link steps are issued and most relatives exist; the guesses need not
     * be right, a wrong one just makes an invalid step.
     */
    static List<DiffStep> draw(SplittableRandom r, int length) {
        List<DiffStep> steps = new ArrayList<>(length);
        boolean[] open = new boolean[SLOTS];
        List<Integer> attached = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            DiffStep s = one(r, open, attached);
            steps.add(s);
            switch (s.kind) {
                case LINK_CREATE -> {
                    open[s.slot] = true;
                    attached.add(s.prog);
                }
                case ATTACH -> attached.add(s.prog);
                case LINK_CLOSE -> open[s.slot] = false;
                default -> {
                }
            }
        }
        return steps;
    }

    private static int openSlot(SplittableRandom r, boolean[] open) {
        int start = r.nextInt(SLOTS);
        for (int i = 0; i < SLOTS; i++) {
            int slot = (start + i) % SLOTS;
            if (open[slot] || r.nextInt(8) == 0) {
                return slot;
            }
        }
        return start;
    }

    private static DiffStep one(SplittableRandom r, boolean[] open, List<Integer> attached) {
        int dev = r.nextInt(4) == 0 ? 1 : 0;
        boolean egress = r.nextInt(6) == 0;
        int prog = r.nextInt(PROGS.size());
        int roll = r.nextInt(100);
        Kind kind = roll < 32 ? Kind.ATTACH
                : roll < 50 ? Kind.LINK_CREATE
                : roll < 68 ? Kind.DETACH
                : roll < 77 ? Kind.LINK_UPDATE
                : roll < 84 ? Kind.LINK_DETACH
                : roll < 91 ? Kind.LINK_CLOSE
                : Kind.QUERY;
        int slot;
        if (kind == Kind.LINK_CREATE) {
            slot = r.nextInt(SLOTS);
            for (int i = 0; i < SLOTS && open[slot] && r.nextInt(8) != 0; i++) {
                slot = (slot + 1) % SLOTS;                  // prefer a free slot
            }
        } else {
            slot = openSlot(r, open);
        }
        Pos pos = Pos.NONE;
        Rel relKind = Rel.NONE;
        int rel = -1;
        int replace = -1;
        long revision = 0;
        switch (kind) {
            case ATTACH, LINK_CREATE, DETACH -> {
                int p = r.nextInt(10);
                pos = p < 4 ? Pos.NONE : p < 7 ? Pos.BEFORE : p < 9 || r.nextInt(4) != 0 ? Pos.AFTER : Pos.BOTH;
                if (pos != Pos.NONE) {
                    int k = r.nextInt(10);
                    if (k < 6) {
                        relKind = Rel.PROG;
                        rel = pick(r, attached);
                    } else if (k < 8) {
                        relKind = Rel.LINK;
                        rel = openSlot(r, open);
                    }
                }
                if (kind == Kind.ATTACH && r.nextInt(6) == 0 || kind == Kind.DETACH && r.nextInt(12) == 0) {
                    replace = pick(r, attached);          // with or without a position; on a detach always invalid
                }
                if (r.nextInt(8) == 0) {
                    revision = 1 + r.nextInt(4);
                }
                if (kind == Kind.DETACH) {
                    if (r.nextInt(3) == 0) {
                        prog = -1;                         // "detach first/last" or relative only
                    } else if (r.nextInt(4) != 0) {
                        prog = pick(r, attached);
                    }
                }
            }
            case LINK_UPDATE -> {
                if (r.nextInt(4) == 0) {
                    replace = pick(r, attached);          // BPF_F_REPLACE with an old program
                }
            }
            default -> {
            }
        }
        return new DiffStep(kind, dev, egress, kind == Kind.QUERY ? -1 : prog, pos, relKind, rel, replace, revision, slot);
    }

    /** Mostly a program thought to be attached, sometimes any. */
    private static int pick(SplittableRandom r, List<Integer> attached) {
        if (attached.isEmpty() || r.nextInt(4) == 0) {
            return r.nextInt(PROGS.size());
        }
        return attached.get(r.nextInt(attached.size()));
    }
}
