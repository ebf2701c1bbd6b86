package dev.tcxsim.linux;

import dev.tcxsim.linux.ffm.Bpf;
import dev.tcxsim.linux.ffm.ErrnoException;
import dev.tcxsim.linux.ffm.Rtnetlink;
import dev.tcxsim.linux.ffm.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * One isolated place on the real kernel: a dedicated platform thread that has unshared its network
 * and mount namespaces, with a private bpffs mounted at a unique directory. Every call of the
 * session runs on that thread ({@link #call}), because {@code unshare} switches only the calling
 * task: sockets, netlink and bpffs paths resolve in the session's namespaces there and nowhere else.
 *
 * <p>{@link #close()} closes every fd registered with {@link #track}, unpins everything under the
 * bpffs root, deletes every device but loopback, unmounts the bpffs and removes its directory; then
 * the thread ends and the kernel frees both namespaces. A shutdown hook does the same when the JVM
 * exits with the session still open. The host's own devices, mounts and namespaces are never
 * touched: the thread leaves the host namespaces before it does anything else.
 */
public final class NetnsSession implements AutoCloseable {
    /** A unit of work for the session thread. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws ErrnoException, IOException;
    }

    private static final String BPFFS_PREFIX = "tcxsim-bpffs-";
    /** Where iproute2 keeps named network namespaces (bind mounts of ns/net files). */
    static final Path NETNS_DIR = Path.of("/run/netns");
    /** The bpffs mounts of named sessions live here, in the host mount namespace, so pins outlast a JVM. */
    static final Path NAMED_BPFFS_DIR = Path.of("/run/tcxsim/bpffs");
    private static final java.util.regex.Pattern NETNS_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final String id;
    /** null for an anonymous session; else the iproute2 name of the kept namespace. */
    private final String netnsName;
    private final Path bpffs;
    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final Set<Integer> fds = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private final Thread shutdownHook;
    private final List<String> closeProblems = new ArrayList<>();
    private volatile boolean closed;
    private Rtnetlink rtnl;
    private long netnsInode;
    private int tid;

    private NetnsSession(String id, String netnsName) {
        this.id = id;
        this.netnsName = netnsName;
        this.bpffs = netnsName == null ? Path.of(System.getProperty("java.io.tmpdir"), BPFFS_PREFIX + id)
                : NAMED_BPFFS_DIR.resolve(netnsName);
        this.thread = Thread.ofPlatform().daemon().name("tcxsim-netns-" + id).unstarted(this::loop);
        this.shutdownHook = Thread.ofPlatform().name("tcxsim-netns-" + id + "-cleanup").unstarted(this::close);
    }

    /** Starts the thread, enters new namespaces and mounts the bpffs; fails with the reason if any step fails. */
    public static NetnsSession start() throws ErrnoException {
        return start(null);
    }

    /**
     * A session in the named network namespace {@code name} (as {@code ip netns} names it): joined
     * when it exists, else created and registered under /run/netns. Its bpffs is mounted at
     * /run/tcxsim/bpffs/NAME in the host mount namespace. {@link #close()} keeps the namespace, its
     * devices and its pins (only this session's fds are closed); {@link #deleteNamed} removes them.
     */
    public static NetnsSession startNamed(String name) throws ErrnoException {
        checkNetnsName(name);
        return start(name);
    }

    private static void checkNetnsName(String name) {
        if (name == null || !NETNS_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'" + name + "' is not a usable netns name (1..64 of A-Z a-z 0-9 _ . -)");
        }
    }

    /** Whether a named namespace {@code name} is registered under /run/netns. */
    public static boolean namedExists(String name) {
        checkNetnsName(name);
        return Files.exists(NETNS_DIR.resolve(name));
    }

    /**
     * Removes a named namespace: unpins everything in its bpffs, unmounts that, and unregisters the
     * namespace, which the kernel then frees with its devices once no task is left in it.
     */
    public static void deleteNamed(String name) throws ErrnoException, IOException {
        checkNetnsName(name);
        Path fs = NAMED_BPFFS_DIR.resolve(name);
        if (Files.isDirectory(fs)) {
            if (mountedAt(fs, Path.of("/proc/thread-self/mounts"))) {
                unpinAll(fs);
                Sys.umount2(fs.toString(), Sys.MNT_DETACH);
            }
            Files.deleteIfExists(fs);
        }
        Path ns = NETNS_DIR.resolve(name);
        if (Files.exists(ns)) {
            if (mountedAt(ns, Path.of("/proc/thread-self/mounts"))) {
                Sys.umount2(ns.toString(), Sys.MNT_DETACH);
            }
            Files.deleteIfExists(ns);
        }
        for (Path dir : List.of(NAMED_BPFFS_DIR, NAMED_BPFFS_DIR.getParent(), NETNS_DIR)) {
            try {
                Files.deleteIfExists(dir); // only when empty: other namespaces may still live there
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                // still in use
            }
        }
    }

    private static boolean mountedAt(Path target, Path mountTable) throws IOException {
        String t = " " + target + " ";
        return Files.readAllLines(mountTable).stream().anyMatch(l -> l.contains(t));
    }

    private static NetnsSession start(String netnsName) throws ErrnoException {
        NetnsSession s = new NetnsSession(HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()), netnsName);
        s.thread.start();
        try {
            s.call(s::enter);
        } catch (ErrnoException | RuntimeException e) {
            s.close();
            throw e;
        }
        try {
            Runtime.getRuntime().addShutdownHook(s.shutdownHook);
        } catch (IllegalStateException e) {
            s.close();
            throw new IllegalStateException("the JVM is shutting down: no new tcxsim kernel session", e);
        }
        return s;
    }

    private Void enter() throws ErrnoException, IOException {
        tid = Sys.gettid();
        long hostNetns = inode(Path.of("/proc/self/ns/net"));
        if (netnsName == null) {
            Sys.unshare(Sys.CLONE_NEWNET | Sys.CLONE_NEWNS);
            // Nothing we mount may propagate back to the host's mount namespace.
            Sys.mount(null, "/", null, Sys.MS_REC | Sys.MS_PRIVATE);
        } else {
            enterNamed();
        }
        netnsInode = inode(Path.of("/proc/thread-self/ns/net"));
        if (netnsInode == hostNetns) {
            throw new IllegalStateException("the session thread is still in the host netns after entering its own");
        }
        if (!Files.isDirectory(bpffs)) {
            Files.createDirectories(bpffs);
        }
        if (!mountedAt(bpffs, Path.of("/proc/thread-self/mounts"))) {
            Sys.mount("bpf", bpffs.toString(), "bpf", Sys.MS_NOSUID | Sys.MS_NODEV | Sys.MS_NOEXEC);
        }
        rtnl = Rtnetlink.open();
        fds.add(rtnl.fd());
        // Programs' run_cnt counts only while someone holds a stats fd; the session holds one so that
        // ProgInfo.runCount means what it means on the simulator. Closed with the session.
        fds.add(Bpf.enableStats());
        rtnl.setUp(1); // loopback, so locally addressed traffic works inside the namespace
        for (String conf : List.of("all", "default")) {
            // Test frames come from addresses that are not routed back: no reverse-path drop.
            writeSysctl("net/ipv4/conf/" + conf + "/rp_filter", "0");
            // No IPv6 autoconfiguration traffic (DAD, router solicitations) mixing into what taps see.
            if (Files.exists(Path.of("/proc/sys/net/ipv6/conf", conf, "disable_ipv6"))) {
                writeSysctl("net/ipv6/conf/" + conf + "/disable_ipv6", "1");
            }
        }
        return null;
    }

    /** Joins /run/netns/NAME with setns, or creates the namespace and bind-mounts it there like {@code ip netns add}. */
    private void enterNamed() throws ErrnoException, IOException {
        Path ns = NETNS_DIR.resolve(netnsName);
        if (Files.exists(ns)) {
            int fd = Sys.open(ns.toString(), Sys.O_RDONLY | Sys.O_CLOEXEC);
            try {
                Sys.setns(fd, Sys.CLONE_NEWNET);
            } finally {
                Sys.close(fd);
            }
            return;
        }
        Sys.unshare(Sys.CLONE_NEWNET);
        Files.createDirectories(NETNS_DIR);
        Files.createFile(ns);
        try {
            Sys.mount("/proc/thread-self/ns/net", ns.toString(), null, Sys.MS_BIND);
        } catch (ErrnoException e) {
            Files.deleteIfExists(ns);
            throw e;
        }
    }

    private static long inode(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    private void loop() {
        while (true) {
            Runnable r;
            try {
                r = queue.take();
            } catch (InterruptedException e) {
                continue; // only close() ends the loop, after cleanup ran on this thread
            }
            r.run();
            if (closed && queue.isEmpty()) {
                return;
            }
        }
    }

    /**
     * Runs {@code work} on the session thread and returns its result; its ErrnoException or
     * runtime exception is rethrown here. Called from the session thread itself, it runs inline.
     */
    public <T> T call(Work<T> work) throws ErrnoException {
        if (Thread.currentThread() == thread) {
            try {
                return work.run();
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        if (closed) {
            throw new IllegalStateException("tcxsim netns session " + id + " is closed");
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        queue.add(() -> {
            try {
                f.complete(work.run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the call is already running in the namespace: wait for it
                }
            }
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            switch (c) {
                case ErrnoException ee -> throw ee;
                case RuntimeException re -> throw re;
                case Error err -> throw err;
                case IOException io -> throw new IllegalStateException(io.getMessage(), io);
                default -> throw new IllegalStateException(c);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The iproute2 name of a kept namespace, or null for an anonymous one. */
    public String netnsName() {
        return netnsName;
    }

    /** A short random id, also part of the bpffs directory name. */
    public String id() {
        return id;
    }

    /** The session's bpffs mount point (visible only from the session thread). */
    public Path bpffs() {
        return bpffs;
    }

    /** The rtnetlink socket of the session namespace; use it only inside {@link #call}. */
    public Rtnetlink rtnl() {
        return rtnl;
    }

    /** The inode of the session's network namespace (as /proc/PID/task/TID/ns/net shows it). */
    public long netnsInode() {
        return netnsInode;
    }

    /** The kernel task id of the session thread. */
    public int tid() {
        return tid;
    }

    /** Registers an fd the session must close at the end. */
    public int track(int fd) {
        fds.add(fd);
        return fd;
    }

    /** Forgets an fd that its owner closed. */
    public void untrack(int fd) {
        fds.remove(fd);
    }

    /** Writes a sysctl under /proc/sys from the session thread, where /proc/sys/net is the session's netns. */
    public void writeSysctl(String key, String value) throws ErrnoException {
        call(() -> {
            Files.writeString(Path.of("/proc/sys", key), value);
            return null;
        });
    }

    /** What went wrong during close, if anything (empty after a clean close). */
    public List<String> closeProblems() {
        synchronized (closeProblems) {
            return List.copyOf(closeProblems);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Removes everything the session made; idempotent; safe from any thread, also from the shutdown hook. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!thread.isAlive()) {
                closed = true;
                return;
            }
            try {
                call(() -> {
                    cleanUp();
                    return null;
                });
            } catch (ErrnoException | RuntimeException e) {
                problem("cleanup: " + e.getMessage());
            }
            closed = true;
            queue.add(() -> { });
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // the JVM is already shutting down, or the hook was never registered (failed start)
            }
            joinQuietly();
        }
    }

    private void joinQuietly() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void problem(String p) {
        synchronized (closeProblems) {
            closeProblems.add(p);
        }
    }

    /** Runs on the session thread. Each step goes on when an earlier one failed. */
    private void cleanUp() {
        for (int fd : List.copyOf(fds)) {
            if (rtnl != null && fd == rtnl.fd()) {
                continue;
            }
            Sys.close(fd);
            fds.remove(fd);
        }
        if (netnsName != null) {
            if (rtnl != null) {
                rtnl.close();
                fds.remove(rtnl.fd());
            }
            return; // a named namespace is kept with its devices and pins until deleteNamed
        }
        if (Files.isDirectory(bpffs)) {
            try {
                unpinAll(bpffs);
            } catch (IOException | RuntimeException e) {
                problem("unpin under " + bpffs + ": " + e);
            }
        }
        if (rtnl != null) {
            try {
                for (Rtnetlink.Link l : rtnl.links()) {
                    if (!"loopback".equals(l.kind())) {
                        try {
                            rtnl.deleteLink(l.ifindex());
                        } catch (ErrnoException e) {
                            if (e.errno() != 19) { // ENODEV: the veth peer went with its pair
                                problem("delete " + l.name() + ": " + e.getMessage());
                            }
                        }
                    }
                }
                for (Rtnetlink.Link l : rtnl.links()) {
                    if (!"loopback".equals(l.kind())) {
                        problem("device " + l.name() + " (ifindex " + l.ifindex() + ") still exists");
                    }
                }
            } catch (ErrnoException e) {
                problem("list devices: " + e.getMessage());
            }
            rtnl.close();
            fds.remove(rtnl.fd());
        }
        try {
            if (isMounted()) {
                Sys.umount2(bpffs.toString(), Sys.MNT_DETACH);
            }
        } catch (ErrnoException | IOException e) {
            problem("umount " + bpffs + ": " + e.getMessage());
        }
        try {
            Files.deleteIfExists(bpffs);
        } catch (IOException e) {
            problem("rmdir " + bpffs + ": " + e);
        }
    }

    /** Unlinks every pin and directory under a bpffs root except bpf_preload's iterators. */
    private static void unpinAll(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(root) && !isPreloaded(root, p)) {
                    Files.delete(p);
                }
            }
        }
    }

    /** bpf_preload's iterators (maps.debug, progs.debug) come with every bpffs mount and cannot be unlinked. */
    private static boolean isPreloaded(Path root, Path p) {
        return p.getParent().equals(root) && p.getFileName().toString().endsWith(".debug");
    }

    private boolean isMounted() throws IOException {
        String target = " " + bpffs + " ";
        return Files.readAllLines(Path.of("/proc/thread-self/mounts")).stream().anyMatch(l -> l.contains(target));
    }

    /** True while the session's bpffs shows in the session thread's mount table. */
    public boolean bpffsMounted() throws ErrnoException {
        return call(this::isMounted);
    }
}
