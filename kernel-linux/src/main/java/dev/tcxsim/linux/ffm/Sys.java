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

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc entry points tcxsim calls, through FFM. Every call captures errno right after the call
 * returns ({@code Linker.Option.captureCallState}), so no JVM activity in between can clobber it.
 *
 * <p>{@code syscall(2)} is variadic: all its arguments after the number are passed as 64-bit
 * values, which is what glibc's x86_64 implementation reads with {@code va_arg(ap, long)}.
 */
public final class Sys {
    public static final long SYS_BPF = 321;
    public static final long SYS_SETNS = 308;
    public static final long SYS_UNSHARE = 272;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SYSCALL3 = LINKER.downcallHandle(LIBC.find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LIBC.find("close").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle GETEUID = LINKER.downcallHandle(LIBC.find("geteuid").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT));

    /** Per-thread buffer for the captured call state (errno). */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    private Sys() {
    }

    /** A syscall's raw outcome: the return value, and errno when it is negative. */
    public record Result(long value, int errno) {
        public boolean failed() {
            return value < 0;
        }
    }

    /** syscall(nr, a, b, c) with errno captured. */
    public static Result syscall(long nr, long a, long b, long c) {
        MemorySegment state = STATE.get();
        try {
            long rc = (long) SYSCALL3.invokeExact(state, nr, a, b, c);
            return new Result(rc, rc < 0 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw new IllegalStateException("syscall " + nr + " could not be called", t);
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
            throw new IllegalStateException("close could not be called", t);
        }
    }

    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("geteuid could not be called", t);
        }
    }

    /** The layouts' helpers use these; exposed so bindings share one place. */
    public static Linker linker() {
        return LINKER;
    }

    public static SymbolLookup libc() {
        return LIBC;
    }
}
