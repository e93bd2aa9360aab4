package io.homelab.alerts.app.replay;

import io.homelab.alerts.common.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The webhook topic on a running Kafka (an external cluster, or the embedded broker while the system
 * runs): partitions assigned by hand, offsets looked up by time, no consumer group, no commit; so it
 * leaves nothing on the cluster and moves no one's offsets.
 */
public final class ClusterWebhookLog implements WebhookLog {
    static final Duration REACH = Duration.ofSeconds(10);
    private final String bootstrapServers;
    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions;

    /** @throws WebhookLog.Unavailable when the cluster does not answer within 10 s or has no such topic */
    public ClusterWebhookLog(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "homelab-alerts-replay");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, KafkaClients.FETCH_MAX_BYTES);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) REACH.toMillis());
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REACH.toMillis());
        p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        try {
            this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new Unavailable("KAFKA_BOOTSTRAP_SERVERS " + bootstrapServers + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, REACH);
        } catch (TimeoutException e) {
            consumer.close(Duration.ZERO);
            throw new Unavailable("cannot reach Kafka at " + bootstrapServers + " within " + REACH.toSeconds()
                    + " s: is it running, and is KAFKA_BOOTSTRAP_SERVERS right?");
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw new Unavailable("cannot read topic " + topic + " from Kafka at " + bootstrapServers + ": " + e.getMessage());
        }
        if (infos == null || infos.isEmpty()) {
            consumer.close(Duration.ZERO);
            throw new Unavailable("Kafka at " + bootstrapServers + " has no topic " + topic + " (has ingest ever run against it,"
                    + " with this KAFKA_TOPIC_PREFIX?)");
        }
        this.partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition()))
                .sorted(java.util.Comparator.comparingInt(TopicPartition::partition)).toList();
    }

    @Override
    public String describe() {
        return "Kafka at " + bootstrapServers;
    }

    @Override
    public long size() {
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, REACH);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, REACH);
        return partitions.stream().mapToLong(tp -> end.get(tp) - begin.get(tp)).sum();
    }

    @Override
    public void read(long from, long to, Sink sink, Progress progress, BooleanSupplier stop) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, REACH);
        Map<TopicPartition, Long> start = offsetsFor(from, end);
        Map<TopicPartition, Long> stopAt = offsetsFor(to, end);
        consumer.assign(partitions);
        List<TopicPartition> active = new ArrayList<>();
        long total = 0;
        for (TopicPartition tp : partitions) {
            if (start.get(tp) < stopAt.get(tp)) {
                consumer.seek(tp, start.get(tp));
                active.add(tp);
                total += stopAt.get(tp) - start.get(tp);
            }
        }
        progress.total(total);
        consumer.pause(partitions);
        consumer.resume(active);
        Map<TopicPartition, ArrayDeque<Stored>> buffered = new HashMap<>();
        List<Iterator<Stored>> streams = new ArrayList<>();
        for (TopicPartition tp : active) {
            ArrayDeque<Stored> q = new ArrayDeque<>();
            buffered.put(tp, q);
            streams.add(new Iterator<>() {
                @Override public boolean hasNext() {
                    long since = System.nanoTime();
                    while (q.isEmpty() && consumer.position(tp) < stopAt.get(tp) && !stop.getAsBoolean()) {
                        if (fetch(buffered, stopAt, progress) > 0) {
                            since = System.nanoTime();
                        } else if (System.nanoTime() - since > REACH.toNanos()) {
                            throw new Unavailable("Kafka at " + bootstrapServers + " stopped answering: nothing read for "
                                    + REACH.toSeconds() + " s, " + (stopAt.get(tp) - consumer.position(tp)) + " webhooks short of the range's end");
                        }
                    }
                    return !q.isEmpty();
                }

                @Override public Stored next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return q.poll();
                }
            });
        }
        WebhookLog.merge(streams, sink, stop);
    }

    private int fetch(Map<TopicPartition, ArrayDeque<Stored>> buffered, Map<TopicPartition, Long> stopAt, Progress progress) {
        var records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, byte[]> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (r.offset() < stopAt.get(tp)) {
                buffered.get(tp).add(new Stored(r.partition(), r.offset(), r.timestamp(), r.key(), r.value(), r.headers()));
                progress.advance(1);
            }
        }
        for (TopicPartition tp : buffered.keySet()) {
            // Done, or far ahead of the others: wait, so a quiet partition does not make a busy one buffer without bound.
            if (consumer.position(tp) >= stopAt.get(tp) || buffered.get(tp).size() > 50_000) {
                consumer.pause(List.of(tp));
            } else if (!consumer.paused().isEmpty() && consumer.paused().contains(tp)) {
                consumer.resume(List.of(tp));
            }
        }
        return records.count();
    }

    /** The first offset at or after {@code time} per partition; the end where there is none. */
    private Map<TopicPartition, Long> offsetsFor(long time, Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, Math.max(0, time)));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, REACH);
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = found.get(tp);
            out.put(tp, o == null ? end.get(tp) : o.offset());
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(1));
    }
}
