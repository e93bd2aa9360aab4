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
 * 10 alerts/s spread over 20 chats (not rate-limited); a burst of 40 alerts over 4 s to one group
 * chat (latency per alert, messages); 1,000 alerts queued during a Telegram outage (drain time,
 * messages); a critical alert behind a backlog of 500.
 */
public final class NotifierBenchmark {
    static final String TOKEN = "123456:BENCH-token";

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("homelab-bench-notifier");
        System.out.printf("homelab-alerts notifier benchmark: %d cores, Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, fault -> System.err.println("KAFKA FAULT " + fault))) {
            latency(kafka);
            burst(kafka);
            backlog(kafka);
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

    /** The first successful sendMessage at or after {@code from} whose text mentions alert {@code i} (list line or full layout). */
    static TelegramBotApiStandIn.Call messageWith(List<TelegramBotApiStandIn.Call> calls, int i) {
        for (TelegramBotApiStandIn.Call c : calls) {
            String text = c.body().path("text").asText();
            if (c.body().has("__ok") && (text.contains(" host-" + i + ":9100 —") || text.contains("<b>Instance:</b> host-" + i + ":9100\n"))) {
                return c;
            }
        }
        return null;
    }

    static List<TelegramBotApiStandIn.Call> sent(TelegramBotApiStandIn telegram, int skip) {
        List<TelegramBotApiStandIn.Call> ok = telegram.calls().stream().filter(c -> c.method().equals("sendmessage") && c.body().has("__ok")).toList();
        return ok.subList(Math.min(skip, ok.size()), ok.size());
    }

    /** Waits until the stand-in has had no new message for {@code quiet}; returns when the last one came. */
    static java.time.Instant quietAfter(TelegramBotApiStandIn telegram, Duration quiet) throws InterruptedException {
        int seen = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() - lastChange < quiet.toNanos()) {
            int now = telegram.calls().size();
            if (now != seen) {
                seen = now;
                lastChange = System.nanoTime();
            }
            Thread.sleep(20);
        }
        List<TelegramBotApiStandIn.Call> calls = telegram.calls();
        return calls.get(calls.size() - 1).at();
    }

    /** A notifier for one group chat against a stand-in enforcing Telegram's limits, warmed up with one alert. */
    record Rig(TelegramBotApiStandIn telegram, TelegramChannel channel, NotifierService notifier, KafkaProducer<String, Notification> producer,
            Topics topics) implements AutoCloseable {
        static Rig start(EmbeddedKafka kafka, String name) throws Exception {
            Topics topics = NotifierBenchmark.topics(kafka, name);
            TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(TOKEN);
            telegram.enforceLimits();
            TelegramChannel channel = new TelegramChannel(TOKEN, telegram.url());
            NotifierConfig config = new NotifierConfig(topics, kafka.bootstrapServers(), List.of(GROUP), ZoneId.of("UTC"), 1024 * 1024, 25, false);
            Rig rig = new Rig(telegram, channel, new NotifierService(config, channel, f -> {}).start(), NotifierBenchmark.producer(kafka, topics), topics);
            rig.send(-1, false);
            while (telegram.sentTexts().isEmpty()) {
                Thread.sleep(20);
            }
            Thread.sleep(1100);
            return rig;
        }

        void send(int i, boolean critical) {
            Instant now = Instant.now();
            AlertEvent alert = new AlertEvent("fp-" + i, "firing", Map.of("alertname", critical ? "DiskFailing" : i % 3 == 0 ? "HighCPU" : "ContainerDown",
                    "instance", "host-" + i + ":9100", "severity", critical ? "critical" : "warning"),
                    Map.of("summary", "Something is wrong on host-" + i), now, null, null, "r", null, 0, now, null);
            producer.send(new ProducerRecord<>(critical ? topics.priorityNotifications().name() : topics.notifications().name(), "fp-" + i,
                    new Notification(alert, DedupReason.FIRST, false, List.of(), "bench")));
        }

        @Override
        public void close() {
            notifier.close();
            producer.close();
            channel.close();
            telegram.close();
        }
    }

    static final String GROUP = "-1001234567890";

    /** 40 distinct alerts over 4 s to one group chat ("the NAS went away"): latency per alert, messages sent. */
    /** A burst's outcome: messages sent for its alerts, latency per alert, alerts later than 1.5 s. */
    record Burst(int alerts, int messages, double p50Ms, double p99Ms, int late) {}

