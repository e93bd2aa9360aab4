package io.homelab.alerts.processor.dedup;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.processor.route.RouteDecision;
import io.homelab.alerts.processor.route.Router;
import io.homelab.alerts.processor.state.AlertState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
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
 * Per fingerprint: decides whether an event passes (with a named reason), detects flapping,
 * routes what passes, and remembers it all in the state store. A wall-clock punctuation
 * releases alerts that stopped flapping and forgets resolved alerts whose window has passed.
 */
public final class DedupProcessor implements Processor<String, AlertEvent, String, Decision> {
    private static final Logger log = LoggerFactory.getLogger(DedupProcessor.class);
    public static final String STORE = "alert-state";
    static final Duration PUNCTUATE_EVERY = Duration.ofSeconds(10);

    private final DedupPolicy policy;
    private final Router router;
    private final Consumer<DedupReason> counter;
    private final Duration forgetAfter;
    private ProcessorContext<String, Decision> context;
    private KeyValueStore<String, AlertState> store;
    /** Events held back since the last summary line, by reason (one INFO line a minute says how many). */
    private final java.util.Map<DedupReason, Long> heldBack = new java.util.EnumMap<>(DedupReason.class);
    private long lastSummaryMillis = -1;
    static final Duration SUMMARY_EVERY = Duration.ofMinutes(1);

    /**
     * @param counter told every decision (for the metric by reason); counts may repeat on reprocessing
     * @param forgetAfter an alert not seen at all for this long is forgotten, whatever its status (the history's retention)
     */
    public DedupProcessor(DedupPolicy policy, Router router, Consumer<DedupReason> counter, Duration forgetAfter) {
        this.policy = policy;
        this.router = router;
        this.counter = counter;
        this.forgetAfter = forgetAfter;
    }

