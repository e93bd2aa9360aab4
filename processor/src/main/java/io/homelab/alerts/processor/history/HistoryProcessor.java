package io.homelab.alerts.processor.history;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.processor.route.Router;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds every event of an alert (duplicates included) into its {@link AlertHistory}, marked dropped
 * when a {@code drop} route matches, and forwards the new history. A wall-clock sweep forgets alerts
 * not seen for the retention (resolved ones, and firing ones Alertmanager stopped sending), so the
 * store cannot grow without bound; a forgotten alert is forwarded as a tombstone (null).
 */
public final class HistoryProcessor implements Processor<String, AlertEvent, String, AlertHistory> {
    private static final Logger log = LoggerFactory.getLogger(HistoryProcessor.class);
    public static final String STORE = "alert-history";
    public static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

    private final Router router;
    private final Duration retention;
    private ProcessorContext<String, AlertHistory> context;
    private KeyValueStore<String, AlertHistory> store;

    public HistoryProcessor(Router router, Duration retention) {
        this.router = router;
        this.retention = retention;
    }

    @Override
    public void init(ProcessorContext<String, AlertHistory> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        context.schedule(SWEEP_EVERY, PunctuationType.WALL_CLOCK_TIME, this::forgetOld);
    }

    @Override
    public void process(Record<String, AlertEvent> record) {
        AlertHistory previous = store.get(record.key());
        AlertHistory next = AlertHistory.next(previous, record.value(), Instant.ofEpochMilli(record.timestamp()));
        if (next == previous) {
            return; // older than what we have (another group's copy): nothing changes
        }
        next = next.withDropped(router.route(record.value()).dropped());
        store.put(record.key(), next);
        if (previous == null || !onlySeenAgain(previous, next)) {
            context.forward(record.withValue(next));
        }
    }

    /**
     * The alert was only seen again (a duplicate, a repeat): everything is as before but {@code lastSeen},
     * and that is still in the same minute. The store keeps the exact time (the API shows it); the
     * compacted state topic gets the first sighting of each minute, not every duplicate, so an HA pair
     * or a busy group costs it one record a minute per alert instead of one per event.
     */
    static boolean onlySeenAgain(AlertHistory previous, AlertHistory next) {
        return previous.status().equals(next.status()) && previous.dropped() == next.dropped()
                && previous.lastChange().equals(next.lastChange()) && previous.labels().equals(next.labels())
                && previous.annotations().equals(next.annotations()) && previous.timesFired() == next.timesFired()
                && previous.lastSeen().getEpochSecond() / 60 == next.lastSeen().getEpochSecond() / 60;
    }

    private void forgetOld(long wallClockMillis) {
        Instant before = Instant.ofEpochMilli(wallClockMillis).minus(retention);
        List<KeyValue<String, AlertHistory>> old = new ArrayList<>();
        try (KeyValueIterator<String, AlertHistory> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, AlertHistory> entry = all.next();
                if (entry.value == null || entry.value.lastSeen().isBefore(before)) {
                    old.add(entry);
                }
            }
        }
        for (KeyValue<String, AlertHistory> entry : old) {
            store.delete(entry.key);
            context.forward(new Record<>(entry.key, null, wallClockMillis));
        }
        if (!old.isEmpty()) {
            log.info("History: forgot {} alert(s) not seen for {} days", old.size(), retention.toDays());
        }
    }
}
