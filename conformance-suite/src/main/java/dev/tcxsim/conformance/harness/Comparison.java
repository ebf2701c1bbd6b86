package dev.tcxsim.conformance.harness;

import java.util.List;

/** Renders two transcripts side by side, marking the lines that differ. */
public final class Comparison {
    private Comparison() {
    }

    public static String sideBySide(String title, String leftName, List<String> left, String rightName, List<String> right) {
        int width = Math.max(leftName.length(), left.stream().mapToInt(String::length).max().orElse(0));
        width = Math.min(width, 90);
        StringBuilder sb = new StringBuilder(title).append(": the backends disagree\n");
        sb.append(String.format("  %-" + width + "s | %s%n", leftName, rightName));
        int n = Math.max(left.size(), right.size());
        for (int i = 0; i < n; i++) {
            String l = i < left.size() ? left.get(i) : "";
            String r = i < right.size() ? right.get(i) : "";
            sb.append(l.equals(r) ? "  " : "≠ ").append(String.format("%-" + width + "s | %s%n", l, r));
        }
        return sb.toString();
    }
}
