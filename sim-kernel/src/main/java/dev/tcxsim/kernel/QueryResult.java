package dev.tcxsim.kernel;

import java.util.Arrays;

/**
 * What BPF_PROG_QUERY wrote back.
 *
 * @param errno       0, or ENOSPC's number (28) when the buffer was smaller than the total
 * @param attachFlags the attach_flags output (always 0 for tcx)
 * @param count       the real total of attached programs, even when the buffer was too small
 * @param revision    the hook's revision (1 for a hook without a tcx entry)
 * @param progIds     the first min(buffer, total) program ids in execution order
 * @param linkIds     the owning link id per slot, 0 for plain attachments
 */
public record QueryResult(int errno, int attachFlags, int count, long revision, int[] progIds, int[] linkIds) {
    public QueryResult {
        progIds = progIds.clone();
        linkIds = linkIds.clone();
    }

    @Override
    public int[] progIds() {
        return progIds.clone();
    }

    @Override
    public int[] linkIds() {
        return linkIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueryResult q && errno == q.errno && attachFlags == q.attachFlags && count == q.count
                && revision == q.revision && Arrays.equals(progIds, q.progIds) && Arrays.equals(linkIds, q.linkIds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(progIds) * 31 + Long.hashCode(revision) + count;
    }

    @Override
    public String toString() {
        return "QueryResult[errno=" + errno + ", count=" + count + ", revision=" + revision + ", progIds="
                + Arrays.toString(progIds) + ", linkIds=" + Arrays.toString(linkIds) + "]";
    }
}
