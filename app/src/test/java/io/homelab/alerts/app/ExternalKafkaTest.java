package io.homelab.alerts.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.common.testing.Fixtures;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KAFKA_BOOTSTRAP_SERVERS set: no embedded broker, the services talk to that cluster, and split
 * across processes (here: two systems, as docker compose runs them) they still form one pipeline.
 */
class ExternalKafkaTest {
    @TempDir
    Path dir;

    @Test
    void services_split_over_two_processes_share_one_external_cluster() throws Exception {
        try (EmbeddedKafka cluster = EmbeddedKafka.start(dir.resolve("cluster"), 0, fault -> {})) {
            Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", cluster.bootstrapServers(),
                    "PROMETHEUS_WEBHOOK_PORT", "0", "PROCESSOR_HTTP_PORT", "0", "MANAGEMENT_PORT", "0", "DATA_DIR", dir.resolve("app").toString());
            HomelabConfig config = HomelabConfig.load(env, dir.resolve(".env"));
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            try (HomelabSystem ingest = HomelabSystem.start(config, Set.of(Target.INGEST), System.out, fault -> {});
                    HomelabSystem rest = HomelabSystem.start(config, EnumSet.of(Target.PROCESSOR, Target.NOTIFIER, Target.REMEDIATOR),
                            new PrintStream(console, true, StandardCharsets.UTF_8), fault -> {})) {
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + ingest.webhookPort() + "/prometheus/webhook"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Fixtures.alertmanager("firing-group.json"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(console.toString(StandardCharsets.UTF_8))
                        .contains("Container jellyfin is down", "Container pihole is down"));
                assertThat(ingest.bootstrapServers()).isEqualTo(cluster.bootstrapServers());
                // What the pipeline's own alert rules read: messages sent, and each consumer's lag.
                String metrics = get(rest.managementPort(), "/metrics").body();
                assertThat(metrics).contains("homelab_notifications_total{kind=\"alert\",outcome=\"sent\"")
                        .contains("kafka_consumer_fetch_manager_records_lag_max");
            }
            assertThat(Files.exists(dir.resolve("app").resolve("kafka"))).as("no embedded broker data").isFalse();
        }
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void the_broker_target_serves_the_other_services_and_each_process_without_ingest_answers_health_ready_and_metrics() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        HomelabConfig brokerConfig = HomelabConfig.load(Map.of("KAFKA_EMBEDDED_BIND", "0.0.0.0", "KAFKA_EMBEDDED_PORT", Integer.toString(port),
                "KAFKA_ADVERTISED_HOST", "localhost", "MANAGEMENT_PORT", "0", "DATA_DIR", dir.resolve("broker").toString()), dir.resolve(".env"));
        HomelabConfig servicesConfig = HomelabConfig.load(Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost:" + port, "MANAGEMENT_PORT", "0",
                "PROCESSOR_HTTP_PORT", "0", "DATA_DIR", dir.resolve("services").toString()), dir.resolve(".env"));
        try (HomelabSystem broker = HomelabSystem.start(brokerConfig, Set.of(Target.BROKER), System.out, fault -> {})) {
            assertThat(get(broker.managementPort(), "/ready").body()).isEqualTo("READY");
            assertThat(get(broker.managementPort(), "/health").statusCode()).isEqualTo(200);
            try (HomelabSystem services = HomelabSystem.start(servicesConfig, EnumSet.of(Target.PROCESSOR, Target.NOTIFIER, Target.REMEDIATOR),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), fault -> {})) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    HttpResponse<String> ready = get(services.managementPort(), "/ready");
                    assertThat(ready.body()).isEqualTo("READY");
                    assertThat(ready.statusCode()).isEqualTo(200);
                });
                assertThat(get(services.managementPort(), "/metrics").body()).contains("jvm_memory_used_bytes");
                assertThat(get(services.managementPort(), "/nope").statusCode()).isEqualTo(404);
                assertThat(Files.exists(dir.resolve("services").resolve("kafka"))).as("no broker of its own").isFalse();

                // The broker gone: the services say what is missing instead of a bare 503.
                broker.close();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    HttpResponse<String> ready = get(services.managementPort(), "/ready");
                    assertThat(ready.statusCode()).isEqualTo(503);
                    assertThat(ready.body()).startsWith("NOT READY\nkafka: not reachable at localhost:" + port);
                });
            }
        }
    }

    @Test
    void the_broker_target_refuses_an_external_kafka() {
        HomelabConfig config = HomelabConfig.load(Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "DATA_DIR", dir.resolve("b").toString()),
                dir.resolve(".env"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HomelabSystem.start(config, Set.of(Target.BROKER), System.out, fault -> {}))
                .isInstanceOf(io.homelab.alerts.common.config.ConfigException.class)
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS: --target broker runs the embedded broker");
    }
}
