package io.homelab.alerts.bench;

import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.kafka.RawWebhookHeaders;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.Fingerprint;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import io.homelab.alerts.processor.ProcessorConfig;
import io.homelab.alerts.processor.ProcessorService;
import io.homelab.alerts.processor.dedup.DedupPolicy;
import io.homelab.alerts.processor.route.DefaultRoutes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Processor benchmark on the embedded broker with exactly-once: throughput of explode, re-key,
 * dedup, history and route over a backlog of real webhooks (5 alerts each, every alert also
 * re-sent as a duplicate), and the latency the stage adds from the raw topic to the
 * notification topic at a steady 10 alerts/s.
 */
public final class ProcessorBenchmark {
    /** Partitions of the pipeline's keyed topics: 1, the default KAFKA_TOPIC_PARTITIONS, skips the re-key hop; more re-key. */
    static int partitions = 1;

    public static void main(String[] args) throws Exception {
        int webhooks = 20_000;
        int commitMs = (int) ProcessorConfig.DEFAULT_COMMIT_INTERVAL.toMillis();
        int latencySeconds = 30;
        int rounds = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--webhooks" -> webhooks = Integer.parseInt(args[++i]);
                case "--commit-interval-ms" -> commitMs = Integer.parseInt(args[++i]);
                case "--latency-seconds" -> latencySeconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: ProcessorBenchmark [--webhooks N] [--commit-interval-ms N] [--latency-seconds N] [--rounds N]"
                            + " [--partitions N]");
                    System.exit(2);
                }
            }
        }
        Path dir = Files.createTempDirectory("homelab-bench-processor");
        System.out.printf("homelab-alerts processor benchmark: exactly_once_v2, commit.interval.ms=%d, %d partition(s) (%s), %d cores, Java %s%n",
                commitMs, partitions, partitions > 1 ? "re-key by fingerprint" : "no re-key hop",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, fault -> System.err.println("KAFKA FAULT " + fault))) {
            for (int round = 1; round <= rounds; round++) {
                throughput(kafka, dir, webhooks, commitMs, "tput" + round);
            }
            if (latencySeconds > 0) {
                latency(kafka, dir, commitMs, latencySeconds);
            }
        }
        System.exit(0);
    }

    static ProcessorConfig config(EmbeddedKafka kafka, Topics topics, Path stateDir, int commitMs) {
        return new ProcessorConfig(topics, kafka.bootstrapServers(), stateDir,
                new DedupPolicy(DedupPolicy.DEFAULT_WINDOW, true, DedupPolicy.DEFAULT_FLAP_CHANGES, DedupPolicy.DEFAULT_FLAP_WINDOW),
                new DefaultRoutes(), Duration.ofMillis(commitMs), 4 * 1024 * 1024 + 131072,
                "127.0.0.1", 0);
    }

    static Topics topics(EmbeddedKafka kafka, String name) throws Exception {
        return BenchTopics.create(kafka, name, 4 * 1024 * 1024 + 131072, partitions);
    }

    static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka, int lingerMs) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, lingerMs, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** An Alertmanager 0.25-shaped webhook with {@code alerts} ContainerDown alerts on host {@code id}. */
    static byte[] webhook(String id, int alerts, Instant now) {
        StringBuilder sb = new StringBuilder("{\"receiver\":\"homelab-telegram\",\"status\":\"firing\",\"alerts\":[");
        for (int i = 0; i < alerts; i++) {
            Map<String, String> labels = Map.of("alertname", "ContainerDown", "instance", "host-" + id + ":8080",
                    "name", "container-" + i, "severity", "critical");
            sb.append(i == 0 ? "" : ",").append("{\"status\":\"firing\",\"labels\":").append(Json.writeString(labels))
                    .append(",\"annotations\":{\"summary\":\"Container container-").append(i).append(" is down\",")
                    .append("\"description\":\"Container has not been seen for 5 minutes\"},")
                    .append("\"startsAt\":\"").append(now).append("\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"\",")
                    .append("\"fingerprint\":\"").append(Fingerprint.of(labels)).append("\"}");
        }
        sb.append("],\"groupLabels\":{\"alertname\":\"ContainerDown\"},\"commonLabels\":{\"alertname\":\"ContainerDown\"},")
                .append("\"commonAnnotations\":{},\"externalURL\":\"http://vm:19094\",\"version\":\"4\",")
                .append("\"groupKey\":\"{}:{alertname=\\\"ContainerDown\\\"}\",\"truncatedAlerts\":0}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static ProducerRecord<String, byte[]> record(Topics topics, String key, byte[] body, Instant receivedAt) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(RawWebhookHeaders.RECEIVED_AT, receivedAt.toString().getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topics.webhooks().name(), null, receivedAt.toEpochMilli(), key, body, headers);
    }

    /** Alert events per second in, over a backlog of {@code webhooks} webhooks of 5 alerts, each sent twice. */
    /**
     * {@code rounds} backlogs, one after another, in a JVM of their own: the first is what a processor that just
     * started (JIT cold) does, the last what one that has been running does. Returns events/s per round.
     */
    static double[] inFreshJvm(int webhooks, int rounds, int partitions) throws Exception {
        Path jar = Path.of(ProcessorBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", jar.toString(),
                ProcessorBenchmark.class.getName(), "--webhooks", Integer.toString(webhooks), "--rounds", Integer.toString(rounds),
                "--latency-seconds", "0", "--partitions", Integer.toString(partitions)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        java.util.regex.Pattern rate = java.util.regex.Pattern.compile("([0-9,]+) alert events/s in");
        List<Double> out = new java.util.ArrayList<>();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                java.util.regex.Matcher m = rate.matcher(line);
                if (m.find()) {
                    out.add(Double.parseDouble(m.group(1).replace(",", "")));
                }
            }
        }
        if (p.waitFor() != 0 || out.size() != rounds) {
            throw new IllegalStateException("ProcessorBenchmark --rounds " + rounds + " exited " + p.exitValue() + " with " + out.size() + " results");
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double throughput(EmbeddedKafka kafka, Path dir, int webhooks, int commitMs) throws Exception {
        return throughput(kafka, dir, webhooks, commitMs, "tput");
    }

    static double throughput(EmbeddedKafka kafka, Path dir, int webhooks, int commitMs, String name) throws Exception {
        Topics topics = topics(kafka, name);
        Instant now = Instant.now();
        try (KafkaProducer<String, byte[]> producer = producer(kafka, 20)) {
            awaitLeaders(producer, topics.webhooks().name());
            java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
            org.apache.kafka.clients.producer.Callback check = (metadata, e) -> {
                if (e != null) {
                    failed.compareAndSet(null, e);
                }
            };
            for (int i = 0; i < webhooks; i++) {
                byte[] body = webhook(Integer.toString(i), 5, now);
                producer.send(record(topics, "group-" + i, body, now), check);
                producer.send(record(topics, "group-" + i, body, now), check); // duplicate, as from an Alertmanager HA pair
            }
            producer.flush();
            if (failed.get() != null) {
                // A lost webhook would leave the count below waiting for notifications that never come.
                throw new IllegalStateException("the backlog was not written whole", failed.get());
            }
        }
        long alerts = 5L * webhooks;
        try (ProcessorService processor = new ProcessorService(config(kafka, topics, dir.resolve(name + "-state"), commitMs), f -> {}).start()) {
            while (processor.state() != KafkaStreams.State.RUNNING) {
                Thread.sleep(10);
            }
            long start = System.nanoTime();
            long seen = 0;
            try (KafkaConsumer<String, byte[]> consumer = consumer(kafka, topics)) {
                while (seen < alerts) {
                    seen += consumer.poll(Duration.ofMillis(100)).count();
                    if (System.nanoTime() - start > Duration.ofMinutes(10).toNanos()) {
                        throw new IllegalStateException("only " + seen + " of " + alerts + " notifications after 10 minutes");
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%nthroughput: %d webhooks x 5 alerts, each webhook twice (%d alert events in, %d notifications out)%n",
                    webhooks, 2 * alerts, alerts);
            System.out.printf("  %.1f s from RUNNING to the last notification: %,.0f alert events/s in, %,.0f notifications/s out (target >= 20,000 alerts/s)%n",
                    seconds, 2 * alerts / seconds, alerts / seconds);
            return 2 * alerts / seconds;
        }
    }

    /** A topic made a moment ago may not have its leader yet: a produce then fails, and an idempotent producer's retries can fail too. */
    static void awaitLeaders(KafkaProducer<String, byte[]> producer, String topic) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (producer.partitionsFor(topic).stream().anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(topic + " has no leader after 30 s");
            }
            Thread.sleep(50);
        }
        Thread.sleep(500); // the broker's own view follows the metadata it serves by a moment
    }

    static void latency(EmbeddedKafka kafka, Path dir, int commitMs, int seconds) throws Exception {
        Topics topics = topics(kafka, "latency");
        Histogram histogram = new Histogram(3);
        try (ProcessorService processor = new ProcessorService(config(kafka, topics, dir.resolve("latency-state"), commitMs), f -> {}).start();
                KafkaProducer<String, byte[]> producer = producer(kafka, 0);
                KafkaConsumer<String, byte[]> consumer = consumer(kafka, topics)) {
            while (processor.state() != KafkaStreams.State.RUNNING) {
                Thread.sleep(10);
            }
            int warmup = 50; // the first 5 s: JIT, first transactions
            int total = seconds * 10 + warmup;
            long start = System.nanoTime();
            int sent = 0;
            int received = 0;
            while (received < total) {
                long due = start + sent * 100_000_000L;
                if (sent < total && System.nanoTime() >= due) {
                    Instant now = Instant.now();
                    producer.send(record(topics, "lat-" + sent, webhook("lat-" + sent, 1, now), now));
                    sent++;
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(2))) {
                    Notification n = Json.read(r.value(), Notification.class);
                    if (received++ >= warmup) {
                        histogram.recordValue(Math.max(0, Duration.between(n.alert().receivedAt(), Instant.now()).toNanos() / 1000));
                    }
                }
                if (System.nanoTime() - start > Duration.ofSeconds(seconds + 60).toNanos()) {
                    throw new IllegalStateException("only " + received + " of " + total + " notifications arrived");
                }
            }
        }
        System.out.printf("%nlatency raw topic -> notification topic at 10 alerts/s (%d alerts): p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 <= 60 ms)%n",
                histogram.getTotalCount(), histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
                histogram.getMaxValue() / 1000.0);
    }

    static KafkaConsumer<String, byte[]> consumer(EmbeddedKafka kafka, Topics topics) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5),
                new StringDeserializer(), new ByteArrayDeserializer());
        // Both lanes: the benchmark's ContainerDown alerts are critical, so they take the priority one.
        consumer.subscribe(List.of(topics.notifications().name(), topics.priorityNotifications().name()));
        return consumer;
    }
}
