package io.homelab.alerts.bench;

import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The floor under each hop of the pipeline, on the embedded broker of this machine: how long a
 * record takes from {@code send} to a read_committed reader, written (a) by an idempotent
 * producer with acks=all, as ingest writes, and (b) in a transaction committed right after the
 * send, as the processor's exactly-once commit does. What a hop costs above (b) is ours.
 */
public final class TransactionHopProbe {
    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path dir = Files.createTempDirectory("txn-probe");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, ChildProcesses.freePort(), fault -> System.err.println("broker fault: " + fault));
                Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("plain", 1, (short) 1), new NewTopic("txn", 1, (short) 1),
                    new NewTopic("offsets", 1, (short) 1))).all().get();
            System.out.printf("%-40s %8s %8s %8s%n", "hop (" + records + " records, 20 ms apart)", "p50 ms", "p99 ms", "max ms");
            Map<String, double[]> brokerBefore = BrokerRequestTimes.snapshot();
            for (String mode : List.of("plain", "txn", "offsets")) {
                Histogram[] h = run(kafka.bootstrapServers(), mode, records);
                switch (mode) {
                    case "plain" -> {
                        print("acks=all send -> ack", h[0]);
                        print("acks=all send -> read_committed reader", h[1]);
                    }
                    case "txn" -> {
                        print("txn send+commit -> commit returned", h[0]);
                        print("txn send -> read_committed reader", h[1]);
                    }
                    default -> {
                        print("as Streams: send, offsets, commit", h[0]);
                        print("  of that, sendOffsetsToTransaction", h[2]);
                        print("  send -> read_committed reader", h[1]);
                    }
                }
            }
            System.out.printf("%nbroker, per request (all three runs): mean ms in the request queue, local, remote (purgatory), response%n");
            BrokerRequestTimes.print(brokerBefore, BrokerRequestTimes.snapshot());
        } finally {
            ChildProcesses.deleteTree(dir);
        }
        System.exit(0);
    }

    static void print(String what, Histogram h) {
        System.out.printf("%-40s %8.1f %8.1f %8.1f%n", what, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                h.getMaxValue() / 1000.0);
    }

    static Histogram[] run(String bootstrap, String topic, int records) throws Exception {
        Map<Long, Long> seenAt = new ConcurrentHashMap<>();
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        consumer.seekToEnd(List.of(tp));
        consumer.position(tp);
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread reader = new Thread(() -> {
            try {
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        seenAt.put(ByteBuffer.wrap(r.value()).getLong(), System.nanoTime());
                    }
                }
            } finally {
                consumer.close();
            }
        });
        reader.start();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        boolean txn = !topic.equals("plain");
        boolean offsets = topic.equals("offsets");
        if (txn) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "probe-" + topic);
        }
        Histogram ack = new Histogram(3);
        Histogram visible = new Histogram(3);
        Histogram sendOffsets = new Histogram(3);
        org.apache.kafka.clients.consumer.ConsumerGroupMetadata group = new org.apache.kafka.clients.consumer.ConsumerGroupMetadata("probe-group");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            if (txn) {
                producer.initTransactions();
            }
            int warmup = 20;
            long[] sentAt = new long[warmup + records];
            for (int i = 0; i < sentAt.length; i++) {
                sentAt[i] = System.nanoTime();
                if (txn) {
                    producer.beginTransaction();
                }
                var f = producer.send(new ProducerRecord<>(topic, ByteBuffer.allocate(8).putLong(i).array()));
                if (offsets) {
                    long before = System.nanoTime();
                    producer.sendOffsetsToTransaction(Map.of(new TopicPartition("plain", 0),
                            new org.apache.kafka.clients.consumer.OffsetAndMetadata(i)), group);
                    if (i >= warmup) {
                        sendOffsets.recordValue((System.nanoTime() - before) / 1000);
                    }
                }
                if (txn) {
                    producer.commitTransaction();
                } else {
                    f.get();
                }
                if (i >= warmup) {
                    ack.recordValue((System.nanoTime() - sentAt[i]) / 1000);
                }
                Thread.sleep(20);
            }
            Thread.sleep(500);
            for (int i = warmup; i < sentAt.length; i++) {
                Long at = seenAt.get((long) i);
                if (at == null) {
                    throw new IllegalStateException(topic + ": record " + i + " never reached the reader");
                }
                visible.recordValue(Math.max(0, (at - sentAt[i]) / 1000));
            }
        } finally {
            running.set(false);
            reader.join(5000);
        }
        return new Histogram[] {ack, visible, sendOffsets};
    }
}
