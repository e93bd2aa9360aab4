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
import org.testcontainers.kafka.KafkaContainer;

/**
 * The whole system against the apache/kafka image docker compose uses. No image registry is
 * reachable on these machines, so it runs only where that image is already present locally
 * (skipped with the reason otherwise; building a local Kafka image is issue 10's compose work).
 */
class KafkaContainerTest {
    static final String IMAGE = "apache/kafka:4.4.0";
    static KafkaContainer KAFKA;

    @org.junit.jupiter.api.BeforeAll
    static void start() throws Exception {
        boolean present;
        try {
            present = new ProcessBuilder("docker", "image", "inspect", IMAGE).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (java.io.IOException e) {
            present = false; // no docker CLI at all
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(present, IMAGE + " is not present locally and no registry is reachable to pull it");
        KAFKA = new KafkaContainer(IMAGE);
        KAFKA.start();
    }

    @org.junit.jupiter.api.AfterAll
    static void stop() {
        if (KAFKA != null) {
            KAFKA.stop();
        }
    }

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
