package io.homelab.alerts.processor.replay;

import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * What a live processor sees of Kafka Streams, for one processor in a replay: its stores, the
 * record being processed, and a clock that is the replayed records' time. Wall-clock punctuations
 * (the dedup sweep, the Watchdog check) fire as that clock passes them, as they would have fired
 * live while the processor kept up.
 */
final class ReplayContext<K, V> implements ProcessorContext<K, V> {
    private final Map<String, StateStore> stores;
    private final Consumer<Record<K, V>> downstream;
    private final List<Scheduled> scheduled = new ArrayList<>();
    private final ReplayClock clock;
    private RecordMetadata metadata;

    ReplayContext(Map<String, StateStore> stores, ReplayClock clock, Consumer<Record<K, V>> downstream) {
        this.stores = stores;
        this.clock = clock;
        this.downstream = downstream;
    }

    /** The replay's time, shared by every processor's context. */
    static final class ReplayClock {
        long now = Long.MIN_VALUE;
    }

    private final class Scheduled implements Cancellable {
        final long every;
        final Punctuator punctuator;
        long next;
        boolean cancelled;

        Scheduled(long every, Punctuator punctuator) {
            this.every = every;
            this.punctuator = punctuator;
        }

        @Override public void cancel() {
            cancelled = true;
        }
    }

    void record(String topic, int partition, long offset) {
        this.metadata = new Metadata(topic, partition, offset);
    }

    /** Fires every punctuation due up to {@code until}, in time order, as the wall clock reaches it. */
    void punctuateUntil(long until) {
        while (true) {
            Scheduled due = null;
            for (Scheduled s : scheduled) {
                if (!s.cancelled && s.next <= until && (due == null || s.next < due.next)) {
                    due = s;
                }
            }
            if (due == null) {
                return;
            }
            long at = due.next;
            due.next += due.every;
            metadata = null;
            due.punctuator.punctuate(at);
        }
    }

    /** Starts each schedule at the replay's first time, as the live ones start when the processor does. */
    void start(long at) {
        scheduled.forEach(s -> s.next = at + s.every);
    }

    @Override public <K1 extends K, V1 extends V> void forward(Record<K1, V1> record) {
        @SuppressWarnings("unchecked") Record<K, V> r = (Record<K, V>) record;
        downstream.accept(r);
    }

    @Override public <K1 extends K, V1 extends V> void forward(Record<K1, V1> record, String childName) {
        forward(record);
    }

    @Override public String applicationId() {
        return "homelab-alerts-replay";
    }

    @Override public TaskId taskId() {
        return new TaskId(0, 0);
    }

    @Override public Optional<RecordMetadata> recordMetadata() {
        return Optional.ofNullable(metadata);
    }

    @Override public Serde<?> keySerde() {
        throw new UnsupportedOperationException("a replay has no default serdes");
    }

    @Override public Serde<?> valueSerde() {
        throw new UnsupportedOperationException("a replay has no default serdes");
    }

    @Override public File stateDir() {
        throw new UnsupportedOperationException("a replay keeps its state in memory");
    }

    @Override public StreamsMetrics metrics() {
        throw new UnsupportedOperationException("a replay has no Streams metrics");
    }

    @Override @SuppressWarnings("unchecked")
    public <S extends StateStore> S getStateStore(String name) {
        StateStore s = stores.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no store " + name + " in the replay");
        }
        return (S) s;
    }

    @Override public Cancellable schedule(Duration interval, PunctuationType type, Punctuator callback) {
        Scheduled s = new Scheduled(interval.toMillis(), callback);
        s.next = clock.now == Long.MIN_VALUE ? Long.MAX_VALUE : clock.now + s.every;
        scheduled.add(s);
        return s;
    }

    @Override public Cancellable schedule(Instant startTime, Duration interval, PunctuationType type, Punctuator callback) {
        Scheduled s = new Scheduled(interval.toMillis(), callback);
        s.next = startTime.toEpochMilli();
        scheduled.add(s);
        return s;
    }

    @Override public void commit() {}

    @Override public Map<String, Object> appConfigs() {
        return Map.of();
    }

    @Override public Map<String, Object> appConfigsWithPrefix(String prefix) {
        return Map.of();
    }

    @Override public long currentSystemTimeMs() {
        return clock.now;
    }

    @Override public long currentStreamTimeMs() {
        return clock.now;
    }

    private record Metadata(String topic, int partition, long offset) implements RecordMetadata {}
}
