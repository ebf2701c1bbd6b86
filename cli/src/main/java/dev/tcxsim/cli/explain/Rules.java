package dev.tcxsim.cli.explain;

import dev.tcxsim.tcx.Errno;

import static dev.tcxsim.cli.explain.TcxRequest.Op.LINK_CREATE;
import static dev.tcxsim.cli.explain.TcxRequest.Op.PROG_ATTACH;

/**
 * Which tcx rule refused a request: the errno the kernel gave, the hook as it was just before
 * the attempt, and the request's own arguments together point at one rule of the attach,
 * detach, link and query paths (the order of checks in tcx-semantics.md sections 2 to 5).
 * Works the same for the simulator and the real kernel, because it only reads what both report.
 */
public final class Rules {
    /** The tcx limit: a hook holds at most 63 programs. */
    public static final int MAX_PROGS = 63;

    private Rules() {
    }

    /** One or two sentences naming the rule, beginning with the errno's name. */
    public static String explain(TcxRequest r, HookState h, Errno errno) {
        String why = switch (r.op()) {
            case PROG_ATTACH, LINK_CREATE -> attach(r, h, errno);
            case PROG_DETACH -> detach(r, h, errno);
            case LINK_UPDATE -> linkUpdate(r, h, errno);
            case LINK_DETACH -> linkDetach(errno);
            case PROG_QUERY -> query(r, h, errno);
        };
        return errno.name() + ": " + why;
    }

    private static String hook(TcxRequest r) {
        return r.dev() + " " + (r.attachType() == dev.tcxsim.kernel.Uapi.BPF_TCX_EGRESS ? "tcx_egress" : "tcx_ingress");
    }

    private static String owner(HookState.Slot s) {
        return s.linkId() == 0 ? "as a plain attachment" : "owned by link " + s.linkId();
    }

    private static String relative(TcxRequest r) {
        return (r.relativeIsLink() ? "link " : "program id ") + r.relativeId();
    }

    /** Index of the relative object in the chain, or -1. */
    private static int relativeIndex(TcxRequest r, HookState h) {
        return r.relativeIsLink() ? h.indexOfLink(r.relativeId()) : h.indexOfProg(r.relativeId());
    }

    private static String stale(TcxRequest r, HookState h) {
        return "expected_revision " + r.expectedRevision() + " but the hook is at revision " + h.revision()
                + " — someone changed the chain since you queried it; query again and retry with the new revision.";
    }

    private static String noDevice(TcxRequest r) {
        return "there is no device '" + r.dev() + "' in this network namespace (it was deleted, or lives in another"
                + " namespace), so there is no hook to work on.";
    }

    private static String badFd() {
        return "a file descriptor in the request is not open in this process (the program fd, the relative fd or the"
                + " replace fd): it was closed, or never belonged to this process.";
    }

