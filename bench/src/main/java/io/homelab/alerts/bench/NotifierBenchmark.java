package io.homelab.alerts.bench;

import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.ChatTarget;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import io.homelab.alerts.notifier.NotifierConfig;
import io.homelab.alerts.notifier.channel.telegram.TelegramChannel;
import io.homelab.alerts.notifier.delivery.NotifierService;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Notifier benchmark against the local Bot API stand-in (real HTTP, Telegram's limits enforced
 * with 429s): the latency the notifier adds from its input topic to the Bot API request at
 * 10 alerts/s spread over 20 chats (not rate-limited), and how a storm of 1,000 alerts for one
 * group chat is delivered.
 */
public final class NotifierBenchmark {
    static final String TOKEN = "123456:BENCH-token";

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("homelab-bench-notifier");
        System.out.printf("homelab-alerts notifier benchmark: %d cores, Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, fault -> System.err.println("KAFKA FAULT " + fault))) {
            latency(kafka);
            storm(kafka);
        }
        System.exit(0);
    }

    static Topics topics(EmbeddedKafka kafka, String name) throws Exception {
        return BenchTopics.create(kafka, name, 1024 * 1024);
    }

    static Notification notification(int i, Instant receivedAt, List<ChatTarget> chats) {
        AlertEvent alert = new AlertEvent("fp-" + i, "firing",
                Map.of("alertname", i % 3 == 0 ? "HighCPU" : "ContainerDown", "instance", "host-" + i + ":9100", "severity", "warning"),
                Map.of("summary", "Something is wrong on host-" + i), receivedAt, null, null, "r", null, 0, receivedAt, null);
        return new Notification(alert, DedupReason.FIRST, false, chats, "bench");
    }

    static void latency(EmbeddedKafka kafka) throws Exception {
        Topics topics = topics(kafka, "nlat");
        int seconds = 30;
        int warmup = 50;
        int total = warmup + seconds * 10;
        Instant[] producedAt = new Instant[total];
        Histogram histogram = new Histogram(3);
        int violations;
        try (TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(TOKEN)) {
            telegram.enforceLimits();
            TelegramChannel channel = new TelegramChannel(TOKEN, telegram.url());
            NotifierConfig config = new NotifierConfig(topics, kafka.bootstrapServers(), List.of("1"), ZoneId.of("UTC"), 1024 * 1024, 10, false);
            try (NotifierService notifier = new NotifierService(config, channel, f -> {}).start();
                    KafkaProducer<String, Notification> producer = producer(kafka, topics)) {
                long start = System.nanoTime();
                for (int i = 0; i < total; i++) {
                    long wait = start + i * 100_000_000L - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    // 20 private chats in turn: each gets a message every 2 s, under Telegram's 1/s.
                    ChatTarget chat = new ChatTarget(Integer.toString(1000 + i % 20), null);
                    producedAt[i] = Instant.now();
                    producer.send(new ProducerRecord<>(topics.notifications().name(), "fp-" + i,
                            notification(i, producedAt[i], List.of(chat))));
                }
                producer.flush();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (telegram.sentTexts().size() < total && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                for (TelegramBotApiStandIn.Call call : telegram.calls()) {
                    if (!call.body().has("__ok")) {
                        continue;
                    }
                    int i = Integer.parseInt(call.body().path("text").asText().replaceAll("(?s).*host-(\\d+):9100.*", "$1"));
                    if (i >= warmup) {
                        histogram.recordValue(Math.max(0, Duration.between(producedAt[i], call.at()).toNanos() / 1000));
                    }
                }
                violations = telegram.violations();
            } finally {
                channel.close();
            }
        }
        System.out.printf("%nlatency input topic -> Bot API request at 10 alerts/s over 20 chats (%d alerts): p50 %.1f ms, p99 %.1f ms, "
                + "max %.1f ms; 429s: %d (target p99 <= 30 ms)%n", histogram.getTotalCount(), histogram.getValueAtPercentile(50) / 1000.0,
                histogram.getValueAtPercentile(99) / 1000.0, histogram.getMaxValue() / 1000.0, violations);
    }

    static void storm(EmbeddedKafka kafka) throws Exception {
        Topics topics = topics(kafka, "nstorm");
        int alerts = 1000;
        String group = "-1001234567890";
        try (TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(TOKEN)) {
            telegram.enforceLimits();
            TelegramChannel channel = new TelegramChannel(TOKEN, telegram.url());
            NotifierConfig config = new NotifierConfig(topics, kafka.bootstrapServers(), List.of(group), ZoneId.of("UTC"), 1024 * 1024, 10, false);
            try (NotifierService notifier = new NotifierService(config, channel, f -> {}).start();
                    KafkaProducer<String, Notification> producer = producer(kafka, topics)) {
                Thread.sleep(3000); // the consumer joins its group
                long start = System.nanoTime();
                for (int i = 0; i < alerts; i++) {
                    producer.send(new ProducerRecord<>(topics.notifications().name(), "fp-" + i, notification(i, Instant.now(), List.of())));
                }
                producer.flush();
                long lastChange = System.nanoTime();
                int seen = 0;
                // Drained when every alert is accounted for (singly or in a digest) and nothing more comes for 5 s.
                while (System.nanoTime() - lastChange < Duration.ofSeconds(5).toNanos()) {
                    int now = telegram.sentTexts().size();
                    if (now != seen) {
                        seen = now;
                        lastChange = System.nanoTime();
                    }
                    Thread.sleep(20);
                }
                List<String> texts = telegram.sentTexts();
                long digests = texts.stream().filter(t -> t.startsWith("🌩")).count();
                int covered = 0;
                for (String t : texts) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^🌩 <b>Alert storm:</b> (\\d+) alerts").matcher(t);
                    covered += m.find() ? Integer.parseInt(m.group(1)) : 1;
                }
                double drained = Duration.ofNanos(lastChange - start).toMillis() / 1000.0;
                System.out.printf("%nstorm of %d alerts for one group chat: %d messages (%d digests) covering %d alerts, drained in %.1f s, "
                        + "429s: %d%n", alerts, texts.size(), digests, covered, drained, telegram.violations());
            } finally {
                channel.close();
            }
        }
    }

    static KafkaProducer<String, Notification> producer(EmbeddedKafka kafka, Topics topics) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 0),
                topics.notifications().keySerde().serializer(), topics.notifications().valueSerde().serializer());
    }
}
