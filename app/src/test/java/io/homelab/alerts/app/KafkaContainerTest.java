package io.homelab.alerts.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.common.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/** The whole system against the apache/kafka image docker compose uses. Skipped where there is no Docker engine. */
@Testcontainers(disabledWithoutDocker = true)
class KafkaContainerTest {
    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.4.0");

    @TempDir
    Path dir;

    @Test
    void runs_end_to_end_on_the_apache_kafka_image() throws Exception {
        HomelabConfig config = HomelabConfig.load(Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.getBootstrapServers(),
                "PROMETHEUS_WEBHOOK_PORT", "0", "PROCESSOR_HTTP_PORT", "0", "DATA_DIR", dir.toString()), dir.resolve(".env"));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (HomelabSystem system = HomelabSystem.start(config, EnumSet.allOf(Target.class),
                new PrintStream(console, true, StandardCharsets.UTF_8), fault -> {})) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + system.webhookPort() + "/prometheus/webhook"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Fixtures.alertmanager("firing-single.json"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(console.toString(StandardCharsets.UTF_8)).contains("<b>Alert:</b> HighCPU"));
        }
    }
}