    @Override
    public void init(ProcessorContext<String, Decision> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        context.schedule(PUNCTUATE_EVERY, PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }

    @Override
    public void process(Record<String, AlertEvent> record) {
        AlertEvent event = record.value();
        Instant at = Instant.ofEpochMilli(record.timestamp());
        AlertState state = store.get(record.key());
        if (state != null && at.isBefore(lastSeenAt(state))) {
            // Older than what we already have (the same alert in another group, another partition):
            // it must not turn a resolved alert back to firing.
            counter.accept(DedupReason.DUPLICATE);
            heldBack.merge(DedupReason.DUPLICATE, 1L, Long::sum);
            log.debug("{} {} ({}) is older than the last event seen; ignored", event.status(), event.alertname(), event.fingerprint());
            return;
        }
        boolean changed = state != null && !state.last().status().equals(event.status());

        if (state != null && state.flapping()) {
            AlertState next = new AlertState(event, state.lastPassedStatus(), state.lastPassedAt(),
                    changed ? state.withChange(at, at.minus(policy.flapWindow())).changes() : state.changes(), true);
            store.put(record.key(), next);
            emit(record, event, DedupReason.FLAPPING, true);
            return;
        }

        DedupReason reason = DedupDecider.decide(state == null ? null : state.lastPassedStatus(),
                state == null ? null : state.lastPassedAt(), event.status(), at, policy);
        List<Instant> changes = state == null ? List.of() : state.changes();
        if (changed) {
            changes = state.withChange(at, at.minus(policy.flapWindow())).changes();
        }
        boolean startsFlapping = policy.flappingEnabled() && changed && changes.size() >= policy.flapChanges();
        if (reason.passes()) {
            store.put(record.key(), new AlertState(event, event.status(), at, changes, startsFlapping));
        } else {
            store.put(record.key(), new AlertState(event, state.lastPassedStatus(), state.lastPassedAt(), changes, false));
        }
        emit(record, event, reason, startsFlapping);
    }

    private void emit(Record<String, AlertEvent> record, AlertEvent event, DedupReason reason, boolean flapping) {
        counter.accept(reason);
        if (!reason.passes()) {
            log.debug("{} {} ({}) held back: {}", event.status(), event.alertname(), event.fingerprint(), reason);
            heldBack.merge(reason, 1L, Long::sum);
            return;
        }
        RouteDecision route = router.route(event);
        log.info("{} {} ({}) passes: {}{} -> route {}", event.status(), event.alertname(), event.fingerprint(), reason,
                flapping ? ", now FLAPPING" : "", route.route());
        context.forward(record.withValue(new Decision(event, reason, flapping, false, route)));
    }

    /** Held-back events are not logged one by one at INFO (a busy Alertmanager repeats every group): one line a minute counts them. */
    private void summarizeHeldBack(long wallClockMillis) {
        if (lastSummaryMillis < 0) {
            lastSummaryMillis = wallClockMillis;
        }
        if (wallClockMillis - lastSummaryMillis < SUMMARY_EVERY.toMillis()) {
            return;
        }
        if (!heldBack.isEmpty()) {
            StringBuilder counts = new StringBuilder();
            heldBack.forEach((reason, n) -> counts.append(counts.length() == 0 ? "" : ", ").append(n).append(' ').append(reason));
            log.info("Held back in the last {} s: {} (LOG_LEVEL=DEBUG shows each)", (wallClockMillis - lastSummaryMillis) / 1000, counts);
            heldBack.clear();
        }
        lastSummaryMillis = wallClockMillis;
    }

    private static Instant lastSeenAt(AlertState state) {
        return state.last().receivedAt() != null ? state.last().receivedAt() : state.lastPassedAt();
    }

    /**
     * Releases alerts stable for the flap window; forgets resolved alerts once both windows have
     * passed (the flap window too, or a slow flapper would never be caught). Compares the wall
     * clock with record times (ingest's receive time): sound while the processor keeps up; after
     * an outage longer than the flap window a backlog can release a flapping alert early.
     */
    private void sweep(long wallClockMillis) {
        summarizeHeldBack(wallClockMillis);
        Instant now = Instant.ofEpochMilli(wallClockMillis);
        List<KeyValue<String, AlertState>> release = new ArrayList<>();
        List<String> forget = new ArrayList<>();
        try (KeyValueIterator<String, AlertState> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, AlertState> entry = all.next();
                AlertState s = entry.value;
                Instant lastChange = s.changes().isEmpty() ? s.lastPassedAt() : s.changes().get(s.changes().size() - 1);
                if (Duration.between(lastSeenAt(s), now).compareTo(forgetAfter) > 0) {
                    forget.add(entry.key); // Alertmanager stopped sending it long ago: it is not firing any more
                } else if (s.flapping() && Duration.between(lastChange, now).compareTo(policy.flapWindow()) >= 0) {
                    release.add(entry);
                } else if (!s.flapping() && AlertEvent.RESOLVED.equals(s.lastPassedStatus())
                        && AlertEvent.RESOLVED.equals(s.last().status())
                        && Duration.between(s.lastPassedAt(), now).compareTo(policy.window()) > 0
                        && Duration.between(lastChange, now).compareTo(policy.flapWindow()) > 0) {
                    forget.add(entry.key);
                }
            }
        }
        for (KeyValue<String, AlertState> entry : release) {
            AlertState s = entry.value;
            AlertEvent last = s.last();
            // Keep state times in record time, as process() compares them with record times.
            store.put(entry.key, new AlertState(last, last.status(), lastSeenAt(s), List.of(), false));
            RouteDecision route = router.route(last);
            log.info("{} {} ({}) stopped flapping; sending its current status -> route {}", last.status(), last.alertname(),
                    last.fingerprint(), route.route());
            context.forward(new Record<>(entry.key, new Decision(last, DedupReason.STATUS_CHANGED, false, true, route), wallClockMillis));
        }
        forget.forEach(store::delete);
    }
}
