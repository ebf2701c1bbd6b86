package dev.tcxsim.linux.ffm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * A netlink message being built: {@code struct nlmsghdr} (16 bytes: len, type, flags, seq, pid),
 * a fixed family header written with the {@code put*} methods, then {@code struct rtattr}s (len,
 * type, payload padded to 4 bytes), possibly nested. Host byte order throughout, as netlink is.
 */
public final class NlMsg {
    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;
    public static final int NLM_F_DUMP = 0x300;
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_ACK_TLVS = 0x200;

    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLA_F_NESTED = 0x8000;
    static final int HDR_LEN = 16;

    private ByteBuffer buf = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    private final Deque<Integer> nests = new ArrayDeque<>();
    private final int type;

    /** Starts a message of {@code type} (RTM_*) with {@code flags} (NLM_F_*); seq is set at send time. */
    public NlMsg(int type, int flags) {
        this.type = type;
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(0).putInt(0);
    }

    public int type() {
        return type;
    }

    private void room(int n) {
        if (buf.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n))
                    .order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    private void pad() {
        while ((buf.position() & 3) != 0) {
            room(1);
            buf.put((byte) 0);
        }
    }

    public NlMsg putU8(int v) {
        room(1);
        buf.put((byte) v);
        return this;
    }

    public NlMsg putU16(int v) {
        room(2);
        buf.putShort((short) v);
        return this;
    }

    public NlMsg putU32(int v) {
        room(4);
        buf.putInt(v);
        return this;
    }

    public NlMsg attr(int attrType, byte[] payload) {
        pad();
        room(4 + payload.length + 3);
        buf.putShort((short) (4 + payload.length)).putShort((short) attrType).put(payload);
        pad();
        return this;
    }

    public NlMsg attrU32(int attrType, int v) {
        return attr(attrType, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
    }

    /** A NUL-terminated string attribute. */
    public NlMsg attrString(int attrType, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return attr(attrType, Arrays.copyOf(b, b.length + 1));
    }

    /** Opens a nested attribute (NLA_F_NESTED is not set: rtnetlink's old nests predate it). */
    public NlMsg nest(int attrType) {
        pad();
        room(4);
        nests.push(buf.position());
        buf.putShort((short) 0).putShort((short) attrType);
        return this;
    }

    public NlMsg endNest() {
        int start = nests.pop();
        buf.putShort(start, (short) (buf.position() - start));
        return this;
    }

    /** The finished bytes with {@code seq} filled in. */
    public byte[] bytes(int seq) {
        if (!nests.isEmpty()) {
            throw new IllegalStateException("netlink message has " + nests.size() + " unclosed nests");
        }
        pad();
        buf.putInt(0, buf.position());
        buf.putInt(8, seq);
        return Arrays.copyOf(buf.array(), buf.position());
    }

    // ---- parsing ----

    /** One received message: header fields and its payload (the family header and the attributes). */
    public record Reply(int type, int flags, int seq, ByteBuffer payload) {
        public int u32(int offset) {
            return payload.getInt(offset);
        }

        /** The attributes after a family header of {@code headerLen} bytes, by type (last one wins). */
        public Map<Integer, ByteBuffer> attrs(int headerLen) {
            return NlMsg.attrs(payload, headerLen, payload.limit());
        }
    }

    /** Splits the rtattrs in [from, to) of {@code b}. Each value is a little buffer positioned at 0. */
    public static Map<Integer, ByteBuffer> attrs(ByteBuffer b, int from, int to) {
        Map<Integer, ByteBuffer> out = new HashMap<>();
        int p = from;
        while (p + 4 <= to) {
            int len = Short.toUnsignedInt(b.getShort(p));
            int type = Short.toUnsignedInt(b.getShort(p + 2)) & ~NLA_F_NESTED & 0x7FFF;
            if (len < 4 || p + len > to) {
                break;
            }
            out.put(type, b.slice(p + 4, len - 4).order(ByteOrder.nativeOrder()));
            p += (len + 3) & ~3;
        }
        return out;
    }

    /** The attributes nested in one attribute's payload. */
    public static Map<Integer, ByteBuffer> nested(ByteBuffer attr) {
        return attrs(attr, 0, attr.limit());
    }

    public static String string(ByteBuffer attr) {
        byte[] b = new byte[attr.limit()];
        attr.get(0, b);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    public static int u32(ByteBuffer attr) {
        return attr.getInt(0);
    }

    public static byte[] bytes(ByteBuffer attr) {
        byte[] b = new byte[attr.limit()];
        attr.get(0, b);
        return b;
    }
}
