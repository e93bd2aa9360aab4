package io.homelab.alerts.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.kafka.RawWebhookHeaders;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code replay} throughput over 1,000,000 stored alerts: 100,000 webhooks of 10 alerts (100 groups of
 * 10 alerts, each group re-sent every 250 s, inside the dedup window, as Alertmanager repeats it, one alert in seven changing
 * status now and then) over about 70 hours, on the embedded broker. The replay runs as a user runs it,
 * {@code java -jar app/target/homelab-alerts.jar replay}, from the stopped system's data directory and
 * through Kafka with the broker running; each several times. Reports alerts/s (the replay's own count
 * and time, JVM start-up excluded), the wall time of the whole command, and its peak RSS.
 *
 * <pre>java -cp bench/target/homelab-alerts-bench.jar io.homelab.alerts.bench.ReplayBenchmark [--webhooks N] [--runs N] [--small-heap 256m]</pre>
 */
public final class ReplayBenchmark {
    static final int ALERTS_PER_WEBHOOK = 10;
    static final int GROUPS = 100;

    private ReplayBenchmark() {}

    public static void main(String[] args) throws Exception {
        int webhooks = 100_000;
        int runs = 3;
        String heap = "256m";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--webhooks" -> webhooks = Integer.parseInt(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--small-heap" -> heap = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path jar = Path.of("app/target/homelab-alerts.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw -q -DskipTests package from the repository first");
        }
        Path dataDir = Files.createTempDirectory("homelab-bench-replay");
        Instant start = Instant.parse("2026-11-20T00:00:00Z");
        long spacing = 2_500;
        System.out.printf("homelab-alerts replay benchmark: %,d webhooks x %d alerts = %,d alerts, %d cores, Java %s%n", webhooks,
                ALERTS_PER_WEBHOOK, (long) webhooks * ALERTS_PER_WEBHOOK, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        String from = start.toString();
        String to = start.plusMillis(spacing * webhooks + 1_000).toString();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, fault -> System.err.println("KAFKA FAULT " + fault))) {
            Topics topics = BenchTopics.create(kafka, "homelab", 4 * 1024 * 1024 + 131072);
            long t0 = System.nanoTime();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20,
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
                for (int w = 0; w < webhooks; w++) {
                    Instant at = start.plusMillis(spacing * w);
                    int group = w % GROUPS;
                    RecordHeaders headers = new RecordHeaders();
                    headers.add(RawWebhookHeaders.RECEIVED_AT, at.toString().getBytes(StandardCharsets.UTF_8));
                    producer.send(new ProducerRecord<>(topics.webhooks().name(), null, at.toEpochMilli(), "group-" + group,
                            webhook(group, w / GROUPS, start), headers));
                }
                producer.flush();
            }
            System.out.printf("stored in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            List<double[]> kafkaRuns = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                kafkaRuns.add(replay(jar, dataDir, Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()), from, to, null));
            }
            print("through Kafka (broker running)", kafkaRuns);
        }
        List<double[]> fileRuns = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            fileRuns.add(replay(jar, dataDir, Map.of(), from, to, null));
        }
        print("from the data directory (stopped)", fileRuns);
        List<double[]> smallRuns = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            smallRuns.add(replay(jar, dataDir, Map.of(), from, to, "-Xmx" + heap));
        }
        print("from the data directory, -Xmx" + heap, smallRuns);
        System.exit(0);
    }

    /** Group {@code group}'s webhook in its {@code cycle}-th repetition: one alert in seven flips every few cycles. */
    static byte[] webhook(int group, int cycle, Instant start) {
        StringBuilder sb = new StringBuilder("{\"receiver\":\"homelab-telegram\",\"status\":\"firing\",\"alerts\":[");
        String[] names = {"HighCPU", "HighMemory", "HighDiskUsage", "ContainerDown", "ServiceDown"};
        for (int i = 0; i < ALERTS_PER_WEBHOOK; i++) {
            boolean flips = (group * ALERTS_PER_WEBHOOK + i) % 7 == 0;
            boolean firing = !flips || (cycle / (1 + group % 5)) % 2 == 0;
            String name = names[(group + i) % names.length];
            sb.append(i == 0 ? "" : ",").append("{\"status\":\"").append(firing ? "firing" : "resolved").append("\",\"labels\":{\"alertname\":\"")
                    .append(name).append("\",\"instance\":\"host-").append(group).append(":9100\",\"name\":\"c").append(i)
                    .append("\",\"severity\":\"").append(i == 0 ? "critical" : "warning").append("\",\"job\":\"node\"},")
                    .append("\"annotations\":{\"summary\":\"").append(name).append(" on host-").append(group)
                    .append("\",\"description\":\"generated by the replay benchmark\"},\"startsAt\":\"").append(start)
                    .append("\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"http://prometheus:9090/graph\"}");
        }
        sb.append("],\"groupLabels\":{\"instance\":\"host-").append(group).append(":9100\"},\"commonLabels\":{},\"commonAnnotations\":{},")
                .append("\"externalURL\":\"http://alertmanager:9093\",\"version\":\"4\",\"groupKey\":\"{}:{instance=\\\"host-").append(group)
                .append(":9100\\\"}\",\"truncatedAlerts\":0}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One {@code replay} as a child process: [alerts/s, its own seconds, wall seconds, peak RSS MiB, notifications]. */
    static double[] replay(Path jar, Path dataDir, Map<String, String> env, String from, String to, String jvmFlag) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (jvmFlag != null) {
            command.add(jvmFlag);
        }
        command.addAll(List.of("-jar", jar.toString(), "replay", "--from", from, "--to", to, "--warmup", "0", "--format", "json"));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("DATA_DIR", dataDir.toString());
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        pb.environment().putAll(env);
        Path out = Files.createTempFile("replay", ".json");
        pb.redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        Process p = pb.start();
        long peakKb = 0;
        Path status = Path.of("/proc/" + p.pid() + "/status");
        while (p.isAlive()) {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        peakKb = Math.max(peakKb, Long.parseLong(line.replaceAll("\\D", "")));
                    }
                }
            } catch (Exception e) {
                // ended between isAlive and the read
            }
            Thread.sleep(50);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) {
            throw new IllegalStateException("replay exited with " + p.exitValue());
        }
        JsonNode json = Json.MAPPER.readTree(Files.readAllBytes(out));
        Files.delete(out);
        double seconds = json.at("/run/seconds").asDouble();
        long alerts = json.at("/report/alertEvents").asLong();
        double[] run = {alerts / seconds, seconds, wall, peakKb / 1024.0, json.at("/report/notifications/total").asDouble()};
        System.out.printf("  %,d alerts in %.2f s: %,.0f alerts/s; command %.2f s wall, peak RSS %.0f MiB; %,.0f notifications%n", alerts,
                seconds, run[0], wall, run[3], run[4]);
        return run;
    }

    static void print(String what, List<double[]> runs) {
        System.out.printf("replay %s, %d runs: alerts/s median %,.0f (range %,.0f to %,.0f); wall median %.2f s; peak RSS median %.0f MiB"
                + " (range %.0f to %.0f)%n", what, runs.size(), median(runs, 0), min(runs, 0), max(runs, 0), median(runs, 2), median(runs, 3),
                min(runs, 3), max(runs, 3));
    }

    static double median(List<double[]> runs, int i) {
        List<Double> v = new ArrayList<>(runs.stream().map(r -> r[i]).toList());
        Collections.sort(v);
        return v.get(v.size() / 2);
    }

    static double min(List<double[]> runs, int i) {
        return runs.stream().mapToDouble(r -> r[i]).min().orElse(0);
    }

    static double max(List<double[]> runs, int i) {
        return runs.stream().mapToDouble(r -> r[i]).max().orElse(0);
    }
}
