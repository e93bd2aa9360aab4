package io.homelab.alerts.ingest;

import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.testing.KafkaTestClients;
import io.homelab.alerts.ingest.sink.KafkaWebhookSink;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** A real broker, the real ingest app on a free port, and a real HTTP client. */
final class IngestHarness implements AutoCloseable {
    static final int MAX_BODY = 256 * 1024;

    final EmbeddedKafka kafka;
    final Topics topics = Topics.withPrefix("test.");
    final IngestApp app;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    IngestHarness(Path dataDir, Optional<String> apiKey, Duration ackTimeout) throws Exception {
        kafka = EmbeddedKafka.start(dataDir, 0, fault -> {});
        KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 2, MAX_BODY + 64 * 1024);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        IngestConfig config = new IngestConfig(0, "/prometheus/webhook", apiKey, MAX_BODY, ackTimeout, Duration.ofMillis(1));
        app = new IngestApp(config, new KafkaWebhookSink(kafka.bootstrapServers(), topics.webhooks(), config, registry),
                registry, Clock.systemUTC()).start();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + app.port() + path);
    }

    HttpRequest.Builder webhook() {
        return webhook("application/json");
    }

    HttpRequest.Builder webhook(String contentType) {
        return HttpRequest.newBuilder(uri("/prometheus/webhook")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType).header("User-Agent", "Alertmanager/0.25.0");
    }

    HttpResponse<String> post(byte[] body) throws Exception {
        return send(webhook().POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    @Override
    public void close() {
        app.close();
        kafka.close();
    }
}
