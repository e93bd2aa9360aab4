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

    record Hops(Map<String, double[]> p50p99) {}

    public static void main(String[] args) throws Exception {
        int alerts = 30;
        int prewarm = 0;
        int settle = 3;
        List<String> jvmArgs = new ArrayList<>();
        Path launcher = Path.of("bin/homelab-alerts");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--alerts" -> alerts = Integer.parseInt(args[++i]);
                case "--launcher" -> launcher = Path.of(args[++i]);
                case "--prewarm" -> prewarm = Integer.parseInt(args[++i]);
                case "--jvm-arg" -> jvmArgs.add(args[++i]);
                case "--settle" -> settle = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: PipelineTrace [--alerts N] [--launcher bin/homelab-alerts]");
            }
        }
        Hops hops = run(alerts, prewarm, settle, new AllInOneProcess.Launch(Path.of("app/target/homelab-alerts.jar"), launcher, List.copyOf(jvmArgs)));
        System.out.printf("%-44s %8s %8s%n", "hop (1 alert/s, " + alerts + " alerts)", "p50 ms", "p99 ms");
        hops.p50p99().forEach((hop, v) -> System.out.printf("%-44s %8.1f %8.1f%n", hop, v[0], v[1]));
        System.exit(0);
    }

    static Hops run(int alerts, AllInOneProcess.Launch launch) throws Exception {
        return run(alerts, 0, 3, launch);
    }

    static Hops run(int alerts, int prewarm, int settle, AllInOneProcess.Launch launch) throws Exception {
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
            watchers.forEach(Thread::interrupt);
            Map<Integer, TelegramBotApiStandIn.Call> sent = EndToEndBenchmark.firstSeen(telegram, EndToEndBenchmark.OURS, "t");
            String[] names = {"POST -> 200 (ingest, broker ack)", "POST -> raw topic readable", "raw -> re-key topic readable (commit 1)",
                    "re-key -> notification readable (commit 2)", "notification -> sendMessage (notifier)", "POST -> sendMessage (all)"};
            Histogram[] h = new Histogram[names.length];
            for (int k = 0; k < h.length; k++) {
                h[k] = new Histogram(3);
            }
            for (int i = warmup; i < posted.length; i++) {
                Instant raw = seen.get(0).get(i);
                Instant rekey = seen.get(1).get(i);
                Instant note = seen.get(2).get(i);
                TelegramBotApiStandIn.Call call = sent.get(i);
                record(h[0], posted[i], answered[i]);
                record(h[1], posted[i], raw);
                record(h[2], raw, rekey);
                record(h[3], rekey, note);
                record(h[4], note, call == null ? null : call.at());
                record(h[5], posted[i], call == null ? null : call.at());
            }
            Map<String, double[]> out = new java.util.LinkedHashMap<>();
            for (int k = 0; k < names.length; k++) {
                out.put(names[k], new double[] {h[k].getValueAtPercentile(50) / 1000.0, h[k].getValueAtPercentile(99) / 1000.0});
            }
            return new Hops(out);
        }
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
