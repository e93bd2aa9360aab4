package io.homelab.alerts.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.kafka.DeadLetterHeaders;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.testing.KafkaTestClients;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import io.homelab.alerts.notifier.channel.webhook.WebhookChannel;
import io.homelab.alerts.notifier.channel.webhook.WebhookConfig;
import io.homelab.alerts.notifier.channel.webhook.WebhookDelivery;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A webhook's own consumer on a real broker, POSTing over real HTTP to a stand-in of PagerDuty's Events API v2. */
class WebhookDeliveryTest {
    @TempDir
    static Path kafkaDir;
    static EmbeddedKafka kafka;

    @TempDir
    Path dir;
    HttpServer pagerduty;
    /** Scripted answers (status, Retry-After or null, body); when empty: 202 as PagerDuty answers. */
    final Deque<String[]> answers = new ArrayDeque<>();
    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    final List<Instant> receivedAt = new CopyOnWriteArrayList<>();
    final List<String> reports = new CopyOnWriteArrayList<>();
    final List<String> faults = new CopyOnWriteArrayList<>();
    Topics topics;
    WebhookDelivery delivery;
    KafkaProducer<String, Notification> producer;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(kafkaDir, 0, fault -> {});
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @BeforeEach
    void start() throws Exception {
        pagerduty = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pagerduty.createContext("/v2/enqueue", exchange -> {
            JsonNode body = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
            String[] answer;
            synchronized (answers) {
                answer = answers.poll();
            }
            if (answer == null) {
                answer = new String[] {"202", null, "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":"
                        + Json.writeString(body.path("dedup_key").asText()) + "}"};
            }
            received.add(body);
            receivedAt.add(Instant.now());
            if (answer[1] != null) {
                exchange.getResponseHeaders().set("Retry-After", answer[1]);
            }
            byte[] out = answer[2].getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(Integer.parseInt(answer[0]), out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        pagerduty.start();
        topics = Topics.withPrefix("hook" + System.nanoTime() % 100000 + ".");
        KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 1, 1024 * 1024);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                topics.notifications().keySerde().serializer(), topics.notifications().valueSerde().serializer());
    }

    void startDelivery(boolean sendResolved) throws Exception {
        Path file = dir.resolve("homelab.yml");
        Files.writeString(file, """
                webhooks:
                  - name: pagerduty
                    url: http://127.0.0.1:%d/v2/enqueue
                    send_resolved: %s
                    body:
                      routing_key: ${PD_KEY}
                      event_action: '{{status | map firing=trigger resolved=resolve}}'
                      dedup_key: '{{fingerprint}}'
                      payload: {summary: '{{summary}}', source: '{{instance}}', severity: '{{severity}}'}
                """.formatted(pagerduty.getAddress().getPort(), sendResolved));
        WebhookConfig config = WebhookConfig.load(file, Map.of("PD_KEY", "R0UTING")).get(0);
        delivery = new WebhookDelivery(topics, kafka.bootstrapServers(), new WebhookChannel(config), 1024 * 1024, reports::add, faults::add)
                .start();
    }

    @AfterEach
    void stop() {
        if (delivery != null) {
            delivery.close();
        }
        producer.close();
        pagerduty.stop(0);
    }

    void publish(String topic, Notification n) throws Exception {
        producer.send(new ProducerRecord<>(topic, n.alert().fingerprint(), n)).get();
    }

    static Notification notification(String status, List<String> webhooks) {
        Notification n = WebhookConfigTest.critical(status);
        return new Notification(n.alert(), n.reason(), false, List.of(), n.route(), webhooks, true);
    }

    @Test
    void posts_the_rendered_body_waits_out_a_429_for_retry_after_and_sends_the_resolve_too() throws Exception {
        answers.add(new String[] {"429", "1", "{\"status\":\"throttle event\",\"message\":\"Requests for this service are arriving too quickly.\"}"});
        startDelivery(true);
        publish(topics.notifications().name(), notification("firing", List.of("grafana")));   // not for this webhook
        publish(topics.priorityNotifications().name(), notification("firing", List.of("pagerduty")));
        publish(topics.priorityNotifications().name(), notification("resolved", List.of("pagerduty")));

        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 3);
        assertThat(received.get(0)).isEqualTo(received.get(1));
        assertThat(Duration.between(receivedAt.get(0), receivedAt.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(990));
        assertThat(received).extracting(b -> b.path("event_action").asText()).containsExactly("trigger", "trigger", "resolve");
        assertThat(received.get(0).path("routing_key").asText()).isEqualTo("R0UTING");
        assertThat(received.get(0).at("/payload/summary").asText()).isEqualTo("Container \"jellyfin\" is <down>");
        Thread.sleep(500);
        assertThat(received).as("the grafana-only notification was not sent here").hasSize(3);
    }

    @Test
    void a_refused_event_goes_to_the_dead_letter_topic_and_resolved_alerts_are_skipped_without_send_resolved() throws Exception {
        answers.add(new String[] {"400", null, "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":[\"'routing_key' is invalid\"]}"});
        startDelivery(false);
        publish(topics.priorityNotifications().name(), notification("firing", List.of("pagerduty")));
        publish(topics.priorityNotifications().name(), notification("resolved", List.of("pagerduty")));
        publish(topics.priorityNotifications().name(), notification("firing", List.of("pagerduty")));

        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 2);
        var dead = KafkaTestClients.readAll(kafka.bootstrapServers(), topics.deadLetters().name());
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(new String(r.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                    .startsWith("CLIENT: pagerduty answered 400: {\"status\":\"invalid event\"");
            assertThat(new String(r.headers().lastHeader("dlq-target").value(), StandardCharsets.UTF_8)).isEqualTo("webhook:pagerduty");
        });
        Thread.sleep(500);
        assertThat(received).extracting(b -> b.path("event_action").asText()).containsExactly("trigger", "trigger");
        assertThat(reports).as("told once, as Telegram HTML (escaped)").containsExactly("⚠️ Webhook pagerduty refused ContainerDown: "
                + "pagerduty answered 400: {&quot;status&quot;:&quot;invalid event&quot;,&quot;message&quot;:&quot;Event object is invalid&quot;,"
                + "&quot;errors&quot;:[&quot;'routing_key' is invalid&quot;]}\nIt is kept in Kafka topic "
                + topics.deadLetters().name() + " (from " + topics.priorityNotifications().name() + " partition 0 offset 0).");
    }

    @Test
    void a_retry_after_too_large_for_any_clock_neither_crashes_nor_stops_the_webhook() throws Exception {
        answers.add(new String[] {"503", "10000000000", "{\"status\":\"busy\"}"});
        answers.add(new String[] {"429", "Fri, 31 Dec 9999 23:59:59 GMT", "{\"status\":\"busy\"}"});
        startDelivery(true);
        publish(topics.priorityNotifications().name(), notification("firing", List.of("pagerduty")));

        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 1);
        Thread.sleep(1000);
        assertThat(faults).as("no crash (the old code overflowed Duration.toNanos and exited 70)").isEmpty();
        assertThat(received).as("waiting out the capped Retry-After (5 min), not sending again yet").hasSize(1);
        delivery.close();
        assertThat(faults).isEmpty();
        delivery = null;
    }
}
