package io.homelab.alerts.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.processor.route.DefaultRoutes;
import io.homelab.alerts.common.testing.Fixtures;
import io.homelab.alerts.common.testing.KafkaTestClients;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The processor with exactly-once on a real broker. */
class ProcessorIntegrationTest {
    @TempDir
    Path dir;

    @Test
    void turns_raw_webhooks_on_a_real_broker_into_notification_events() throws Exception {
        Topics topics = Topics.withPrefix("it.");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, fault -> {})) {
            KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 2, 1024 * 1024);
            ProcessorConfig config = new ProcessorConfig(topics, kafka.bootstrapServers(), dir.resolve("streams"),
                    AlertTopologyTest.POLICY, new DefaultRoutes(ProcessorConfig.DEFAULT_REMEDIATE_SEVERITIES),
                    ProcessorConfig.DEFAULT_COMMIT_INTERVAL, 1024 * 1024);
            try (ProcessorService processor = new ProcessorService(config, fault -> {}).start();
                    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                            new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(topics.webhooks().name(), "g", Fixtures.alertmanager("firing-group.json"))).get();

                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(KafkaTestClients.readAll(kafka.bootstrapServers(), topics.notifications().name()))
                                .extracting(r -> Json.read(r.value(), Notification.class).alert().labels().get("name"))
                                .containsExactlyInAnyOrder("jellyfin", "pihole"));
                assertThat(KafkaTestClients.readAll(kafka.bootstrapServers(), topics.remediationRequests().name())).hasSize(2);
            }
        }
    }
}
