package io.homelab.alerts.common.testing;

import io.homelab.alerts.common.kafka.TopicProvisioner;
import io.homelab.alerts.common.kafka.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads what really is on a topic of a real broker, for assertions. */
public final class KafkaTestClients {
    private KafkaTestClients() {}

    /** Creates the pipeline's topics as the app does, with {@code partitions} partitions. */
    public static void createTopics(String bootstrap, Topics topics, int partitions, int maxRecordBytes) {
        try (Admin admin = Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(
                    TopicProvisioner.specs(topics, new TopicProvisioner.TopicSettings(
                            partitions, Optional.empty(), 30, maxRecordBytes)));
        } catch (Exception e) {
            throw new AssertionError("could not create topics: " + e, e);
        }
    }

    /** Every record now on {@code topic}, from the beginning, read until the end offsets at call time. */
    public static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
        try {
            return io.homelab.alerts.common.kafka.KafkaClients.readToEnd(bootstrap, topic, Duration.ofSeconds(30));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** Sum of the end offsets of all partitions: grows by one per record written. */
    public static long endOffsetSum(String bootstrap, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap)) {
            return consumer.endOffsets(partitions(consumer, topic)).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new AssertionError("topic " + topic + " does not exist");
        }
        return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }
}
