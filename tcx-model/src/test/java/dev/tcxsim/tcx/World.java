package dev.tcxsim.tcx;

import java.util.HashMap;
import java.util.Map;

/** A tiny caller world for the model tests: programs and links with ids, and an fd table. */
final class World implements ObjectLookup<World.Prog, World.Link> {
    static final int SCHED_CLS = 3;

    static final class Prog {
        final int id;
        final int type;
        final int fd;

        Prog(int id, int type, int fd) {
            this.id = id;
            this.type = type;
            this.fd = fd;
        }

        @Override
        public String toString() {
            return "p" + id;
        }
    }

    static final class Link {
        final int id;
        final int fd;
        Prog prog;

        Link(int id, int fd, Prog prog) {
            this.id = id;
            this.fd = fd;
            this.prog = prog;
        }

        @Override
        public String toString() {
            return "l" + id + "(" + prog + ")";
        }
    }

    private final Map<Integer, Object> fds = new HashMap<>();
    private final Map<Integer, Prog> progs = new HashMap<>();
    private final Map<Integer, Link> links = new HashMap<>();
    private int nextId = 1;
    private int nextFd = 3;
    /** fd 0 holds something that is neither a program nor a link (stdin). */
    static final int STDIN = 0;

    World() {
        fds.put(STDIN, "stdin");
    }

    Prog prog() {
        return prog(SCHED_CLS);
    }

    Prog prog(int type) {
        Prog p = new Prog(nextId++, type, nextFd++);
        fds.put(p.fd, p);
        progs.put(p.id, p);
        return p;
    }

    Link link(Prog p) {
        Link l = new Link(nextId++, nextFd++, p);
        fds.put(l.fd, l);
        links.put(l.id, l);
        return l;
    }

    @Override
    public Prog progById(int id) throws MprogException {
        Prog p = progs.get(id);
        if (p == null) {
            throw new MprogException(Errno.ENOENT, "no program with id " + id);
        }
        return p;
    }

    @Override
    public Prog progByFd(int fd) throws MprogException {
        Object o = fds.get(fd);
        if (o == null) {
            throw new MprogException(Errno.EBADF, "fd " + fd + " is not open");
        }
        if (!(o instanceof Prog p)) {
            throw new MprogException(Errno.EINVAL, "fd " + fd + " is not a program");
        }
        return p;
    }

    @Override
    public Link linkById(int id) throws MprogException {
        Link l = links.get(id);
        if (l == null) {
            throw new MprogException(Errno.ENOENT, "no link with id " + id);
        }
        return l;
    }

    @Override
    public Link linkByFd(int fd) throws MprogException {
        Object o = fds.get(fd);
        if (o == null) {
            throw new MprogException(Errno.EBADF, "fd " + fd + " is not open");
        }
        if (!(o instanceof Link l)) {
            throw new MprogException(Errno.EINVAL, "fd " + fd + " is not a link");
        }
        return l;
    }

    @Override
    public Prog progOfLink(Link link) {
        return link.prog;
    }

    @Override
    public int progType(Prog prog) {
        return prog.type;
    }
}
