package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.LinkInfo;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.tcx.Errno;
import dev.tcxsim.tcx.MprogException;
import dev.tcxsim.tcx.ObjectLookup;

/**
 * The tcx bpf(2) commands of one process: PROG_ATTACH, PROG_DETACH, PROG_QUERY, LINK_CREATE,
 * LINK_UPDATE, LINK_DETACH and a link's info. Each checks its arguments in the kernel's order
 * (attach type, flag mask, program fd, device, then the mprog rules of tcx-model) and keeps the
 * references and static keys in step with the hook.
 */
final class TcxSyscalls {
    private final SimProcess proc;
    private final SimKernel kernel;

    TcxSyscalls(SimProcess proc) {
        this.proc = proc;
        this.kernel = proc.kernel;
    }

    // ---- tcx: attach, detach, query ----

    /** attach_type_to_prog_type for the attach types this simulator models. */
    private static TcDirection tcxDirection(int attachType, String call) throws BpfException {
        TcDirection dir = TcDirection.ofAttachType(attachType);
        if (dir == null) {
            throw new BpfException(Errno.EINVAL, call + ": attach type " + attachType
                    + " is not BPF_TCX_INGRESS (46) or BPF_TCX_EGRESS (47)");
        }
        return dir;
    }

    private static void checkFlags(int flags, String call) throws BpfException {
        if ((flags & ~Uapi.TCX_FLAG_MASK) != 0) {
            throw new BpfException(Errno.EINVAL, call + ": flags " + Uapi.flagNames(flags & ~Uapi.TCX_FLAG_MASK)
                    + " are not accepted by tcx (allowed: REPLACE|BEFORE|AFTER|ID|LINK)");
        }
    }

    private SimDevice dev(int ifindex, String call) throws BpfException {
        SimDevice d = kernel.deviceByIndex(ifindex);
        if (d == null) {
            throw new BpfException(Errno.ENODEV, call + ": no device with ifindex " + ifindex);
        }
        return d;
    }

    /** Resolves relative_fd / relative_id in this process and the kernel's id spaces. */
    private final ObjectLookup<SimProg, SimLink> lookup = new ObjectLookup<>() {
        @Override
        public SimProg progById(int id) throws MprogException {
            return byId(kernel.progs, id, "program");
        }

        @Override
        public SimProg progByFd(int fd) throws MprogException {
            return byFd(fd, SimProg.class, "program");
        }

        @Override
        public SimLink linkById(int id) throws MprogException {
            return byId(kernel.links, id, "link");
        }

        @Override
        public SimLink linkByFd(int fd) throws MprogException {
            return byFd(fd, SimLink.class, "link");
        }

        @Override
        public SimProg progOfLink(SimLink link) {
            return link.prog;
        }

        @Override
        public int progType(SimProg prog) {
            return prog.type;
        }
    };

    /** relative_id: ENOENT when no object of that kind has the id. */
    private static <T> T byId(java.util.Map<Integer, T> ids, int id, String what) throws MprogException {
        T o = ids.get(id);
        if (o == null) {
            throw new MprogException(Errno.ENOENT, "relative_id " + id + " names no " + what);
        }
        return o;
    }

    /** relative_fd: EBADF when the fd is not open, EINVAL when it holds another kind of object. */
    private <T> T byFd(int fd, Class<T> type, String what) throws MprogException {
        Object o = proc.fds.get(fd);
        if (o == null) {
            throw new MprogException(Errno.EBADF, "relative_fd " + fd + " is not open");
        }
        if (!type.isInstance(o)) {
            throw new MprogException(Errno.EINVAL, "relative_fd " + fd + " is not a " + what);
        }
        return type.cast(o);
    }

    private static BpfException fail(String call, MprogException e) {
        return new BpfException(e.errno(), call + ": " + e.getMessage().substring(e.errno().name().length() + 2));
    }

