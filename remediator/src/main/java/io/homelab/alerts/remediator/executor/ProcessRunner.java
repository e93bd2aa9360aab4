package io.homelab.alerts.remediator.executor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an argv as a child process — never through a shell — with a timeout, stdin closed and
 * stdout and stderr captured together; only the tail is kept. On timeout the process and its
 * children are killed.
 */
public final class ProcessRunner {
    /** Characters of output kept (the end of it, where errors are). */
    public static final int TAIL_CHARS = 3000;

    public record Result(int exitCode, String output, boolean timedOut, Duration took) {
        public boolean ok() {
            return !timedOut && exitCode == 0;
        }
    }

    private ProcessRunner() {
    }

    public static Result run(List<String> argv, Duration timeout, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Process p = pb.start();
        Tail tail = new Tail(p.getInputStream());
        Thread reader = new Thread(tail, "action-output");
        reader.setDaemon(true);
        reader.start();
        boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        reader.join(2000);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        return new Result(done ? p.exitValue() : -1, tail.text(), !done, took);
    }

    /** Keeps the last {@link #TAIL_CHARS} characters of a stream. */
    static final class Tail implements Runnable {
        private final InputStream in;
        private final StringBuilder buf = new StringBuilder();
        private boolean cut;

        Tail(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) > 0) {
                    synchronized (this) {
                        buf.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
                        if (buf.length() > 2 * TAIL_CHARS) {
                            buf.delete(0, buf.length() - TAIL_CHARS);
                            cut = true;
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone: keep what was read
            }
        }

        synchronized String text() {
            String s = buf.length() > TAIL_CHARS ? buf.substring(buf.length() - TAIL_CHARS) : buf.toString();
            return (cut || buf.length() > TAIL_CHARS ? "…" : "") + s.strip();
        }
    }

    /** An argv as one line to show (each argument quoted when it needs it). */
    public static String show(List<String> argv) {
        StringBuilder sb = new StringBuilder();
        for (String a : argv) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(a.isEmpty() || !a.matches("[A-Za-z0-9_./:@=+,%-]+") ? "'" + a.replace("'", "'\\''") + "'" : a);
        }
        return sb.toString();
    }
}
