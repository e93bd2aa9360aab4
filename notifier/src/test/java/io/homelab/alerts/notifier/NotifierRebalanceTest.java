package io.homelab.alerts.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.testing.KafkaTestClients;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import io.homelab.alerts.notifier.channel.telegram.TelegramChannel;
import io.homelab.alerts.notifier.delivery.NotifierService;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A group rebalance while a notifier waits out a 429 must not lose messages. */
class NotifierRebalanceTest {
    static final String TOKEN = "123456:TEST-rebalance";

    @TempDir
    Path dir;

    @Test
    void a_second_instance_joining_during_a_retry_wait_loses_nothing() throws Exception {
        Topics topics = Topics.withPrefix("rb.");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, fault -> {});
                TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(TOKEN)) {
            KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 4, 1024 * 1024);
            NotifierConfig config = new NotifierConfig(topics, kafka.bootstrapServers(), List.of("1001"), ZoneId.of("UTC"), 1024 * 1024, 0, false);
            TelegramChannel channelA = new TelegramChannel(TOKEN, telegram.url());
            TelegramChannel channelB = new TelegramChannel(TOKEN, telegram.url());
            try (NotifierService a = new NotifierService(config, channelA, fault -> {}).start();
                    KafkaProducer<String, Notification> producer = new KafkaProducer<>(
                            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                            topics.notifications().keySerde().serializer(), topics.notifications().valueSerde().serializer())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    producer.send(new ProducerRecord<>(topics.notifications().name(), "probe",
                            notification("Probe"))).get();
                    return !telegram.sentTexts().isEmpty();
                });
                telegram.failNext(429, TelegramBotApiStandIn.tooManyRequests(4));
                Set<String> expected = new TreeSet<>();
                for (int i = 0; i < 10; i++) {
                    String name = "Alert" + i;
                    expected.add(name);
                    producer.send(new ProducerRecord<>(topics.notifications().name(), "fp-" + name, notification(name))).get();
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> telegram.calls().stream()
                        .anyMatch(c -> c.body().path("text").asText().contains("Alert") && !c.body().has("__ok")));
                // A is now waiting out retry_after; B joins the group and takes partitions.
                try (NotifierService b = new NotifierService(config, channelB, fault -> {}).start()) {
                    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(delivered(telegram)).containsAll(expected));
                }
            } finally {
                channelA.close();
                channelB.close();
            }
        }
    }

    static Set<String> delivered(TelegramBotApiStandIn telegram) {
        return new TreeSet<>(NotifierServiceTest.delivered(telegram.sentTexts())); // full messages and list lines alike
    }

    static Notification notification(String name) {
        AlertEvent alert = new AlertEvent("fp-" + name, "firing", Map.of("alertname", name, "severity", "warning"), Map.of(),
                java.time.Instant.parse("2026-11-25T21:59:50Z"), null, null, "r", null, 0,
                java.time.Instant.parse("2026-11-25T21:59:51Z"), null);
        return new Notification(alert, DedupReason.FIRST, false, List.of(), "default");
    }
}
