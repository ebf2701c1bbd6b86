package dev.tcxsim.cli.explain;

import dev.tcxsim.tcx.Errno;

import java.util.List;
import java.util.Locale;

/** Every situation in which the tcx attach, detach, query and link API returns a given errno. */
public final class Errnos {
    private Errnos() {
    }

    /** Parses "EBUSY", "ebusy" or "16"; null when it is neither a known name nor a known number. */
    public static Errno parse(String word) {
        try {
            return Errno.of(Integer.parseInt(word.strip()));
        } catch (NumberFormatException e) {
            try {
                return Errno.valueOf(word.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e2) {
                return null;
            }
        }
    }

    /** The situations, one sentence each; empty when tcx never returns this errno itself. */
    public static List<String> situations(Errno e) {
        return switch (e) {
            case EINVAL -> List.of(
                    "a flag outside REPLACE, BEFORE, AFTER, ID and LINK was set (attach, detach or link create);",
                    "a relative object was given, or a lone ID or LINK flag set, without BEFORE or AFTER;",
                    "BPF_F_LINK with relative fd 0, or the relative fd is not a link (LINK) or not a program;",
                    "the program is not a tc (SCHED_CLS) program, or its type differs from the relative program's;",
                    "detach was called with REPLACE;",
                    "link update with a flag other than REPLACE, or an old program without REPLACE;",
                    "query with non-zero query_flags or attach_flags;",
                    "non-zero bytes in the bpf(2) attribute after the command's last field.");
            case EEXIST -> List.of(
                    "the program is already attached at this hook, plainly or through a link (a program sits at most once per hook);",
                    "link update to a program that is already elsewhere in the same hook's chain.");
            case ENOENT -> List.of(
                    "the relative program or link (BEFORE/AFTER) is not attached at this hook, or the id does not exist (id 0 included);",
                    "REPLACE names a program that is not attached at this hook;",
                    "link create with REPLACE: a new link has no old program, so the search finds nothing;",
                    "detach from a hook with nothing attached, or of a program that is not attached there;",
                    "looking up a program or link by an id that does not exist (it was freed).");
            case ERANGE -> List.of(
                    "the hook is full: it already holds 63 programs (anything but a replace is refused);",
                    "BEFORE and AFTER were given together;",
                    "REPLACE together with BEFORE/AFTER, but the replaced program does not sit at that position;",
                    "detach with a position that does not match the named program, or 'before the first'/'after the last';",
                    "detach of 'the last one' without naming it while the hook is full (index 63 quirk).");
            case ESTALE -> List.of(
                    "expected_revision is not 0 and differs from the hook's current revision: the chain changed since it was read (attach, detach, link create).");
            case EBUSY -> List.of(
                    "a plain attach with REPLACE targets a slot owned by a link;",
                    "a plain detach selects a slot owned by a link (named, or the implicit first/last one).");
            case EBADF -> List.of(
                    "the program fd, relative fd, replace fd or link fd is not an open file descriptor of the caller.");
            case ENODEV -> List.of(
                    "no device with that ifindex exists in the caller's network namespace (attach, detach, link create, query).");
            case EPERM -> List.of(
                    "link update with REPLACE and an old program that is not the link's current program;",
                    "the caller lacks CAP_BPF / CAP_NET_ADMIN (bpf(2)'s generic check).");
            case ENOLINK -> List.of(
                    "link update on a defunct link: it was detached or its device was unregistered.");
            case ENOSPC -> List.of(
                    "query with a buffer smaller than the number of attached programs: the first entries are filled and count reports the real total.");
            case ENOMEM -> List.of(
                    "the first attachment at a hook could not allocate the tcx entry, or a link could not be allocated.");
            case E2BIG -> List.of(
                    "the bpf(2) attribute is larger than the kernel knows and its extra tail is not zero.");
            case EOPNOTSUPP -> List.of("link detach on a kind of link that has no detach operation (never tcx).");
            default -> List.of();
        };
    }
}
