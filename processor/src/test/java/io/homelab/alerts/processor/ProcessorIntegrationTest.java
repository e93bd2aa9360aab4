package io.homelab.alerts.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.kafka.RawWebhookHeaders;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.testing.Fixtures;
import io.homelab.alerts.common.testing.KafkaTestClients;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import io.homelab.alerts.processor.route.DefaultRoutes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import io.homelab.alerts.common.model.AlertEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The processor with exactly-once on a real broker: restarts, two instances, and the history API. */
class ProcessorIntegrationTest {
    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, fault -> {});
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    static ProcessorConfig config(Topics topics, String stateDir) {
        return new ProcessorConfig(topics, kafka.bootstrapServers(), dir.resolve(stateDir), AlertTopologyTest.POLICY,
                new DefaultRoutes(), ProcessorConfig.DEFAULT_COMMIT_INTERVAL,
                1024 * 1024, "127.0.0.1", 0);
    }

    static final String KEY = "history-s3cret";

    /** As above, the history API asking for {@link #KEY} (instances send it to each other). */
    static ProcessorConfig configWithKey(Topics topics, String stateDir) {
        ProcessorConfig c = config(topics, stateDir);
        return new ProcessorConfig(c.topics(), c.bootstrapServers(), c.stateDir(), c.dedup(), c.router(), c.commitInterval(),
                c.maxRecordBytes(), c.limits(), c.historyRetention(),
                new ProcessorConfig.HistoryApiSettings("127.0.0.1", "127.0.0.1", 0, java.util.Optional.of(KEY)));
    }

    HttpResponse<String> raw(int port, String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void send(KafkaProducer<String, byte[]> producer, Topics topics, String key, byte[] body) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add(RawWebhookHeaders.RECEIVED_AT, Instant.now().toString().getBytes(StandardCharsets.UTF_8));
        producer.send(new ProducerRecord<>(topics.webhooks().name(), null, key, body, headers)).get();
    }

    static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    static List<Notification> notifications(Topics topics) {
        return java.util.stream.Stream.of(topics.notifications(), topics.priorityNotifications())
                .flatMap(t -> KafkaTestClients.readAll(kafka.bootstrapServers(), t.name()).stream())
                .map(r -> Json.read(r.value(), Notification.class)).toList();
    }

    JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> r = raw(port, path, KEY);
        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void a_restart_inside_the_window_does_not_notify_again() throws Exception {
        Topics topics = Topics.withPrefix("restart.");
        KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 2, 1024 * 1024);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            try (ProcessorService processor = new ProcessorService(config(topics, "restart-a"), fault -> {}).start()) {
                send(producer, topics, "g", Fixtures.alertmanager("firing-group.json"));
                await().atMost(Duration.ofSeconds(60)).until(() -> notifications(topics).size() == 2);
            }
            // A new instance with an empty state directory: the dedup state comes back from the changelog.
            try (ProcessorService processor = new ProcessorService(config(topics, "restart-b"), fault -> {}).start()) {
                send(producer, topics, "g", Fixtures.alertmanager("firing-group.json"));
                send(producer, topics, "h", Fixtures.alertmanager("firing-single.json"));
                await().atMost(Duration.ofSeconds(60)).until(() -> notifications(topics).size() >= 3);
                Thread.sleep(1000); // a late duplicate would have arrived by now
                assertThat(notifications(topics)).extracting(n -> n.alert().fingerprint())
                        .containsExactlyInAnyOrder("f6e94e35cf045285", "df7215318b6ae9b9", "bfcfce9889d1664b");
            }
        }
    }

    @Test
    void with_one_raw_partition_there_is_no_re_key_hop_and_an_upgrade_from_a_re_keying_run_loses_nothing_in_flight() throws Exception {
        Topics topics = Topics.withPrefix("direct.");
        KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 1, 1024 * 1024);
        ProcessorConfig first = config(topics, "direct-a");
        String rekeyTopic = AlertTopology.rekeyTopic(first);
        assertThat(ProcessorService.layout(first)).isEqualTo(AlertTopology.Layout.DIRECT);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            // An earlier release re-keyed whatever the partition count.
            try (ProcessorService processor = new ProcessorService(first, new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                    io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT), fault -> {}, AlertTopology.Layout.REKEY).start()) {
                send(producer, topics, "g", Fixtures.alertmanager("firing-group.json"));
                await().atMost(Duration.ofSeconds(60)).until(() -> notifications(topics).size() == 2);
            }
            // What a crash of that run could leave: an event written to the re-key topic, its webhook already committed.
            AlertEvent inFlight = ((io.homelab.alerts.processor.explode.WebhookExploder.Result.Events)
                    io.homelab.alerts.processor.explode.WebhookExploder.explode(Fixtures.alertmanager("firing-single.json"), Instant.now()))
                    .events().get(0);
            try (KafkaProducer<String, AlertEvent> events = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()), new StringSerializer(), io.homelab.alerts.common.binary.AlertEventCodec.SERDE.serializer())) {
                events.send(new ProducerRecord<>(rekeyTopic, inFlight.fingerprint(), inFlight)).get();
            }
            ProcessorConfig second = config(topics, "direct-b"); // an empty state directory: the state comes from the changelogs
            assertThat(ProcessorService.layout(second)).isEqualTo(new AlertTopology.Layout(false, true));
            try (ProcessorService processor = new ProcessorService(second, fault -> {}).start()) {
                send(producer, topics, "g", Fixtures.alertmanager("firing-group.json")); // duplicates of the first run's
                await().atMost(Duration.ofSeconds(60)).until(() -> notifications(topics).size() >= 3);
                Thread.sleep(1000); // a late duplicate would have arrived by now
                assertThat(notifications(topics)).extracting(n -> n.alert().fingerprint())
                        .containsExactlyInAnyOrder("f6e94e35cf045285", "df7215318b6ae9b9", inFlight.fingerprint());
            }
        }
    }

    @Test
    void two_instances_notify_every_alert_exactly_once_and_both_answer_history_queries() throws Exception {
        Topics topics = Topics.withPrefix("scale.");
        KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 4, 1024 * 1024);
        int alerts = 40;
        try (ProcessorService a = new ProcessorService(configWithKey(topics, "scale-a"), fault -> {}).start();
                ProcessorService b = new ProcessorService(configWithKey(topics, "scale-b"), fault -> {}).start();
                KafkaProducer<String, byte[]> producer = producer()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> a.state().isRunningOrRebalancing() && b.state().isRunningOrRebalancing());
            String template = new String(Fixtures.alertmanager("firing-single.json"), StandardCharsets.UTF_8)
                    .replace("\"fingerprint\": \"bfcfce9889d1664b\"", "\"fingerprint\": \"\"");
            for (int i = 0; i < alerts; i++) {
                byte[] body = template.replace("192.168.1.101:9100", "10.0.0." + i + ":9100").getBytes(StandardCharsets.UTF_8);
                send(producer, topics, "group-" + i, body);
                send(producer, topics, "group-" + i, body); // Alertmanager HA pair: the same webhook twice
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> notifications(topics).size() >= alerts);
            Thread.sleep(1000);
            Map<String, Long> perAlert = notifications(topics).stream()
                    .collect(Collectors.groupingBy(n -> n.alert().fingerprint(), Collectors.counting()));
            assertThat(perAlert).hasSize(alerts).allSatisfy((fp, count) -> assertThat(count).as(fp).isEqualTo(1));

            for (ProcessorService instance : List.of(a, b)) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(get(instance.apiPort(), "/api/alerts").path("alerts").size()).isEqualTo(alerts));
                // Paged 7 at a time across both instances: every alert once, newest change first.
                java.util.List<String> paged = new java.util.ArrayList<>();
                String after = null;
                do {
                    JsonNode page = get(instance.apiPort(), "/api/alerts?limit=7" + (after == null ? "" : "&after=" + after));
                    assertThat(page.path("total").asInt()).isEqualTo(alerts);
                    page.path("alerts").forEach(h -> paged.add(h.path("fingerprint").asText()));
                    after = page.path("next").isNull() ? null : page.path("next").asText();
                } while (after != null);
                assertThat(paged).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(perAlert.keySet());
                assertThat(raw(instance.apiPort(), "/api/alerts", null).statusCode()).as("no key").isEqualTo(401);
                assertThat(raw(instance.apiPort(), "/api/alerts", "wrong").statusCode()).isEqualTo(401);
                for (String bad : List.of("/api/alerts/%25zz", "/api/alerts/bfcfce9889d1664b%3Fscope=local", "/api/alerts/a%20b",
                        "/api/alerts?limit=0", "/api/alerts?after=x")) {
                    HttpResponse<String> r = raw(instance.apiPort(), bad, KEY);
                    assertThat(r.statusCode()).as(bad + " -> " + r.body()).isEqualTo(400);
                }
                for (String fp : perAlert.keySet().stream().limit(8).toList()) {
                    JsonNode history = get(instance.apiPort(), "/api/alerts/" + fp);
                    assertThat(history.get("fingerprint").asText()).isEqualTo(fp);
                    assertThat(history.get("status").asText()).isEqualTo("firing");
                    assertThat(history.get("timesFired").asInt()).isEqualTo(1);
                }
                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + instance.apiPort() + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.body()).contains("homelab_processor_decisions_total{reason=\"FIRST\"}");
                JsonNode stats = get(instance.apiPort(), "/api/stats");
                assertThat(stats.get("activeAlerts").asInt()).isEqualTo(alerts);
                assertThat(stats.get("alertnames").get(0).get("fired").asInt()).isEqualTo(alerts);
            }
        }
    }


    @Test
    void the_watchdog_silence_is_said_once_across_a_restart_and_its_return_once() throws Exception {
        Topics topics = Topics.withPrefix("watchdog.");
        KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 2, 1024 * 1024);
        ProcessorConfig base = config(topics, "watchdog");
        ProcessorConfig config = new ProcessorConfig(base.topics(), base.bootstrapServers(), base.stateDir(), base.dedup(), base.router(),
                base.commitInterval(), base.maxRecordBytes(), base.limits(), base.historyRetention(), base.api(),
                new io.homelab.alerts.processor.watchdog.WatchdogSettings("Watchdog", java.time.Duration.ofSeconds(3), java.time.ZoneId.of("UTC")));
        byte[] watchdog = new String(Fixtures.alertmanager("firing-single.json"), StandardCharsets.UTF_8)
                .replaceAll("\"alertname\": ?\"[A-Za-z]+\"", "\"alertname\":\"Watchdog\"").getBytes(StandardCharsets.UTF_8);
        java.util.function.Supplier<List<Notification>> blind = () -> notifications(topics).stream()
                .filter(n -> n.alert().alertname().equals(io.homelab.alerts.processor.watchdog.WatchdogProcessor.BLIND)).toList();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            try (ProcessorService processor = new ProcessorService(config, fault -> {}).start()) {
                send(producer, topics, "g", watchdog);
                await().atMost(java.time.Duration.ofSeconds(60)).until(() -> blind.get().size() == 1);
                assertThat(blind.get().get(0).alert().isFiring()).isTrue();
            }
            try (ProcessorService processor = new ProcessorService(config, fault -> {}).start()) {
                await().atMost(java.time.Duration.ofSeconds(60)).until(() -> processor.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING);
                Thread.sleep(8000); // well past the 3 s limit again: the restored state knows it was said
                assertThat(blind.get()).as("not said again after the restart").hasSize(1);
                send(producer, topics, "g", watchdog);
                await().atMost(java.time.Duration.ofSeconds(60)).until(() -> blind.get().size() == 2);
                assertThat(blind.get().get(1).alert().isFiring()).as("the all-clear").isFalse();
            }
        }
    }
}
