package dev.tcxsim.linux.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc entry points tcxsim calls, through FFM. Every call captures errno right after the call
 * returns ({@code Linker.Option.captureCallState}), so no JVM activity in between can clobber it.
 *
 * <p>{@code syscall(2)} is variadic: all its arguments after the number are passed as 64-bit
 * values, which is what glibc's x86_64 implementation reads with {@code va_arg(ap, long)}.
 *
 * <p>The {@code ...OrThrow} variants turn a failure into an {@link ErrnoException} naming the call.
 */
public final class Sys {
    public static final long SYS_BPF = 321;
    public static final long SYS_SETNS = 308;
    public static final long SYS_UNSHARE = 272;
    public static final long SYS_GETTID = 186;

    public static final int CLONE_NEWNS = 0x00020000;
    public static final int CLONE_NEWNET = 0x40000000;

    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_BIND = 0x1000;
    public static final long MS_REC = 0x4000;
    public static final long MS_PRIVATE = 1 << 18;
    public static final int MNT_DETACH = 2;

    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SYSCALL3 = LINKER.downcallHandle(LIBC.find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETEUID = LINKER.downcallHandle(LIBC.find("geteuid").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = handle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = handle("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDTO = handle("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = handle("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MOUNT = handle("mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle UMOUNT2 = handle("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle UNLINK = handle("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    /** Per-thread buffer for the captured call state (errno). */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    private Sys() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), fd, CAPTURE_ERRNO);
    }

    /** A syscall's raw outcome: the return value, and errno when it is negative. */
    public record Result(long value, int errno) {
        public boolean failed() {
            return value < 0;
        }

        /** The value as an int (an fd, a count), or an {@link ErrnoException} naming {@code call}. */
        public int orThrow(String call) throws ErrnoException {
            if (failed()) {
                throw new ErrnoException(call, errno);
            }
            return (int) value;
        }
    }

    private static Result result(long rc, MemorySegment state) {
        return new Result(rc, rc < 0 ? (int) ERRNO.get(state, 0L) : 0);
    }

    private static IllegalStateException linkFailure(String what, Throwable t) {
        return new IllegalStateException(what + " could not be called through FFM", t);
    }

    /** syscall(nr, a, b, c) with errno captured. */
    public static Result syscall(long nr, long a, long b, long c) {
        MemorySegment state = STATE.get();
        try {
            long rc = (long) SYSCALL3.invokeExact(state, nr, a, b, c);
            return result(rc, state);
        } catch (Throwable t) {
            throw linkFailure("syscall " + nr, t);
        }
    }

    /** bpf(cmd, attr, size). */
    public static Result bpf(int cmd, MemorySegment attr) {
        return syscall(SYS_BPF, cmd, attr.address(), attr.byteSize());
    }

    /** close(fd); returns errno or 0. */
    public static int close(int fd) {
        MemorySegment state = STATE.get();
        try {
            int rc = (int) CLOSE.invokeExact(state, fd);
            return rc < 0 ? (int) ERRNO.get(state, 0L) : 0;
        } catch (Throwable t) {
            throw linkFailure("close", t);
        }
    }

    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw linkFailure("geteuid", t);
        }
    }

    /** The calling thread's kernel task id. */
    public static int gettid() {
        return (int) syscall(SYS_GETTID, 0, 0, 0).value();
    }

    /** unshare(flags) for the calling thread. */
    public static void unshare(int flags) throws ErrnoException {
        syscall(SYS_UNSHARE, flags, 0, 0).orThrow("unshare(0x" + Integer.toHexString(flags) + ")");
    }

    /** setns(fd, nstype) for the calling thread. */
    public static void setns(int fd, int nstype) throws ErrnoException {
        syscall(SYS_SETNS, fd, nstype, 0).orThrow("setns(fd " + fd + ", 0x" + Integer.toHexString(nstype) + ")");
    }

    public static int socket(int domain, int type, int protocol) throws ErrnoException {
        MemorySegment state = STATE.get();
        try {
            return result((int) SOCKET.invokeExact(state, domain, type, protocol), state)
                    .orThrow("socket(" + domain + ", " + type + ", " + protocol + ")");
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw linkFailure("socket", t);
        }
    }

    public static void bind(int fd, MemorySegment addr) throws ErrnoException {
        MemorySegment state = STATE.get();
        try {
            result((int) BIND.invokeExact(state, fd, addr, (int) addr.byteSize()), state).orThrow("bind");
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw linkFailure("bind", t);
        }
    }

    public static void setsockopt(int fd, int level, int name, int value) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            setsockopt(fd, level, name, v);
        }
    }

    public static void setsockopt(int fd, int level, int name, MemorySegment value) throws ErrnoException {
        MemorySegment state = STATE.get();
        try {
            result((int) SETSOCKOPT.invokeExact(state, fd, level, name, value, (int) value.byteSize()), state)
                    .orThrow("setsockopt(level " + level + ", option " + name + ")");
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw linkFailure("setsockopt", t);
        }
    }

    /** sendto; {@code addr} may be {@link MemorySegment#NULL} for a connected/netlink default. */
    public static long sendto(int fd, MemorySegment buf, int flags, MemorySegment addr) throws ErrnoException {
        MemorySegment state = STATE.get();
        try {
            int addrLen = addr.equals(MemorySegment.NULL) ? 0 : (int) addr.byteSize();
            return result((long) SENDTO.invokeExact(state, fd, buf, buf.byteSize(), flags, addr, addrLen), state)
                    .orThrow("sendto");
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw linkFailure("sendto", t);
        }
    }

    /**
     * recvfrom; returns the byte count or the raw result (so a caller can tell EAGAIN apart).
     * {@code addr} (with its length written into {@code addrLen}) may be NULL.
     */
    public static Result recvfrom(int fd, MemorySegment buf, int flags, MemorySegment addr, MemorySegment addrLen) {
        MemorySegment state = STATE.get();
        try {
            return result((long) RECVFROM.invokeExact(state, fd, buf, buf.byteSize(), flags, addr, addrLen), state);
        } catch (Throwable t) {
            throw linkFailure("recvfrom", t);
        }
    }

    /** mount(2); null strings are passed as NULL. */
    public static void mount(String source, String target, String fsType, long flags) throws ErrnoException {
        MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) MOUNT.invokeExact(state, cstr(arena, source), cstr(arena, target), cstr(arena, fsType),
                    flags, MemorySegment.NULL);
            result(rc, state).orThrow("mount(" + source + ", " + target + ", " + fsType + ", 0x"
                    + Long.toHexString(flags) + ")");
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw linkFailure("mount", t);
        }
    }

    public static void umount2(String target, int flags) throws ErrnoException {
        MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            result((int) UMOUNT2.invokeExact(state, cstr(arena, target), flags), state).orThrow("umount2(" + target + ")");
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw linkFailure("umount2", t);
        }
    }

    public static void unlink(String path) throws ErrnoException {
        MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            result((int) UNLINK.invokeExact(state, cstr(arena, path)), state).orThrow("unlink(" + path + ")");
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw linkFailure("unlink", t);
        }
    }

    public static int open(String path, int flags) throws ErrnoException {
        MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            return result((int) OPEN.invokeExact(state, cstr(arena, path), flags), state).orThrow("open(" + path + ")");
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw linkFailure("open", t);
        }
    }

    private static MemorySegment cstr(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
    }

    /** The layouts' helpers use these; exposed so bindings share one place. */
    public static Linker linker() {
        return LINKER;
    }

    public static SymbolLookup libc() {
        return LIBC;
    }
}
