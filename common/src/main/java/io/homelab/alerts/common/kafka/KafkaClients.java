package io.homelab.alerts.common.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;

/** The client settings the services share, and the thread they consume on. */
public final class KafkaClients {
    /**
     * The most one fetch brings into memory (Kafka's default is 50 MiB): records can be megabytes
     * (a webhook up to INGEST_MAX_BODY_BYTES), and a homelab process must not hold hundreds of them.
     * A single record larger than this still comes, alone.
     */
    public static final int FETCH_MAX_BYTES = 8 * 1024 * 1024;

    private KafkaClients() {}

    /**
     * A consumer that commits by hand (after the work is done), reads only committed
     * transactions (the processor writes exactly-once), starts from the beginning of a new
     * group, and loses its partitions 10 s after a crash rather than the default 45 s.
     */
    public static KafkaConsumer<String, byte[]> consumer(String bootstrapServers, String groupId, String clientId,
            Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, FETCH_MAX_BYTES));
        config.putAll(overrides);
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * A thread running {@code loop}; an unexpected error is logged and reported to {@code onFatal}
     * (the process then stops, so the supervisor restarts it) instead of ending the thread silently.
     */
    public static Thread serviceThread(String name, Runnable loop, Logger log, java.util.function.Consumer<String> onFatal) {
        return new Thread(() -> {
            try {
                loop.run();
            } catch (RuntimeException e) {
                log.error("{} stopped by an unexpected error", name, e);
                onFatal.accept(name + " failed: " + e);
            }
        }, name);
    }

    /** Stops a consumer loop: {@code markStopped} first, then wake the consumer, then wait for the thread (15 s at most). */
    public static void stopLoop(Runnable markStopped, KafkaConsumer<?, ?> consumer, Thread thread) {
        markStopped.run();
        consumer.wakeup();
        try {
            thread.join(java.time.Duration.ofSeconds(15).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Every committed record on {@code topic} from the beginning up to its end at call time, without
     * a consumer group: how a service rebuilds state that a topic holds (approvals, settings).
     */
    public static List<ConsumerRecord<String, byte[]>> readToEnd(String bootstrapServers, String topic, Duration timeout)
            throws TimeoutException {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, "homelab-reader");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new TimeoutException("topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(1)) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("could not read " + topic + " to its end within " + timeout.toSeconds() + " s");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            return records;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new TimeoutException("cannot read " + topic + ": " + e.getMessage());
        }
    }
}