    /** A backlog's outcome: alerts queued, messages that carried them, seconds to drain once Telegram was back. */
    record Backlog(int alerts, int messages, double drainSeconds) {}

    static Burst burst(EmbeddedKafka kafka) throws Exception {
        int alerts = 40;
        Instant[] produced = new Instant[alerts];
        try (Rig rig = Rig.start(kafka, "nburst")) {
            long start = System.nanoTime();
            for (int i = 0; i < alerts; i++) {
                long wait = start + i * 100_000_000L - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                produced[i] = Instant.now();
                rig.send(i, false);
                rig.producer.flush();
            }
            quietAfter(rig.telegram, Duration.ofSeconds(3));
            List<TelegramBotApiStandIn.Call> sent = sent(rig.telegram, 1);
            Histogram histogram = new Histogram(3);
            int late = 0;
            for (int i = 0; i < alerts; i++) {
                TelegramBotApiStandIn.Call c = messageWith(sent, i);
                if (c == null) {
                    throw new IllegalStateException("alert " + i + " was never sent");
                }
                long micros = Math.max(0, Duration.between(produced[i], c.at()).toNanos() / 1000);
                histogram.recordValue(micros);
                late += micros > 1_500_000 ? 1 : 0;
            }
            System.out.printf("%nburst of %d alerts over 4 s to one group chat: %d messages; latency per alert (produced -> Bot API request) "
                    + "p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms; %d later than 1.5 s; 429s: %d%n", alerts, sent.size(),
                    histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(90) / 1000.0,
                    histogram.getValueAtPercentile(99) / 1000.0, histogram.getMaxValue() / 1000.0, late, rig.telegram.violations());
            return new Burst(alerts, sent.size(), histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0, late);
        }
    }

    /** 1,000 alerts queued while Telegram answers 502 (about 7 s), then drained; and a critical one posted behind a backlog of 500. */
    static Backlog backlog(EmbeddedKafka kafka) throws Exception {
        int alerts = 1000;
        Backlog result;
        try (Rig rig = Rig.start(kafka, "nbacklog")) {
            for (int i = 0; i < 3; i++) {
                rig.telegram.failNext(502, "{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}");
            }
            rig.send(0, false);
            for (int i = 1; i < alerts; i++) {
                rig.send(i, false);
            }
            rig.producer.flush();
            // Telegram is back once the third 502 has been answered: drain time counts from the next request on.
            while (rig.telegram.calls().stream().filter(c -> !c.body().has("__ok")).count() < 3) {
                Thread.sleep(10);
            }
            // The notifier backs off 4 s after the third: it is back with the first request that succeeds.
            while (sent(rig.telegram, 1).isEmpty()) {
                Thread.sleep(10);
            }
            Instant back = sent(rig.telegram, 1).get(0).at();
            Instant last = quietAfter(rig.telegram, Duration.ofSeconds(3));
            System.out.printf("%nbacklog of %d alerts queued during a Telegram outage (3 x 502, about 7 s): drained %.1f s after Telegram "
                    + "came back (from its first request that succeeded to its last), in %d messages; 429s: %d%n", alerts,
                    Duration.between(back, last).toMillis() / 1000.0,
                    sent(rig.telegram, 1).size(), rig.telegram.violations());
            result = new Backlog(alerts, sent(rig.telegram, 1).size(), Duration.between(back, last).toMillis() / 1000.0);
        }
        try (Rig rig = Rig.start(kafka, "ncritical")) {
            for (int i = 0; i < 500; i++) {
                rig.send(i, false);
            }
            rig.producer.flush();
            Instant produced = Instant.now();
            rig.send(9999, true);
            rig.producer.flush();
            quietAfter(rig.telegram, Duration.ofSeconds(3));
            List<TelegramBotApiStandIn.Call> sent = sent(rig.telegram, 1);
            TelegramBotApiStandIn.Call c = sent.stream().filter(x -> x.body().path("text").asText().contains("DiskFailing")).findFirst().orElseThrow();
            System.out.printf("a critical alert posted right behind a backlog of 500: on the Bot API %.0f ms later (message %d of %d); 429s: %d%n",
                    Duration.between(produced, c.at()).toNanos() / 1e6, sent.indexOf(c) + 1, sent.size(), rig.telegram.violations());
        }
        return result;
    }

    static KafkaProducer<String, Notification> producer(EmbeddedKafka kafka, Topics topics) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 0),
                topics.notifications().keySerde().serializer(), topics.notifications().valueSerde().serializer());
    }
}
