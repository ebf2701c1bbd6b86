package dev.tcxsim.vm.ctx;

import java.util.Arrays;

/**
 * The packet and the {@code struct __sk_buff} fields a tc program sees. Mutable; one per packet.
 *
 * <p>The bytes live in one buffer with headroom in front, like the kernel's skb: {@code data}
 * points at the Ethernet header, {@code data_meta} at {@code data - metaLen} (empty unless a
 * program or the caller sets metadata), {@code data_end} at {@code data + len}. The VM hands a
 * program tagged pointers into this buffer (see {@code dev.tcxsim.vm.mem.Memory}).
 */
public final class SkBuff {
    /** Headroom reserved in front of the frame for data_meta. */
    public static final int HEADROOM = 256;

    /** PACKET_HOST, the pkt_type of a frame addressed to this host. */
    public static final int PACKET_HOST = 0;

    private final byte[] buffer;
    private final int dataOffset;
    private int len;
    private int metaLen;

    private int mark;
    private int priority;
    private int protocol;
    private int tcIndex;
    private int tcClassid;
    private final int[] cb = new int[5];
    private int hash;
    private int ifindex;
    private int ingressIfindex;
    private int pktType = PACKET_HOST;
    private int queueMapping;
    private int vlanPresent;
    private int vlanTci;
    private int vlanProto;
    private long tstamp;
    private int tstampType;
    private long hwtstamp;
    private boolean tcAtIngress;
    private int napiId;
    private int gsoSegs;
    private int gsoSize;

    /**
     * A packet holding {@code frame}, which starts at the Ethernet header. {@code protocol} is taken
     * from the Ethernet type like eth_type_trans does (kept in network byte order as in __sk_buff).
     */
    public SkBuff(byte[] frame) {
        if (frame == null) {
            throw new IllegalArgumentException("frame must not be null");
        }
        this.buffer = new byte[HEADROOM + frame.length];
        this.dataOffset = HEADROOM;
        this.len = frame.length;
        System.arraycopy(frame, 0, buffer, HEADROOM, frame.length);
        if (frame.length >= 14) {
            int ethType = ((frame[12] & 0xff) << 8) | (frame[13] & 0xff);
            this.protocol = Short.reverseBytes((short) ethType) & 0xffff;
        }
    }

    /** A copy of the current packet bytes (data .. data+len). */
    public byte[] data() {
        return Arrays.copyOfRange(buffer, dataOffset, dataOffset + len);
    }

    public int len() {
        return len;
    }

    /** The length the frame had on the wire; equal to {@link #len()} since the simulator does not segment. */
    public int wireLen() {
        return len;
    }

    // ---- the buffer as the VM sees it

    /** The whole buffer (headroom included); the VM reads and writes it through bounds-checked accessors only. */
    public byte[] buffer() {
        return buffer;
    }

    /** Offset of data (the Ethernet header) in {@link #buffer()}. */
    public int dataOffset() {
        return dataOffset;
    }

    /** Offset of data_end in {@link #buffer()}. */
    public int dataEndOffset() {
        return dataOffset + len;
    }

    /** Offset of data_meta in {@link #buffer()}. */
    public int metaOffset() {
        return dataOffset - metaLen;
    }

    /** Metadata in front of the packet, visible to programs through data_meta. */
    public void setMeta(byte[] meta) {
        if (meta.length > 32 || meta.length % 4 != 0) {
            throw new IllegalArgumentException("metadata must be a multiple of 4 bytes and at most 32, got " + meta.length);
        }
        metaLen = meta.length;
        System.arraycopy(meta, 0, buffer, dataOffset - metaLen, metaLen);
    }

    public byte[] meta() {
        return Arrays.copyOfRange(buffer, dataOffset - metaLen, dataOffset);
    }

    // ---- __sk_buff fields

    public int mark() { return mark; }
    public void setMark(int v) { mark = v; }
    public int priority() { return priority; }
    public void setPriority(int v) { priority = v; }
    /** __sk_buff.protocol: the Ethernet protocol in network byte order (0x0008 for IPv4 on a little-endian host). */
    public int protocol() { return protocol; }
    public void setProtocol(int v) { protocol = v & 0xffff; }
    public int tcIndex() { return tcIndex; }
    public void setTcIndex(int v) { tcIndex = v & 0xffff; }
    public int tcClassid() { return tcClassid; }
    public void setTcClassid(int v) { tcClassid = v; }
    public int cb(int i) { return cb[checkCb(i)]; }
    public void setCb(int i, int v) { cb[checkCb(i)] = v; }
    public int hash() { return hash; }
    public void setHash(int v) { hash = v; }
    public int ifindex() { return ifindex; }
    public void setIfindex(int v) { ifindex = v; }
    public int ingressIfindex() { return ingressIfindex; }
    public void setIngressIfindex(int v) { ingressIfindex = v; }
    public int pktType() { return pktType; }
    public void setPktType(int v) { pktType = v & 7; }
    public int queueMapping() { return queueMapping; }
    public void setQueueMapping(int v) { queueMapping = v & 0xffff; }
    public int vlanPresent() { return vlanPresent; }
    public void setVlanPresent(int v) { vlanPresent = v != 0 ? 1 : 0; }
    public int vlanTci() { return vlanTci; }
    public void setVlanTci(int v) { vlanTci = v & 0xffff; }
    /** vlan_proto in network byte order, as __sk_buff shows it. */
    public int vlanProto() { return vlanProto; }
    public void setVlanProto(int v) { vlanProto = v & 0xffff; }
    public long tstamp() { return tstamp; }
    public void setTstamp(long v) { tstamp = v; }
    public int tstampType() { return tstampType; }
    public void setTstampType(int v) { tstampType = v & 3; }
    public long hwtstamp() { return hwtstamp; }
    public void setHwtstamp(long v) { hwtstamp = v; }
    /** True while the program runs at tc ingress (skb->tc_at_ingress). */
    public boolean tcAtIngress() { return tcAtIngress; }
    public void setTcAtIngress(boolean v) { tcAtIngress = v; }
    public int napiId() { return napiId; }
    public void setNapiId(int v) { napiId = v; }
    public int gsoSegs() { return gsoSegs; }
    public void setGsoSegs(int v) { gsoSegs = v; }
    public int gsoSize() { return gsoSize; }
    public void setGsoSize(int v) { gsoSize = v; }

    private static int checkCb(int i) {
        if (i < 0 || i > 4) {
            throw new IndexOutOfBoundsException("cb index " + i + " is not in 0..4");
        }
        return i;
    }

    @Override
    public String toString() {
        return "SkBuff[len=" + len + ", mark=" + mark + ", priority=" + priority + ", protocol=0x"
                + Integer.toHexString(protocol) + ", ifindex=" + ifindex + "]";
    }
}
