package dev.tcxsim.cli;

import java.util.List;
import java.util.Locale;

/**
 * A cursor over a command's words, for bpftool's and iproute2's keyword grammar
 * ({@code net attach tcx_ingress id 5 dev veth0 before name p1 link}).
 */
final class Words {
    private final List<String> words;
    private int pos;

    Words(List<String> words) {
        this.words = words == null ? List.of() : List.copyOf(words);
    }

    boolean hasNext() {
        return pos < words.size();
    }

    String peek() {
        return hasNext() ? words.get(pos) : null;
    }

    /** The word {@code ahead} places after the next one, or null. */
    String peek(int ahead) {
        return pos + ahead < words.size() ? words.get(pos + ahead) : null;
    }

    /** Consumes the next word if it equals {@code keyword}. */
    boolean accept(String keyword) {
        if (hasNext() && words.get(pos).equals(keyword)) {
            pos++;
            return true;
        }
        return false;
    }

    String next(String what) throws CliError {
        if (!hasNext()) {
            throw new CliError("expected " + what + (pos > 0 ? " after '" + words.get(pos - 1) + "'" : ""));
        }
        return words.get(pos++);
    }

    void expect(String keyword) throws CliError {
        String w = next("'" + keyword + "'");
        if (!w.equals(keyword)) {
            throw new CliError("expected '" + keyword + "' but got '" + w + "'");
        }
    }

    long nextLong(String what) throws CliError {
        String w = next(what);
        try {
            return w.toLowerCase(Locale.ROOT).startsWith("0x") ? Long.parseUnsignedLong(w.substring(2), 16) : Long.parseLong(w);
        } catch (NumberFormatException e) {
            throw new CliError(what + " must be a number, got '" + w + "'");
        }
    }

    int nextInt(String what) throws CliError {
        long v = nextLong(what);
        if (v < Integer.MIN_VALUE || v > 0xffff_ffffL) {
            throw new CliError(what + " is out of range: " + v);
        }
        return (int) v;
    }

    /** Fails naming the first word nobody consumed. */
    void end() throws CliError {
        if (hasNext()) {
            throw new CliError("unexpected word '" + words.get(pos) + "'");
        }
    }
}
