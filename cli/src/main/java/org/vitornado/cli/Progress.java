package org.vitornado.cli;

import java.io.PrintWriter;

/**
 * A progress line on stderr: items done of the total, rate and time left. On a terminal it rewrites one line;
 * with {@code --progress} into a file or pipe it prints a line every few seconds. Silent otherwise, so scripts see
 * only results.
 */
final class Progress {

    private static final long INTERVAL_NS = 2_000_000_000L;

    private final PrintWriter err;
    private final boolean enabled;
    private final boolean terminal;
    private final String unit;
    private final long total;
    private final long start = System.nanoTime();
    private long last;
    private long done;
    private String detail = "";

    /** {@code requested}: {@code --progress} was given; a terminal gets progress without asking. */
    Progress(PrintWriter err, boolean requested, String unit, long total) {
        this.err = err;
        this.terminal = System.console() != null && System.console().isTerminal();
        this.enabled = requested || terminal;
        this.unit = unit;
        this.total = total;
    }

    /** One more item done. */
    void advance() {
        done++;
        detail = "";
        show(done == total);
    }

    /** Progress inside the current item ({@code window 3/12} of a sliding-window segmentation). */
    void within(String what) {
        detail = what;
        show(false);
    }

    /** Ends the line on a terminal. */
    void finish() {
        if (enabled && terminal) {
            err.println();
        }
        err.flush();
    }

    private void show(boolean force) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - last < (terminal ? 200_000_000L : INTERVAL_NS)) {
            return;
        }
        last = now;
        double seconds = (now - start) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        String eta = done == 0 ? "?" : duration((total - done) / rate);
        String line = String.format("%d/%d %s, %.1f %s/s, %s elapsed, ETA %s%s", done, total, unit, rate, unit, duration(seconds), eta,
                detail.isEmpty() ? "" : " (" + detail + ")");
        if (terminal) {
            err.print("\r" + line + "\033[K");
        } else {
            err.println(line);
        }
        err.flush();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
