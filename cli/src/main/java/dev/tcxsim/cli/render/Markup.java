package dev.tcxsim.cli.render;

import java.util.Locale;

/** Escaping and number formatting shared by the SVG and HTML writers. */
final class Markup {
    private Markup() {
    }

    /** Text made safe for XML/HTML content and attribute values. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    // XML 1.0 forbids most control characters even as references: show them as '?'
                    sb.append(c < 0x20 && c != '\n' && c != '\t' ? '?' : c);
                }
            }
        }
        return sb.toString();
    }

    /** A coordinate: integers without a fraction, others with one decimal. */
    static String num(double v) {
        long r = Math.round(v);
        return Math.abs(v - r) < 0.05 ? Long.toString(r) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** {@code s} cut to {@code max} characters with an ellipsis, so it fits its box. */
    static String fit(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(1, max - 1)) + "…";
    }
}