    private static String attach(TcxRequest r, HookState h, Errno errno) {
        String verb = r.op() == LINK_CREATE ? "link create" : "attach";
        return switch (errno) {
            case ESTALE -> stale(r, h);
            case EEXIST -> {
                int i = h.indexOfProg(r.progId());
                yield i < 0 ? "the program is already attached at this hook; a program may sit only once in a hook's chain."
                        : "program id " + r.progId() + " is already attached to " + hook(r) + " (position " + i + ", "
                        + owner(h.chain().get(i)) + "); a program may sit only once in a hook's chain — detach it"
                        + " first, or use it on another hook.";
            }
            case ERANGE -> {
                if (!r.replace() && h.chain().size() >= MAX_PROGS) {
                    yield "the chain is full: " + hook(r) + " already holds " + h.chain().size() + " programs and tcx"
                            + " allows at most " + MAX_PROGS + " per hook (only a replace still works).";
                }
                if (r.before() && r.after()) {
                    yield "BEFORE and AFTER were given together; they ask for two different places, which can never"
                            + " agree.";
                }
                if (r.replace()) {
                    int old = h.indexOfProg(r.replaceProgId());
                    String where = r.before() ? (r.relativeId() == 0 ? "first" : "directly in front of " + relative(r))
                            : r.after() ? (r.relativeId() == 0 ? "last" : "directly behind " + relative(r)) : "anywhere";
                    yield "REPLACE names the program at position " + old + " (prog " + r.replaceProgId() + "), but the"
                            + " position you also gave requires it to sit " + where + "; every position you give must name"
                            + " the same slot.";
                }
                yield "the positions given (BEFORE/AFTER/REPLACE) do not name one and the same slot.";
            }
            case ENOENT -> {
                if (r.op() == LINK_CREATE && r.replace()) {
                    yield "link create has no old program to replace, so REPLACE finds nothing; to swap a link's"
                            + " program use link update.";
                }
                if (r.relativeId() != 0 && relativeIndex(r, h) < 0) {
                    yield "the relative object (" + relative(r) + ") is not attached at " + hook(r) + "; BEFORE/AFTER"
                            + " can only be relative to something in this hook's chain (" + h.chainText() + ").";
                }
                if (r.replace() && h.indexOfProg(r.replaceProgId()) < 0) {
                    yield "the program to replace (prog " + r.replaceProgId() + ") is not attached at " + hook(r) + ".";
                }
                yield "an object named by id does not exist (unknown program or link id, or id 0).";
            }
            case EBUSY -> {
                int i = r.replace() ? h.indexOfProg(r.replaceProgId()) : -1;
                yield i >= 0 && h.chain().get(i).linkId() != 0
                        ? "prog " + r.replaceProgId() + " at position " + i + " is owned by link " + h.chain().get(i).linkId()
                        + "; a plain attach cannot replace a link's program — only the link can (link update)."
                        : "the slot you want to replace is owned by a link; only that link can change it (link update).";
            }
            case EINVAL -> "the arguments are not a valid " + verb + ": a relative object without BEFORE/AFTER, a"
                    + " relative fd that is not a program (or not a link with the link flag), a flag outside"
                    + " REPLACE|BEFORE|AFTER|ID|LINK, or a program that is not a tc (SCHED_CLS) program.";
            case EBADF -> badFd();
            case ENODEV -> noDevice(r);
            case ENOMEM -> "the kernel could not allocate the hook's entry or the link object.";
            case EPERM -> "attaching needs CAP_NET_ADMIN and CAP_BPF; this process does not have them.";
            default -> "not an error the tcx " + verb + " path returns itself; it came from outside tcx.";
        };
    }

    /** The slot a detach selects, or -1 when there is none (no such slot). */
    private static int detachTarget(TcxRequest r, HookState h) {
        int n = h.chain().size();
        if (r.progId() != 0) {
            return h.indexOfProg(r.progId());
        }
        // As the kernel computes it: "before the first" and "after the last" fall back to the
        // first and the last slot (checked on 6.18: detach before the first program removes it).
        if (r.before()) {
            return r.relativeId() == 0 ? 0 : Math.max(0, relativeIndex(r, h) - 1);
        }
        if (r.after() && r.relativeId() != 0) {
            int i = relativeIndex(r, h);
            return i < 0 ? -1 : Math.min(n - 1, i + 1);
        }
        return n - 1;
    }

