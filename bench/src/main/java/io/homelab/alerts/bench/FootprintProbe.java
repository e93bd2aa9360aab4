package io.homelab.alerts.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the real all-in-one as a user does (the launcher, or a plain {@code java -jar}) as a child
 * process on a fresh data directory: the time from start until a webhook is answered 200, then a
 * load phase of webhooks for 1,000 distinct alerts, then its resident memory once it settled.
 */
final class FootprintProbe {
    record Result(String how, double readySeconds, long webhooks, long rssMiB, long peakRssMiB, String nativeMemory) {}

    static final Duration LOAD = Duration.ofSeconds(20);
    static final Duration SETTLE = Duration.ofSeconds(10);
    static final int CONNECTIONS = 8;

    /** {@code command}: what starts it, up to the arguments ({@code run} is added); {@code nmt}: also read the JVM's native memory summary. */
    static Result measure(String how, List<String> command, byte[] payload, boolean nmt) throws Exception {
        return measure(how, command, payload, nmt, Map.of());
    }

    /** As above, with {@code env} added to the child's environment. */
    static Result measure(String how, List<String> command, byte[] payload, boolean nmt, Map<String, String> extraEnv) throws Exception {
        Path dataDir = Files.createTempDirectory("homelab-bench-all");
        int port = ChildProcesses.freePort();
        List<String> cmd = new ArrayList<>(command);
        cmd.add("run");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("homelab-alerts.log").toFile());
        Map<String, String> env = pb.environment();
        env.put("DATA_DIR", dataDir.toString());
        env.put("PROMETHEUS_WEBHOOK_PORT", Integer.toString(port));
        env.put("KAFKA_EMBEDDED_PORT", "0");
        env.put("PROCESSOR_HTTP_PORT", "0");
        env.put("LOG_LEVEL", "WARN");
        env.remove("KAFKA_BOOTSTRAP_SERVERS");
        env.remove("TELEGRAM_BOT_TOKEN");
        env.putAll(extraEnv);
        if (nmt) {
            env.put("JAVA_OPTS", (env.getOrDefault("JAVA_OPTS", "") + " -XX:NativeMemoryTracking=summary").strip());
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI hook = URI.create("http://127.0.0.1:" + port + "/prometheus/webhook");
        long start = System.nanoTime();
        Process process = pb.start();
        try {
            double readySeconds = -1;
            while (System.nanoTime() - start < Duration.ofSeconds(120).toNanos() && process.isAlive()) {
                try {
                    HttpRequest first = HttpRequest.newBuilder(hook).timeout(Duration.ofSeconds(2)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build();
                    if (http.send(first, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        readySeconds = (System.nanoTime() - start) / 1e9;
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(20);
            }
            if (readySeconds < 0) {
                throw new IllegalStateException(how + ": never answered a webhook with 200; see " + dataDir.resolve("homelab-alerts.log"));
            }
            String template = new String(payload, StandardCharsets.UTF_8);
            LoadGenerator.Result load = new LoadGenerator().closedLoop("load", hook,
                    n -> template.replace("192.168.1.101", "10.0." + (n % 1000) / 250 + "." + n % 250).getBytes(StandardCharsets.UTF_8),
                    CONNECTIONS, LOAD);
            Thread.sleep(SETTLE.toMillis());
            long rss = statusKiB(process.pid(), "VmRSS:");
            long peak = statusKiB(process.pid(), "VmHWM:");
            String nativeMemory = nmt ? jcmd(process.pid()) : null;
            return new Result(how, readySeconds, load.ok(), rss / 1024, peak / 1024, nativeMemory);
        } finally {
            process.destroy();
            process.waitFor();
            ChildProcesses.deleteTree(dataDir);
        }
    }

    private static String jcmd(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary", "scale=MB")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    static long statusKiB(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).strip().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
    }

    /** {@code java -Xmx… FootprintProbe [--nmt] [--plain-java] [--launcher bin/homelab-alerts] [--jar app/target/homelab-alerts.jar]} */
    public static void main(String[] args) throws Exception {
        boolean nmt = false;
        boolean plain = false;
        String launcher = "bin/homelab-alerts";
        String jar = "app/target/homelab-alerts.jar";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--nmt" -> nmt = true;
                case "--plain-java" -> plain = true;
                case "--launcher" -> launcher = args[++i];
                case "--jar" -> jar = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        byte[] payload;
        try (var in = FootprintProbe.class.getResourceAsStream("/payloads/single-alert.json")) {
            payload = in.readAllBytes();
        }
        List<String> command = plain
                ? List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar)
                : List.of(launcher);
        Result r = measure(plain ? "java -jar" : launcher, command, payload, nmt);
        System.out.printf("%s: webhook 200 after %.2f s; %d webhooks in %d s; RSS %d MiB %d s later (peak %d MiB)%n",
                r.how(), r.readySeconds(), r.webhooks(), LOAD.toSeconds(), r.rssMiB(), SETTLE.toSeconds(), r.peakRssMiB());
        if (r.nativeMemory() != null) {
            System.out.println(r.nativeMemory());
        }
        System.exit(0);
    }
}
