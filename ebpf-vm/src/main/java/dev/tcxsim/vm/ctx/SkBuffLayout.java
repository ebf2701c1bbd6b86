package dev.tcxsim.vm.ctx;

import dev.tcxsim.vm.mem.Ptr;

/**
 * {@code struct __sk_buff} as a SCHED_CLS (tc) program sees it: field offsets from
 * include/uapi/linux/bpf.h and the access rules of net/core/filter.c (bpf_skb_is_valid_access
 * narrowed by tc_cls_act_is_valid_access). The verifier checks constant context accesses with
 * {@link #checkAccess}; the interpreters map the accesses that pass onto {@link SkBuff} fields.
 */
public final class SkBuffLayout {
    public static final int LEN = 0, PKT_TYPE = 4, MARK = 8, QUEUE_MAPPING = 12, PROTOCOL = 16, VLAN_PRESENT = 20,
            VLAN_TCI = 24, VLAN_PROTO = 28, PRIORITY = 32, INGRESS_IFINDEX = 36, IFINDEX = 40, TC_INDEX = 44,
            CB = 48, CB_END = 68, HASH = 68, TC_CLASSID = 72, DATA = 76, DATA_END = 80, NAPI_ID = 84, FAMILY = 88,
            LOCAL_PORT_END = 140, DATA_META = 140, FLOW_KEYS = 144, TSTAMP = 152, WIRE_LEN = 160, GSO_SEGS = 164,
            SK = 168, GSO_SIZE = 176, TSTAMP_TYPE = 180, HWTSTAMP = 184, SIZE = 192;

    /** queue_mapping writes of this value or more are ignored (NO_QUEUE_MAPPING). */
    private static final int NO_QUEUE_MAPPING = 0xffff;

    private SkBuffLayout() {
    }

    /** The field name at {@code off}, for messages. */
    public static String fieldName(int off) {
        if (off >= CB && off < CB_END) {
            return "cb[" + (off - CB) / 4 + "]";
        }
        return switch (off & ~3) {
            case LEN -> "len";
            case PKT_TYPE -> "pkt_type";
            case MARK -> "mark";
            case QUEUE_MAPPING -> "queue_mapping";
            case PROTOCOL -> "protocol";
            case VLAN_PRESENT -> "vlan_present";
            case VLAN_TCI -> "vlan_tci";
            case VLAN_PROTO -> "vlan_proto";
            case PRIORITY -> "priority";
            case INGRESS_IFINDEX -> "ingress_ifindex";
            case IFINDEX -> "ifindex";
            case TC_INDEX -> "tc_index";
            case HASH -> "hash";
            case TC_CLASSID -> "tc_classid";
            case DATA -> "data";
            case DATA_END -> "data_end";
            case NAPI_ID -> "napi_id";
            case DATA_META -> "data_meta";
            case FLOW_KEYS, FLOW_KEYS + 4 -> "flow_keys";
            case TSTAMP, TSTAMP + 4 -> "tstamp";
            case WIRE_LEN -> "wire_len";
            case GSO_SEGS -> "gso_segs";
            case SK, SK + 4 -> "sk";
            case GSO_SIZE -> "gso_size";
            case TSTAMP_TYPE -> "tstamp_type";
            case HWTSTAMP, HWTSTAMP + 4 -> "hwtstamp";
            default -> off >= FAMILY && off < LOCAL_PORT_END ? "socket field" : "offset " + off;
        };
    }

    private static boolean writable(int off) {
        return (off >= CB && off < CB_END) || switch (off & ~3) {
            case MARK, QUEUE_MAPPING, PRIORITY, TC_INDEX, TC_CLASSID, TSTAMP -> true;
            default -> false;
        };
    }

    /** Null when a tc program may access {@code size} bytes at {@code off}, else the reason it may not. */
    public static String checkAccess(int off, int size, boolean write) {
        String why = refusal(off, size, write);
        // The message is built only for a refused access: this check runs on every context access.
        return why == null ? null
                : (write ? "write to " : "read of ") + size + " bytes at __sk_buff+" + off + " (" + fieldName(off) + ")" + why;
    }

