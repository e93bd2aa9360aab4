package io.homelab.alerts.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homelab.alerts.common.testing.KafkaTestClients;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.internals.Exit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {
    @TempDir
    Path dir;

    @Test
    void keeps_topics_and_records_across_a_restart_on_the_same_directory_and_port() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, fault -> {})) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("kept", Optional.of(1), Optional.empty()))).all().get();
            }
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("kept", "k", "v".getBytes())).get();
            }
            String before = kafka.bootstrapServers();

            kafka.restart();

            assertThat(kafka.bootstrapServers()).isEqualTo(before);
            assertThat(KafkaTestClients.readAll(kafka.bootstrapServers(), "kept")).extracting(r -> new String(r.value())).containsExactly("v");
        }
        // A new process on the same directory (here: a new instance) finds the data too.
        try (EmbeddedKafka again = EmbeddedKafka.start(dir, 0, fault -> {})) {
            assertThat(KafkaTestClients.readAll(again.bootstrapServers(), "kept")).hasSize(1);
        }
    }

    @Test
    void a_fatal_broker_fault_is_reported_instead_of_silently_halting_the_jvm() {
        List<String> faults = new CopyOnWriteArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, faults::add)) {
            // What Kafka's fault handlers call on an unrecoverable error.
            assertThatThrownBy(() -> Exit.halt(1, "simulated metadata log fault")).isInstanceOf(IllegalStateException.class);
            assertThat(faults).containsExactly("Kafka broker halted with code 1: simulated metadata log fault");
        }
    }
}
