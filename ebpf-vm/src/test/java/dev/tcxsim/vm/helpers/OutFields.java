package dev.tcxsim.vm.helpers;

/** The cb_*.c test programs write their results as consecutive u64 fields of the "out" map's value. */
final class OutFields {
    private OutFields() {
    }

    /** The first {@code count} little-endian u64 fields of {@code value}. */
    static long[] u64s(byte[] value, int count) {
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            out[i] = CbObjects.u64(value, i);
        }
        return out;
    }
}
