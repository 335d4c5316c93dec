package io.mjpegserver.server.cli;

import java.util.Collection;

/** The known name nearest a mistyped one, for "did you mean": at most two letters added, dropped, changed or swapped. */
final class Nearest {

    private static final int MOST_EDITS = 2;

    private Nearest() {
    }

    /** The first of {@code known} nearest {@code given}, or null when none is near enough to be what was meant. */
    static String of(String given, Collection<String> known) {
        String best = null;
        int bestEdits = Math.min(MOST_EDITS, (given.length() - 1) / 2);
        for (String name : known) {
            int edits = edits(given, name);
            if (edits <= bestEdits && (best == null || edits < edits(given, best))) {
                best = name;
                bestEdits = edits;
            }
        }
        return best;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
    private static int edits(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
