package dev.tcxsim.cli.explain;

/**
 * A tcx request as the kernel will see it, with every object already turned into its id so that
 * the rules can be checked against a {@link HookState}. Built from a CLI line (net attach/detach,
 * link update/detach) or directly by callers that issue bpf(2) themselves.
 *
 * @param op               which bpf(2) command
 * @param dev              the device name (for messages)
 * @param attachType       BPF_TCX_INGRESS or BPF_TCX_EGRESS
 * @param progId           the program attached/detached/put into the link (0 = none given)
 * @param before           BPF_F_BEFORE
 * @param after            BPF_F_AFTER
 * @param relativeIsLink   BPF_F_LINK: the relative object is a link
 * @param relativeId       id of the relative program or link (0 = none)
 * @param replace          BPF_F_REPLACE
 * @param replaceProgId    the program to replace (PROG_ATTACH) or the expected old program (LINK_UPDATE)
 * @param expectedRevision 0 = don't care
 * @param linkId           the link of LINK_UPDATE / LINK_DETACH, or the link about to be created (0)
 * @param linkProgId       LINK_UPDATE: the link's current program (0 when defunct or unknown)
 * @param linkDefunct      LINK_UPDATE: the link is no longer attached (detached or device gone)
 * @param queryCount       QUERY: the buffer size in entries
 */
public record TcxRequest(Op op, String dev, int attachType, int progId, boolean before, boolean after,
                         boolean relativeIsLink, int relativeId, boolean replace, int replaceProgId,
                         long expectedRevision, int linkId, int linkProgId, boolean linkDefunct, int queryCount) {
    /** The bpf(2) commands of the tcx API. */
    public enum Op {
        PROG_ATTACH("attach"), LINK_CREATE("link create"), PROG_DETACH("detach"), LINK_UPDATE("link update"),
        LINK_DETACH("link detach"), PROG_QUERY("query");

        private final String word;

        Op(String word) {
            this.word = word;
        }

        /** How history and explanations name it. */
        public String word() {
            return word;
        }
    }

    /** A request with only the command and hook known (the rest zero). */
    public static TcxRequest of(Op op, String dev, int attachType) {
        return new TcxRequest(op, dev, attachType, 0, false, false, false, 0, false, 0, 0, 0, 0, false, 0);
    }

    public TcxRequest withProg(int id) {
        return new TcxRequest(op, dev, attachType, id, before, after, relativeIsLink, relativeId, replace, replaceProgId,
                expectedRevision, linkId, linkProgId, linkDefunct, queryCount);
    }

    public TcxRequest withPosition(boolean before, boolean after, boolean relativeIsLink, int relativeId) {
        return new TcxRequest(op, dev, attachType, progId, before, after, relativeIsLink, relativeId, replace,
                replaceProgId, expectedRevision, linkId, linkProgId, linkDefunct, queryCount);
    }

    public TcxRequest withReplace(int oldProgId) {
        return new TcxRequest(op, dev, attachType, progId, before, after, relativeIsLink, relativeId, true, oldProgId,
                expectedRevision, linkId, linkProgId, linkDefunct, queryCount);
    }

    public TcxRequest withExpectedRevision(long revision) {
        return new TcxRequest(op, dev, attachType, progId, before, after, relativeIsLink, relativeId, replace,
                replaceProgId, revision, linkId, linkProgId, linkDefunct, queryCount);
    }

    public TcxRequest withLink(int id, int currentProgId, boolean defunct) {
        return new TcxRequest(op, dev, attachType, progId, before, after, relativeIsLink, relativeId, replace,
                replaceProgId, expectedRevision, id, currentProgId, defunct, queryCount);
    }

    public TcxRequest withQueryCount(int count) {
        return new TcxRequest(op, dev, attachType, progId, before, after, relativeIsLink, relativeId, replace,
                replaceProgId, expectedRevision, linkId, linkProgId, linkDefunct, count);
    }
}
