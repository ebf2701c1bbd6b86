package dev.tcxsim.linux.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * AF_PACKET and AF_INET datagram sockets: inject a frame out of a device, capture what arrives on a
 * device, and observe UDP local delivery. Sockets live in the network namespace of the thread that
 * creates them.
 */
public final class Sockets {
    static final int AF_INET = 2;
    static final int AF_PACKET = 17;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOL_PACKET = 263;
    static final int PACKET_IGNORE_OUTGOING = 23;
    /** htons(ETH_P_ALL). */
    static final int ETH_P_ALL_BE = 0x0300;
    static final int MSG_DONTWAIT = 0x40;
    static final int EAGAIN = 11;
    public static final int PACKET_OUTGOING = 4;
    private static final int SOCKADDR_LL_LEN = 20;
    private static final int MAX_FRAME = 1 << 16;

    private Sockets() {
    }

    /** sockaddr_ll: 0 family, 2 protocol (BE), 4 ifindex, 8 hatype, 10 pkttype, 11 halen, 12 addr[8]. */
    private static MemorySegment sockaddrLl(Arena arena, int ifindex) {
        MemorySegment sa = arena.allocate(SOCKADDR_LL_LEN, 4);
        sa.set(JAVA_SHORT, 0, (short) AF_PACKET);
        sa.set(JAVA_SHORT, 2, (short) ETH_P_ALL_BE);
        sa.set(JAVA_INT, 4, ifindex);
        return sa;
    }

    /**
     * A non-blocking AF_PACKET raw socket bound to {@code ifindex} for every protocol. With
     * {@code ignoreOutgoing} the kernel does not loop the device's own transmissions back to it.
     */
    public static int packetSocket(int ifindex, boolean ignoreOutgoing) throws ErrnoException {
        int fd = Sys.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, ETH_P_ALL_BE);
        try (Arena arena = Arena.ofConfined()) {
            if (ignoreOutgoing) {
                Sys.setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
            }
            Sys.bind(fd, sockaddrLl(arena, ifindex));
            return fd;
        } catch (ErrnoException e) {
            Sys.close(fd);
            throw e;
        }
    }

    /** Sends one complete Ethernet frame out of {@code ifindex} through a packet socket. */
    public static void packetSend(int fd, int ifindex, byte[] frame) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, frame.length));
            MemorySegment.copy(frame, 0, buf, JAVA_BYTE, 0, frame.length);
            long sent = Sys.sendto(fd, buf, 0, sockaddrLl(arena, ifindex));
            if (sent != frame.length) {
                throw new ErrnoException("sendto on AF_PACKET (sent " + sent + " of " + frame.length + " bytes)", 5);
            }
        }
    }

    /** A frame captured by a packet socket and the sockaddr_ll pkttype it came with. */
    public record Captured(byte[] frame, int pktType) {
    }

    /** The next queued frame, or null when none is waiting (never blocks). */
    public static Captured packetRecv(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(MAX_FRAME);
            MemorySegment sa = arena.allocate(SOCKADDR_LL_LEN, 4);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, SOCKADDR_LL_LEN);
            Sys.Result r = Sys.recvfrom(fd, buf, MSG_DONTWAIT, sa, len);
            if (r.failed()) {
                if (r.errno() == EAGAIN) {
                    return null;
                }
                throw new ErrnoException("recvfrom on AF_PACKET", r.errno());
            }
            return new Captured(buf.asSlice(0, r.value()).toArray(JAVA_BYTE), Byte.toUnsignedInt(sa.get(JAVA_BYTE, 10)));
        }
    }

    /** A non-blocking UDP socket bound to ip:port (sockaddr_in: family, port BE, addr BE). */
    public static int udpSocket(String ip, int port) throws ErrnoException {
        byte[] addr = ipv4(ip);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("UDP port " + port + " is outside 0..65535");
        }
        int fd = Sys.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(16, 4);
            sa.set(JAVA_SHORT, 0, (short) AF_INET);
            sa.set(JAVA_BYTE, 2, (byte) (port >>> 8));
            sa.set(JAVA_BYTE, 3, (byte) port);
            MemorySegment.copy(addr, 0, sa, JAVA_BYTE, 4, 4);
            Sys.bind(fd, sa);
            return fd;
        } catch (ErrnoException e) {
            Sys.close(fd);
            throw new ErrnoException("bind UDP " + ip + ":" + port, e.errno());
        }
    }

    /** The next datagram's payload, or null when none is waiting. */
    public static byte[] udpRecv(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(MAX_FRAME);
            Sys.Result r = Sys.recvfrom(fd, buf, MSG_DONTWAIT, MemorySegment.NULL, MemorySegment.NULL);
            if (r.failed()) {
                if (r.errno() == EAGAIN) {
                    return null;
                }
                throw new ErrnoException("recvfrom on UDP", r.errno());
            }
            return buf.asSlice(0, r.value()).toArray(JAVA_BYTE);
        }
    }

    /** The 4 bytes of an IPv4 literal; IllegalArgumentException naming the text otherwise. */
    public static byte[] ipv4(String ip) {
        try {
            if (InetAddress.ofLiteral(ip) instanceof Inet4Address a) {
                return a.getAddress();
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + ip + "' is not an IPv4 address literal");
    }
}
