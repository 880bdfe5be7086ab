package org.vitornado.weights;

/** Message helpers: names and values from a file are quoted, stripped of control characters and shortened. */
final class Messages {

    static final int MAX_QUOTED = 160;

    private Messages() {
    }

    /** {@code s} in single quotes, control characters escaped, cut to about {@value #MAX_QUOTED} characters. */
    static String quote(String s) {
        return "'" + clip(s) + "'";
    }

    /** {@code s} with control characters escaped, cut to about {@value #MAX_QUOTED} characters. */
    static String clip(String s) {
        return clip(s, MAX_QUOTED);
    }

    /** {@code s} with control characters escaped, cut to about {@code max} characters. */
    static String clip(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 32);
        int n = Math.min(s.length(), max);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) && !validSurrogate(s, i, n)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > n) {
            b.append("...(").append(s.length()).append(" chars)");
        }
        return b.toString();
    }

    private static boolean validSurrogate(String s, int i, int n) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