    void progAttach(int ifindex, int attachType, int progFd, int flags, int relativeFdOrId, int replaceProgFd,
                           long expectedRevision) throws BpfException {
        String call = "BPF_PROG_ATTACH";
        synchronized (kernel.rtnl) {
            proc.alive();
            TcDirection dir = tcxDirection(attachType, call);
            checkFlags(flags, call);
            SimProg prog = proc.progOfFd(progFd, Uapi.BPF_PROG_TYPE_SCHED_CLS, call + " attach_bpf_fd");
            SimDevice d = dev(ifindex, call);
            SimProg old = null;
            if ((flags & Uapi.BPF_F_REPLACE) != 0) {
                old = proc.progOfFd(replaceProgFd, prog.type, call + " replace_bpf_fd");
            }
            try {
                var done = d.hook(dir).attach(prog, null, old, flags, relativeFdOrId, expectedRevision, lookup);
                prog.get();
                if (done.replaced() != null) {
                    done.replaced().put();
                } else {
                    kernel.tcxNeededKey.incrementAndGet();
                    kernel.neededKey(dir).incrementAndGet();
                }
            } catch (MprogException e) {
                throw fail(call, e);
            }
        }
    }

    void progDetach(int ifindex, int attachType, int progFd, int flags, int relativeFdOrId, long expectedRevision)
            throws BpfException {
        String call = "BPF_PROG_DETACH";
        synchronized (kernel.rtnl) {
            proc.alive();
            TcDirection dir = tcxDirection(attachType, call);
            checkFlags(flags, call);
            SimProg prog = progFd == 0 ? null : proc.progOfFd(progFd, Uapi.BPF_PROG_TYPE_SCHED_CLS, call + " attach_bpf_fd");
            SimDevice d = dev(ifindex, call);
            try {
                var done = d.hook(dir).detach(prog, null, flags, relativeFdOrId, expectedRevision, lookup);
                kernel.tcxNeededKey.decrementAndGet();
                kernel.neededKey(dir).decrementAndGet();
                done.prog().put();
            } catch (MprogException e) {
                throw fail(call, e);
            }
        }
    }

    QueryResult progQuery(int ifindex, int attachType, int queryFlags, int count) throws BpfException {
        String call = "BPF_PROG_QUERY";
        synchronized (kernel.rtnl) {
            proc.alive();
            if ((queryFlags & ~1) != 0) {
                throw new BpfException(Errno.EINVAL, call + ": query_flags 0x" + Integer.toHexString(queryFlags)
                        + " has bits besides BPF_F_QUERY_EFFECTIVE");
            }
            TcDirection dir = tcxDirection(attachType, call);
            if (count < 0) {
                throw new BpfException(Errno.EINVAL, call + ": buffer count " + count + " is negative");
            }
            SimDevice d = dev(ifindex, call);
            if (queryFlags != 0) {
                throw new BpfException(Errno.EINVAL, call + ": tcx takes no query_flags (got " + queryFlags + ")");
            }
            var q = d.hook(dir).query(count, p -> p.id, l -> l.id);
            return new QueryResult(q.errno() == null ? 0 : q.errno().number(), 0, q.count(), q.revision(), q.progIds(),
                    q.linkIds());
        }
    }

    // ---- tcx links ----

    int linkCreate(int progFd, int ifindex, int attachType, int flags, int relativeFdOrId, long expectedRevision)
            throws BpfException {
        String call = "BPF_LINK_CREATE";
        synchronized (kernel.rtnl) {
            proc.alive();
            SimProg prog = proc.progOfFd(progFd, call + " prog_fd");
            if (prog.type != Uapi.BPF_PROG_TYPE_SCHED_CLS) {
                throw new BpfException(Errno.EINVAL, call + ": " + prog + " is not SCHED_CLS (type " + prog.type + ")");
            }
            TcDirection dir = tcxDirection(attachType, call);
            checkFlags(flags, call);
            SimDevice d = dev(ifindex, call);
            int id = kernel.nextLinkId();
            SimLink[] self = new SimLink[1];
            SimLink link = new SimLink(id, prog, d, dir, () -> releaseLink(self[0]));
            self[0] = link;
            try {
                d.hook(dir).attach(prog, link, null, flags, relativeFdOrId, expectedRevision, lookup);
            } catch (MprogException e) {
                throw fail(call, e);
            }
            prog.get();
            kernel.tcxNeededKey.incrementAndGet();
            kernel.neededKey(dir).incrementAndGet();
            kernel.links.put(id, link);
            kernel.linkGeneration.incrementAndGet();
            link.get();
            return proc.install(link);
        }
    }