    private static String detach(TcxRequest r, HookState h, Errno errno) {
        return switch (errno) {
            case ESTALE -> stale(r, h);
            case EINVAL -> r.replace() ? "detach does not take REPLACE: there is nothing to put in the slot."
                    : "the arguments are not a valid detach: a relative object without BEFORE/AFTER, a flag outside"
                    + " BEFORE|AFTER|ID|LINK, or an fd that is not a tc program.";
            case ENOENT -> {
                if (h.chain().isEmpty()) {
                    yield "nothing is attached at " + hook(r) + ", so there is nothing to detach.";
                }
                if (r.progId() != 0 && h.indexOfProg(r.progId()) < 0) {
                    yield "prog " + r.progId() + " is not attached at " + hook(r) + " (chain: " + h.chainText() + ").";
                }
                if (r.relativeId() != 0 && relativeIndex(r, h) < 0) {
                    yield "the relative object (" + relative(r) + ") is not attached at " + hook(r) + ".";
                }
                yield "an object named by id does not exist.";
            }
            case EBUSY -> {
                int i = detachTarget(r, h);
                yield i >= 0 && i < h.chain().size() && h.chain().get(i).linkId() != 0
                        ? "the slot this detach selects (position " + i + ", prog " + h.chain().get(i).progId()
                        + ") is owned by link " + h.chain().get(i).linkId() + "; a plain detach cannot remove a link's"
                        + " program — detach the link (link detach) or close its last reference."
                        : "the slot this detach selects is owned by a link; only the link can remove it.";
            }
            case ERANGE -> {
                if (r.before() && r.after()) {
                    yield "BEFORE and AFTER were given together; they never select the same slot.";
                }
                if (h.chain().size() >= MAX_PROGS && r.progId() == 0 && !r.before() && r.relativeId() == 0) {
                    yield "the hook is full (" + MAX_PROGS + " programs) and 'detach the last one' without naming the"
                            + " program computes position " + MAX_PROGS + ", one past the limit (a kernel quirk); name"
                            + " the program instead.";
                }
                if (r.progId() != 0) {
                    yield "prog " + r.progId() + " sits at position " + h.indexOfProg(r.progId()) + ", which is not the"
                            + " position that BEFORE/AFTER describes; both must name the same slot.";
                }
                yield "the positions given (BEFORE/AFTER and the program) do not select one and the same slot.";
            }
            case EBADF -> badFd();
            case ENODEV -> noDevice(r);
            default -> "not an error the tcx detach path returns itself.";
        };
    }

    private static String linkUpdate(TcxRequest r, HookState h, Errno errno) {
        return switch (errno) {
            case ENOLINK -> "link " + r.linkId() + " is defunct: it was detached (link detach) or its device went away,"
                    + " so it holds no slot any more and cannot take a new program.";
            case EPERM -> "the old program you named (prog " + r.replaceProgId() + ") is not the link's current program"
                    + " (prog " + r.linkProgId() + "); with 'old' the update only happens if it matches.";
            case EEXIST -> {
                int i = h.indexOfProg(r.progId());
                yield "the new program (prog " + r.progId() + ") is already attached at this hook"
                        + (i < 0 ? "" : " (position " + i + ", " + owner(h.chain().get(i)) + ")")
                        + "; a program may sit only once in a hook's chain.";
            }
            case EINVAL -> "the update is not valid: a flag other than REPLACE, an old program given without REPLACE,"
                    + " a new program of another type than the link's, or the fd is not a link.";
            case ENOENT -> "the hook has no tcx entry any more, so the link's slot cannot be found.";
            case EBADF -> badFd();
            default -> "not an error the tcx link update path returns itself.";
        };
    }

    private static String linkDetach(Errno errno) {
        return switch (errno) {
            case EBADF -> badFd();
            case EINVAL -> "the fd is not a link.";
            case EOPNOTSUPP -> "this kind of link cannot be detached (tcx links can).";
            default -> "link detach never fails for a tcx link that exists; this came from elsewhere.";
        };
    }

    private static String query(TcxRequest r, HookState h, Errno errno) {
        return switch (errno) {
            case ENOSPC -> "the buffer has room for " + r.queryCount() + " entries but " + hook(r) + " holds "
                    + h.chain().size() + " programs; the first " + r.queryCount() + " were written and count reports"
                    + " the real total, so retry with a buffer of that size.";
            case EINVAL -> "query_flags and attach_flags must be 0 for tcx (there is no BPF_F_QUERY_EFFECTIVE).";
            case ENODEV -> noDevice(r);
            default -> "not an error the tcx query path returns itself.";
        };
    }
}
