package io.homelab.alerts.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/** What the end-to-end benchmark's child processes share: free ports, stopping, logs, temp dirs. */
final class ChildProcesses {
    private ChildProcesses() {}

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * SIGTERM to the process and to what it started (a launcher script that does not {@code exec}
     * java leaves the JVM as its child), SIGKILL to whatever is left after {@code graceSeconds}.
     */
    static void stop(Process process, int graceSeconds) throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    /**
     * Stops a child process and deletes its directory exactly once: from {@link #now} (a close), or
     * when the benchmark itself is stopped (Ctrl-C, SIGTERM) before that ran.
     */
    static final class Cleanup {
        private final Process process;
        private final Path dir;
        private final int graceSeconds;
        private final AtomicBoolean done = new AtomicBoolean();
        private final Thread onJvmExit;

        Cleanup(Process process, Path dir, int graceSeconds) {
            this.process = process;
            this.dir = dir;
            this.graceSeconds = graceSeconds;
            this.onJvmExit = new Thread(this::onJvmExit, "stop-child-" + process.pid());
            Runtime.getRuntime().addShutdownHook(onJvmExit);
        }

        void now() throws InterruptedException {
            try {
                Runtime.getRuntime().removeShutdownHook(onJvmExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or is about to), and does the same
            }
            if (done.compareAndSet(false, true)) {
                try {
                    stop(process, graceSeconds);
                } finally {
                    deleteTree(dir);
                }
            }
        }

        private void onJvmExit() {
            if (done.compareAndSet(false, true)) {
                try {
                    stop(process, graceSeconds);
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                }
                deleteTree(dir);
            }
        }
    }

    /** The last {@code lines} lines of a log, for an error message. */
    /**
     * Waits until {@code ready} answers 200 while {@code process} lives; else fails with what it is and the end of its log.
     */
    static void awaitReady(Process process, java.net.URI ready, Duration timeout, String what, java.util.function.Supplier<String> logTail)
            throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (http.send(java.net.http.HttpRequest.newBuilder(ready).GET().build(), java.net.http.HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(what + " " + (process.isAlive() ? "not ready after " + timeout.toSeconds() + " s" : "exited with "
                + process.exitValue()) + "; its log ends:\n" + logTail.get());
    }

    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(" + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
