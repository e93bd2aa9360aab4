package io.homelab.alerts.app.replay;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A progress bar on stderr with the rate and the time left, redrawn at most five times a second.
 * Off when stderr is not a terminal, so what goes to stdout (JSON, CSV) and to logs stays clean.
 */
public final class Progress {
    private final PrintStream out;
    private final boolean on;
    private final long startNanos = System.nanoTime();
    private long total;
    private long done;
    private long alerts;
    private long lastDraw;
    private boolean drawn;

    public Progress(PrintStream out, boolean on) {
        this.out = out;
        this.on = on;
    }

    /** On when this process's stderr is a terminal (Linux: fd 2 is a tty device). */
    public static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return System.console() != null;
        }
    }

    public static Progress off() {
        return new Progress(System.err, false);
    }

    void total(long units) {
        total = units;
    }

    void advance(long units) {
        done += units;
        draw(false);
    }

    /** Alerts decided so far (the rate shown). */
    public void alerts(long n) {
        alerts = n;
    }

    public boolean on() {
        return on;
    }

    String line(long nowNanos) {
        double seconds = Math.max(1e-3, (nowNanos - startNanos) / 1e9);
        double fraction = total <= 0 ? 0 : Math.min(1, (double) done / total);
        int width = 30;
        int filled = (int) Math.round(fraction * width);
        String eta = fraction <= 0 ? "--" : formatSeconds(seconds / fraction - seconds);
        return String.format("[%s%s] %3d%%  %,d alerts  %,.0f alerts/s  ETA %s", "#".repeat(filled), "-".repeat(width - filled),
                Math.round(fraction * 100), alerts, alerts / seconds, eta);
    }

    static String formatSeconds(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%dh%02dm", t / 3600, t / 60 % 60) : String.format("%dm%02ds", t / 60, t % 60);
    }

    private void draw(boolean force) {
        if (!on) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        out.print("\r" + line(now));
        out.flush();
        drawn = true;
    }

    /** Clears the bar, so the report starts on a clean line. */
    public void finish() {
        if (on && drawn) {
            out.print("\r\033[K");
            out.flush();
        }
    }
}
