package io.homelab.alerts.remediator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.testing.KafkaTestClients;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.RemediationRequest;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemediatorServiceTest {
    @TempDir
    Path dir;

    @Test
    void hands_every_request_to_the_handler_and_skips_unreadable_ones() throws Exception {
        Topics topics = Topics.withPrefix("rem.");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, fault -> {})) {
            KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 1, 1024 * 1024);
            List<RemediationRequest> handled = new CopyOnWriteArrayList<>();
            AlertEvent event = new AlertEvent("fp1", "firing", Map.of("alertname", "ContainerDown", "severity", "critical"), Map.of(),
                    Instant.parse("2026-11-25T21:59:50Z"), null, null, "r", "g", null, 0, Instant.parse("2026-11-25T21:59:51Z"), null);
            RemediationRequest request = new RemediationRequest(event, "restart-container", DedupReason.FIRST, "default");
            try (RemediatorService remediator = new RemediatorService(topics, kafka.bootstrapServers(), handled::add, f -> {}).start();
                    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                            new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(topics.remediationRequests().name(), "bad", "{oops".getBytes())).get();
                producer.send(new ProducerRecord<>(topics.remediationRequests().name(), "fp1",
                        topics.remediationRequests().valueSerde().serializer().serialize("t", request))).get();
                await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 1);
                assertThat(handled).containsExactly(request);
            }
        }
    }
}
