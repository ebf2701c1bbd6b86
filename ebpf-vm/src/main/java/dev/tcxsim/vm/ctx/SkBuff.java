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

    /** ETH_HLEN: where the network header starts in a frame eth_type_trans accepted. */
    public static final int ETH_HLEN = 14;

    // The buffer is replaced when a helper needs more head- or tailroom than it has; every access
    // reads buffer()/dataOffset() afresh, so the VM never holds on to an old array.
    private byte[] buffer;
    private int dataOffset;
    private int len;
    private int metaLen;
    private int wireLen;
    /** skb->network_header and skb->transport_header relative to data (the mac header); -1: not set. */
    private int networkOffset = ETH_HLEN;
    private int transportOffset = -1;
    private boolean encapsulation;
    private int gsoType;
    private int ipSummed;
    private int csumLevel;
    private int csum;
    private boolean l4Hash;
    private boolean swHash;
    private TunnelInfo tunnel;

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
        this.wireLen = frame.length;
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

    /**
     * __sk_buff.wire_len: the length the frame had when it arrived (qdisc_skb_cb's pkt_len); the
     * packet's length at construction unless set. Helpers that resize the packet leave it alone, as in the kernel.
     */
    public int wireLen() {
        return wireLen;
    }

    public void setWireLen(int v) {
        wireLen = v;
    }

    // ---- resizing (the helpers that grow or shrink the packet)

    /** Bytes free in front of data_meta. */
    public int headroom() {
        return dataOffset - metaLen;
    }

    /** Bytes free after data_end. */
    public int tailroom() {
        return buffer.length - dataOffset - len;
    }

    /** Makes sure {@code head} bytes are free in front of data_meta and {@code tail} after data_end, moving the packet to a larger buffer if not. */
    private void ensureRoom(int head, int tail) {
        if (headroom() >= head && tailroom() >= tail) {
            return;
        }
        int newHead = Math.max(headroom(), head + HEADROOM);
        int newTail = Math.max(tailroom(), tail);
        byte[] grown = new byte[newHead + metaLen + len + newTail];
        System.arraycopy(buffer, dataOffset - metaLen, grown, newHead, metaLen + len);
        buffer = grown;
        dataOffset = newHead + metaLen;
    }

    /**
     * Inserts {@code n} zero bytes at packet offset {@code at}: the first {@code at} bytes (and the
     * metadata in front of them) move {@code n} bytes toward the head, as bpf_skb_generic_push does.
     * The header offsets are the caller's business.
     */
    public void insertBytes(int at, int n) {
        if (at < 0 || at > len || n < 0) {
            throw new IllegalArgumentException("cannot insert " + n + " bytes at offset " + at + " of a " + len + "-byte packet");
        }
        ensureRoom(n, 0);
        int from = dataOffset - metaLen;
        System.arraycopy(buffer, from, buffer, from - n, metaLen + at);
        dataOffset -= n;
        len += n;
        Arrays.fill(buffer, dataOffset + at, dataOffset + at + n, (byte) 0);
    }

    /** Removes the {@code n} bytes at packet offset {@code at}; the bytes in front of them (and the metadata) move up, as bpf_skb_generic_pop does. */
    public void removeBytes(int at, int n) {
        if (at < 0 || n < 0 || at + n > len) {
            throw new IllegalArgumentException("cannot remove " + n + " bytes at offset " + at + " of a " + len + "-byte packet");
        }
        int from = dataOffset - metaLen;
        System.arraycopy(buffer, from, buffer, from + n, metaLen + at);
        dataOffset += n;
        len -= n;
    }

    /** Grows the packet at its end with zero bytes or trims it to {@code newLen} bytes. */
    public void setLen(int newLen) {
        if (newLen < 0) {
            throw new IllegalArgumentException("packet length " + newLen + " is negative");
        }
        if (newLen > len) {
            ensureRoom(0, newLen - len);
            Arrays.fill(buffer, dataOffset + len, dataOffset + newLen, (byte) 0);
        }
        len = newLen;
    }

    // ---- header offsets, checksum and hash state (what the helpers consult)

    /** skb_network_offset: where the network header starts, counted from data (the mac header at tc). */
    public int networkOffset() { return networkOffset; }
    public void setNetworkOffset(int v) { networkOffset = v; }
    /** skb_transport_offset from data, or -1 while the transport header is not set (as after BPF_PROG_TEST_RUN's setup). */
    public int transportOffset() { return transportOffset; }
    public void setTransportOffset(int v) { transportOffset = v; }
    /** skb->encapsulation, set by bpf_skb_adjust_room's encap flags. */
    public boolean encapsulation() { return encapsulation; }
    public void setEncapsulation(boolean v) { encapsulation = v; }
    /** skb_shinfo(skb)->gso_type (SKB_GSO_* bits); a packet is GSO when {@link #gsoSize()} is not 0. */
    public int gsoType() { return gsoType; }
    public void setGsoType(int v) { gsoType = v; }
    /** skb->ip_summed: CHECKSUM_NONE (0), _UNNECESSARY (1), _COMPLETE (2) or _PARTIAL (3). */
    public int ipSummed() { return ipSummed; }
    public void setIpSummed(int v) { ipSummed = v & 3; }
    /** skb->csum_level (0..3), meaningful with CHECKSUM_UNNECESSARY. */
    public int csumLevel() { return csumLevel; }
    public void setCsumLevel(int v) { csumLevel = v & 3; }
    /** skb->csum (a __wsum), meaningful with CHECKSUM_COMPLETE. */
    public int csum() { return csum; }
    public void setCsum(int v) { csum = v; }
    /** skb->l4_hash: the hash covers the 4-tuple (or a program set it with bpf_set_hash). */
    public boolean l4Hash() { return l4Hash; }
    public void setL4Hash(boolean v) { l4Hash = v; }
    /** skb->sw_hash: software set the hash. */
    public boolean swHash() { return swHash; }
    public void setSwHash(boolean v) { swHash = v; }
    /** The tunnel metadata a program attached with bpf_skb_set_tunnel_key (the kernel's metadata dst), or null. */
    public TunnelInfo tunnel() { return tunnel; }
    public void setTunnel(TunnelInfo t) { tunnel = t; }

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
        ensureRoom(Math.max(0, meta.length - metaLen), 0);
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
