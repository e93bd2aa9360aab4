package io.homelab.alerts.app.replay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.header.Headers;

/**
 * The raw webhook topic, read by time and never written: from the embedded broker's data directory
 * ({@link LogDirWebhookLog}) or from a Kafka cluster without a consumer group ({@link ClusterWebhookLog}).
 */
public interface WebhookLog extends AutoCloseable {
    /** One stored webhook, as ingest wrote it. */
    record Stored(int partition, long offset, long timestamp, String key, byte[] value, Headers headers) {}

    /** Told of each record in time order; {@code bytesDone / bytesTotal} drive the progress bar. */
    interface Sink {
        void accept(Stored record);
    }

    /** Where it reads from, for messages: "the embedded broker's data in ./data/kafka". */
    String describe();

    /** How many webhooks it holds in all (for "this range holds none, the log holds N"). */
    long size() throws IOException;

    /**
     * Feeds every webhook from the first with a time at or after {@code from} to the last before the
     * first at or after {@code to}, per partition (as Kafka's offsets for times pick them), merged across
     * partitions in time order. Stops early, cleanly, when {@code stop} says so.
     */
    void read(long from, long to, Sink sink, Progress progress, BooleanSupplier stop) throws IOException;

    @Override
    void close();

    /** Merges per-partition streams (each in offset order) by time, then partition, then offset. */
    static void merge(List<Iterator<Stored>> partitions, Sink sink, BooleanSupplier stop) {
        PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> {
            int c = Long.compare(a.record.timestamp(), b.record.timestamp());
            if (c != 0) {
                return c;
            }
            c = Integer.compare(a.record.partition(), b.record.partition());
            return c != 0 ? c : Long.compare(a.record.offset(), b.record.offset());
        });
        for (Iterator<Stored> p : new ArrayList<>(partitions)) {
            if (p.hasNext()) {
                heads.add(new Head(p.next(), p));
            }
        }
        while (!heads.isEmpty() && !stop.getAsBoolean()) {
            Head h = heads.poll();
            sink.accept(h.record);
            if (h.rest.hasNext()) {
                heads.add(new Head(h.rest.next(), h.rest));
            }
        }
    }

    /** The next record of one partition. */
    record Head(Stored record, Iterator<Stored> rest) {}

    /** A problem reading the log that the user must hear about (the broker is unreachable, the topic is missing). */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }
}
