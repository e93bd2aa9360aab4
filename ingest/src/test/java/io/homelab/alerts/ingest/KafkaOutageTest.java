package io.homelab.alerts.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.testing.Fixtures;
import io.homelab.alerts.common.testing.KafkaTestClients;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durability contract when Kafka goes away: 503 (Alertmanager retries), and the retry lands exactly once. */
class KafkaOutageTest {
    @TempDir
    Path dataDir;

    @Test
    void answers_503_while_kafka_is_down_and_the_retried_webhook_lands_exactly_once() throws Exception {
        try (IngestHarness ingest = new IngestHarness(dataDir, Optional.empty(), Duration.ofMillis(1500))) {
            byte[] body = Fixtures.alertmanager("firing-group.json");
            assertThat(ingest.post(Fixtures.alertmanager("firing-single.json")).statusCode()).isEqualTo(200);

            ingest.kafka.stop();
            HttpResponse<String> down = ingest.post(body);
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(down.body()).startsWith("{\"status\":\"error\",\"error\":\"not stored, try again: Kafka did not acknowledge within 1500 ms");
            assertThat(down.headers().firstValue("Retry-After")).contains("5");
            assertThat(ingest.get("/ready").statusCode()).isEqualTo(503);
            assertThat(ingest.get("/health").statusCode()).as("liveness does not depend on Kafka").isEqualTo(200);

            ingest.kafka.restart();
            // Alertmanager retries with backoff until it gets a 2xx; so does this loop.
            HttpResponse<String> retried = ingest.post(body);
            for (int attempt = 0; retried.statusCode() == 503 && attempt < 20; attempt++) {
                Thread.sleep(500);
                retried = ingest.post(body);
            }
            assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
            assertThat(ingest.get("/ready").statusCode()).isEqualTo(200);

            long copies = KafkaTestClients.readAll(ingest.kafka.bootstrapServers(), ingest.topics.webhooks().name()).stream()
                    .filter(r -> Arrays.equals(r.value(), body)).count();
            assertThat(copies).as("copies of the webhook that got a 503 and was then retried").isEqualTo(1);
        }
    }
}
