package io.homelab.alerts.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Starts the real executable as a child process: time from start to /ready, and its resident memory. */
final class AllInOneProbe {
    record Result(double readySeconds, int webhooks, long rssMiB, long peakRssMiB) {}

    static Result measure(Path jar, byte[] payload) throws Exception {
        Path dataDir = Files.createTempDirectory("homelab-bench-all");
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toAbsolutePath().toString(), "run"))
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("homelab-alerts.log").toFile());
        pb.environment().put("DATA_DIR", dataDir.toString());
        pb.environment().put("PROMETHEUS_WEBHOOK_PORT", Integer.toString(port));
        pb.environment().put("KAFKA_EMBEDDED_PORT", "0");
        pb.environment().put("PROCESSOR_HTTP_PORT", "0");
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        pb.environment().remove("TELEGRAM_BOT_TOKEN");
        HttpClient http = HttpClient.newHttpClient();
        long start = System.nanoTime();
        Process process = pb.start();
        try {
            URI ready = URI.create("http://127.0.0.1:" + port + "/ready");
            double readySeconds = -1;
            while (System.nanoTime() - start < Duration.ofSeconds(120).toNanos() && process.isAlive()) {
                try {
                    if (http.send(HttpRequest.newBuilder(ready).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        readySeconds = (System.nanoTime() - start) / 1e9;
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(50);
            }
            if (readySeconds < 0) {
                throw new IllegalStateException("all-in-one never became ready; see " + dataDir.resolve("homelab-alerts.log"));
            }
            int webhooks = 1000;
            URI hook = URI.create("http://127.0.0.1:" + port + "/prometheus/webhook");
            for (int i = 0; i < webhooks; i++) {
                http.send(HttpRequest.newBuilder(hook).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build(), HttpResponse.BodyHandlers.discarding());
            }
            Thread.sleep(10_000); // let the processor and notifier work through them
            long rss = statusKiB(process.pid(), "VmRSS:");
            long peak = statusKiB(process.pid(), "VmHWM:");
            return new Result(readySeconds, webhooks, rss / 1024, peak / 1024);
        } finally {
            process.destroy();
            process.waitFor();
        }
    }

    private static long statusKiB(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).strip().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