    /** Null when the access is allowed, else the end of the message (constant strings only). */
    private static String refusal(int off, int size, boolean write) {
        if (off < 0 || off + size > SIZE || (size != 1 && size != 2 && size != 4 && size != 8)) {
            return " is outside struct __sk_buff (" + SIZE + " bytes)";
        }
        if (off % size != 0) {
            return " is misaligned";
        }
        if (write && !writable(off)) {
            return ": the field is read-only for tc programs";
        }
        if (off >= FAMILY && off < LOCAL_PORT_END) {
            return ": socket fields are not available to tc programs";
        }
        if (off >= CB && off < CB_END) {
            return off + size > CB_END ? " runs past cb[4]" : null;
        }
        int field = off & ~3;
        return switch (field) {
            case DATA, DATA_END, DATA_META -> size == 4 ? null : ": packet pointers are read as 4 bytes";
            case FLOW_KEYS, FLOW_KEYS + 4 -> ": flow_keys is only for flow dissector programs";
            case TSTAMP, TSTAMP + 4, HWTSTAMP, HWTSTAMP + 4, SK, SK + 4 ->
                    size == 8 && (off & 7) == 0 ? (write && field != TSTAMP ? ": read-only" : null)
                            : ": the field is 8 bytes and must be accessed whole";
            case TSTAMP_TYPE -> write ? ": read-only" : (off == TSTAMP_TYPE && size == 1 ? null
                    : ": tstamp_type is one byte");
            default -> size == 8 ? ": the field is 4 bytes"
                    : write && size != 4 ? ": writes must be 4 bytes" : null;
        };
    }

    /** Reads a context field that passed {@link #checkAccess}; packet pointers come back tagged. */
    public static long load(SkBuff skb, int off, int size) {
        if (off >= CB && off < CB_END) {
            long word = skb.cb((off - CB) / 4) & 0xffffffffL;
            if (size == 8) {
                return word | (skb.cb((off - CB) / 4 + 1) & 0xffffffffL) << 32;
            }
            return narrow(word, off, size);
        }
        long v = switch (off & ~3) {
            case LEN -> skb.len();
            case PKT_TYPE -> skb.pktType();
            case MARK -> skb.mark() & 0xffffffffL;
            case QUEUE_MAPPING -> skb.queueMapping();
            case PROTOCOL -> skb.protocol();
            case VLAN_PRESENT -> skb.vlanPresent();
            case VLAN_TCI -> skb.vlanTci();
            case VLAN_PROTO -> skb.vlanProto();
            case PRIORITY -> skb.priority() & 0xffffffffL;
            case INGRESS_IFINDEX -> skb.ingressIfindex() & 0xffffffffL;
            case IFINDEX -> skb.ifindex() & 0xffffffffL;
            case TC_INDEX -> skb.tcIndex();
            case HASH -> skb.hash() & 0xffffffffL;
            case TC_CLASSID -> skb.tcClassid() & 0xffffffffL;
            case DATA -> Ptr.make(Ptr.PACKET, skb.dataOffset());
            case DATA_END -> Ptr.make(Ptr.PACKET, skb.dataEndOffset());
            case DATA_META -> Ptr.make(Ptr.PACKET, skb.metaOffset());
            case NAPI_ID -> skb.napiId() & 0xffffffffL;
            case TSTAMP -> skb.tstamp();
            case WIRE_LEN -> skb.wireLen();
            case GSO_SEGS -> skb.gsoSegs() & 0xffffffffL;
            case SK -> 0; // no socket in the simulator: the program sees NULL
            case GSO_SIZE -> skb.gsoSize() & 0xffffffffL;
            case TSTAMP_TYPE -> skb.tstampType();
            case HWTSTAMP -> skb.hwtstamp();
            default -> 0;
        };
        int field = off & ~3;
        if (field == DATA || field == DATA_END || field == DATA_META || size == 8) {
            return v;
        }
        return narrow(v, off, size);
    }

    private static long narrow(long word, int off, int size) {
        int shift = (off & 3) * 8;
        return size == 4 ? word & 0xffffffffL : (word >>> shift) & (size == 2 ? 0xffffL : 0xffL);
    }

    /** Writes a context field that passed {@link #checkAccess}. */
    public static void store(SkBuff skb, int off, int size, long value) {
        if (off >= CB && off < CB_END) {
            for (int i = 0; i < size; i++) {
                int byteOff = off - CB + i;
                int word = skb.cb(byteOff / 4);
                int shift = (byteOff & 3) * 8;
                word = (word & ~(0xff << shift)) | (int) (((value >>> (8 * i)) & 0xff) << shift);
                skb.setCb(byteOff / 4, word);
            }
            return;
        }
        int v = (int) value;
        switch (off) {
            case MARK -> skb.setMark(v);
            case PRIORITY -> skb.setPriority(v);
            case TC_INDEX -> skb.setTcIndex(v);
            case TC_CLASSID -> skb.setTcClassid(v);
            case QUEUE_MAPPING -> {
                if ((v & 0xffffffffL) < NO_QUEUE_MAPPING) {
                    skb.setQueueMapping(v);
                }
            }
            case TSTAMP -> skb.setTstamp(value);
            default -> throw new IllegalStateException("store to __sk_buff+" + off + " passed no access check");
        }
    }
}
