package io.homelab.alerts.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where the end-to-end time goes, hop by hop, at 1 alert/s: the webhook POST, the moment each
 * topic shows the alert to a read_committed reader (raw webhooks, the processor's re-key topic,
 * the notification topic), and the Bot API sendMessage. Watchers poll with a 1 ms fetch wait, so
 * what they add is about a millisecond.
 */
public final class PipelineTrace {
    static final Pattern INSTANCE = Pattern.compile("t-(\\d+)(?!\\d)");

    /** @param commits with --metrics: what one commit of the processor's stream thread took, on average, while the alerts were measured */
    record Hops(Map<String, double[]> p50p99, Map<String, Double> commits) {}

    public static void main(String[] args) throws Exception {
        int alerts = 30;
        int prewarm = 0;
        int settle = 3;
        boolean metrics = false;
        List<String> jvmArgs = new ArrayList<>();
        Path launcher = Path.of("bin/homelab-alerts");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--alerts" -> alerts = Integer.parseInt(args[++i]);
                case "--launcher" -> launcher = Path.of(args[++i]);
                case "--prewarm" -> prewarm = Integer.parseInt(args[++i]);
                case "--jvm-arg" -> jvmArgs.add(args[++i]);
                case "--settle" -> settle = Integer.parseInt(args[++i]);
                case "--metrics" -> metrics = true;
                default -> throw new IllegalArgumentException(
                        "usage: PipelineTrace [--alerts N] [--launcher bin/homelab-alerts] [--prewarm N] [--settle S] [--jvm-arg A]... [--metrics]");
            }
        }
        Hops hops = run(alerts, prewarm, settle, metrics,
                new AllInOneProcess.Launch(Path.of("app/target/homelab-alerts.jar"), launcher, List.copyOf(jvmArgs)));
        System.out.printf("%-44s %8s %8s%n", "hop (1 alert/s, " + alerts + " alerts)", "p50 ms", "p99 ms");
        hops.p50p99().forEach((hop, v) -> System.out.printf("%-44s %8.1f %8.1f%n", hop, v[0], v[1]));
        if (metrics) {
            System.out.printf("%nprocessor's stream thread over the measured alerts (Kafka client metrics, per commit)%n");
            hops.commits().forEach((what, v) -> System.out.printf("%-44s %8.2f%n", what, v));
        }
        System.exit(0);
    }

    static Hops run(int alerts, int prewarm, int settle, boolean metrics, AllInOneProcess.Launch launch) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(EndToEndBenchmark.TOKEN);
                AllInOneProcess ours = AllInOneProcess.start(launch, telegram.url(), EndToEndBenchmark.TOKEN, EndToEndBenchmark.OUR_CHAT,
                        EndToEndBenchmark.routes())) {
            List<String> topics = List.of("homelab.alerts.webhooks", "homelab.processor-alerts-by-fingerprint-repartition",
                    "homelab.alerts.notifications");
            List<Map<Integer, Instant>> seen = new ArrayList<>();
            List<Thread> watchers = new ArrayList<>();
            for (String topic : topics) {
                Map<Integer, Instant> at = new ConcurrentHashMap<>();
                seen.add(at);
                watchers.add(watch(ours.bootstrapServers(), topic, INSTANCE, at));
            }
            ObjectNode template = EndToEndBenchmark.template();
            if (prewarm > 0) {
                byte[] same = EndToEndBenchmark.webhook(template, EndToEndBenchmark.ALERTNAME, "warm-0", Instant.now());
                for (int i = 0; i < prewarm; i++) {
                    EndToEndBenchmark.post(http, ours.webhook(), same);
                }
            }
            Thread.sleep(settle * 1000L); // the watchers join and the processor settles
            Map<String, Double> before = metrics ? streamThreadTotals(http, ours) : Map.of();
            int warmup = 5;
            Instant[] posted = new Instant[warmup + alerts];
            Instant[] answered = new Instant[warmup + alerts];
            long start = System.nanoTime();
            for (int i = 0; i < posted.length; i++) {
                long wait = start + i * 1_000_000_000L - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
                posted[i] = Instant.now();
                EndToEndBenchmark.post(http, ours.webhook(), EndToEndBenchmark.webhook(template, EndToEndBenchmark.ALERTNAME, "t-" + i, posted[i]));
                answered[i] = Instant.now();
            }
            Thread.sleep(3000);
            Map<String, Double> commits = metrics ? perCommit(before, streamThreadTotals(http, ours)) : Map.of();
            watchers.forEach(Thread::interrupt);
            Map<Integer, TelegramBotApiStandIn.Call> sent = EndToEndBenchmark.firstSeen(telegram, EndToEndBenchmark.OURS, "t");
            // With one raw partition (the default) the processor has no re-key topic: one commit from raw to notification.
            boolean rekeyed = !seen.get(1).isEmpty();
            List<String> names = new ArrayList<>(List.of("POST -> 200 (ingest, broker ack)", "POST -> raw topic readable"));
            names.addAll(rekeyed ? List.of("raw -> re-key topic readable (commit 1)", "re-key -> notification readable (commit 2)")
                    : List.of("raw -> notification readable (one commit)"));
            names.addAll(List.of("notification -> sendMessage (notifier)", "POST -> sendMessage (all)"));
            Map<String, Histogram> h = new java.util.LinkedHashMap<>();
            names.forEach(n -> h.put(n, new Histogram(3)));
            for (int i = warmup; i < posted.length; i++) {
                Instant raw = seen.get(0).get(i);
                Instant rekey = seen.get(1).get(i);
                Instant note = seen.get(2).get(i);
                TelegramBotApiStandIn.Call call = sent.get(i);
                record(h.get(names.get(0)), posted[i], answered[i]);
                record(h.get(names.get(1)), posted[i], raw);
                if (rekeyed) {
                    record(h.get(names.get(2)), raw, rekey);
                    record(h.get(names.get(3)), rekey, note);
                } else {
                    record(h.get(names.get(2)), raw, note);
                }
                record(h.get("notification -> sendMessage (notifier)"), note, call == null ? null : call.at());
                record(h.get("POST -> sendMessage (all)"), posted[i], call == null ? null : call.at());
            }
            Map<String, double[]> out = new java.util.LinkedHashMap<>();
            h.forEach((name, hist) -> out.put(name, new double[] {hist.getValueAtPercentile(50) / 1000.0, hist.getValueAtPercentile(99) / 1000.0}));
            return new Hops(out, commits);
        }
    }

    /** The processor stream thread's cumulative client metrics (names without labels; its consumer and producer summed), from /metrics. */
    static Map<String, Double> streamThreadTotals(HttpClient http, AllInOneProcess ours) throws Exception {
        java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(ours.webhook().resolve("/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        Map<String, Double> totals = new java.util.HashMap<>();
        for (String line : r.body().split("\n")) {
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (line.startsWith("#") || brace < 0 || space < brace || !line.contains("StreamThread")) {
                continue;
            }
            String name = line.substring(0, brace);
            if (name.endsWith("_total")) {
                totals.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
            }
        }
        return totals;
    }

    /** Milliseconds (or counts) per commit of the stream thread, from two scrapes of its totals. */
    static Map<String, Double> perCommit(Map<String, Double> before, Map<String, Double> after) {
        double commits = delta(before, after, "kafka_stream_thread_commit_total");
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        out.put("commits", commits);
        out.put("records processed per commit", delta(before, after, "kafka_stream_thread_process_total") / commits);
        out.put("records sent per commit", delta(before, after, "kafka_producer_record_send_total") / commits);
        out.put("producer requests per commit", delta(before, after, "kafka_producer_request_total") / commits);
        String[][] times = {{"flush (wait for sends) ms", "kafka_producer_flush_time_ns_total"},
                {"sendOffsetsToTransaction ms", "kafka_producer_txn_send_offsets_time_ns_total"},
                {"commitTransaction ms", "kafka_producer_txn_commit_time_ns_total"}};
        for (String[] t : times) {
            out.put(t[0], delta(before, after, t[1]) / 1e6 / commits);
        }
        return out;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        return after.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0);
    }

    private static void record(Histogram h, Instant from, Instant to) {
        if (from != null && to != null) {
            h.recordValue(Math.max(0, Duration.between(from, to).toNanos() / 1000));
        }
    }

    /** Notes when each record naming instance {@code pattern}'s number first becomes readable (read_committed) in {@code topic}. */
    static Thread watch(String bootstrap, String topic, Pattern pattern, Map<Integer, Instant> at) {
        Thread t = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "trace-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 1),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(topic));
                while (!Thread.currentThread().isInterrupted()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        Instant now = Instant.now();
                        Matcher m = pattern.matcher(new String(r.value() == null ? new byte[0] : r.value(), StandardCharsets.ISO_8859_1));
                        while (m.find()) {
                            at.putIfAbsent(Integer.parseInt(m.group(1)), now);
                        }
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // done
            }
        }, "trace-" + topic);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