    /** tcx_link_release: the last reference went (or LINK_DETACH): remove the slot if still attached. */
    private void detachLink(SimLink link) {
        SimDevice d = link.dev;
        if (d == null) {
            return;
        }
        try {
            d.hook(link.dir).detach(link.prog, link, 0, 0, 0, lookup);
            kernel.tcxNeededKey.decrementAndGet();
            kernel.neededKey(link.dir).decrementAndGet();
        } catch (MprogException e) {
            throw new IllegalStateException("link " + link.id + " could not leave its hook: " + e.getMessage(), e);
        }
        link.dev = null;
        kernel.linkGeneration.incrementAndGet();
    }

    private void releaseLink(SimLink link) {
        detachLink(link);
        kernel.links.remove(link.id);
        kernel.linkGeneration.incrementAndGet();
        link.prog.put();
    }

    void linkUpdate(int linkFd, int newProgFd, int flags, int oldProgFd) throws BpfException {
        String call = "BPF_LINK_UPDATE";
        synchronized (kernel.rtnl) {
            proc.alive();
            if ((flags & ~Uapi.BPF_F_REPLACE) != 0) {
                throw new BpfException(Errno.EINVAL, call + ": flags " + Uapi.flagNames(flags) + " (only REPLACE is allowed)");
            }
            SimLink link = proc.linkOfFd(linkFd, call + " link_fd");
            SimProg nprog = proc.progOfFd(newProgFd, call + " new_prog_fd");
            SimProg oprog = null;
            if ((flags & Uapi.BPF_F_REPLACE) != 0) {
                oprog = proc.progOfFd(oldProgFd, call + " old_prog_fd");
            } else if (oldProgFd != 0) {
                throw new BpfException(Errno.EINVAL, call + ": old_prog_fd given without BPF_F_REPLACE");
            }
            SimDevice d = link.dev;
            if (d == null) {
                throw new BpfException(Errno.ENOLINK, call + ": " + link + " is no longer attached");
            }
            if (oprog != null && oprog != link.prog) {
                throw new BpfException(Errno.EPERM, call + ": old_prog_fd names " + oprog + " but the link holds " + link.prog);
            }
            SimProg current = link.prog;
            if (current == nprog) {
                return;
            }
            try {
                d.hook(link.dir).update(nprog, link, current, lookup);
            } catch (MprogException e) {
                throw fail(call, e);
            }
            nprog.get();
            link.prog = nprog;
            kernel.linkGeneration.incrementAndGet();
            current.put();
        }
    }

    void linkDetach(int linkFd) throws BpfException {
        synchronized (kernel.rtnl) {
            proc.alive();
            SimLink link = proc.linkOfFd(linkFd, "BPF_LINK_DETACH link_fd");
            detachLink(link);
        }
    }

    LinkInfo linkInfo(int linkFd) throws BpfException {
        synchronized (kernel.rtnl) {
            SimLink l = proc.linkOfFd(linkFd, "BPF_OBJ_GET_INFO_BY_FD");
            SimDevice d = l.dev;
            return new LinkInfo(l.id, Uapi.BPF_LINK_TYPE_TCX, l.prog.id, d == null ? 0 : d.ifindex, l.dir.attachType());
        }
    }
}
