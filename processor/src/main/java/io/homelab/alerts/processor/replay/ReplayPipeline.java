package io.homelab.alerts.processor.replay;

import io.homelab.alerts.common.kafka.DeadLetterHeaders;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.model.RemediationRequest;
import io.homelab.alerts.processor.AlertTopology;
import io.homelab.alerts.processor.ProcessorConfig;
import io.homelab.alerts.processor.dedup.Decision;
import io.homelab.alerts.processor.dedup.DedupProcessor;
import io.homelab.alerts.processor.watchdog.WatchdogProcessor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The live processor's decisions, replayed: the topology's own processors ({@link AlertTopology.Explode},
 * {@link WatchdogProcessor}, {@link DedupProcessor}) and its own filters ({@link AlertTopology#notifies},
 * {@link AlertTopology#remediates}, {@link AlertTopology#isPriority}, re-exported here), fed raw webhook records in time
 * order, on state of its own in memory. It reads no topic and writes none, opens no store on disk and
 * joins no consumer group: what it decides is only told to the {@link Listener}.
 *
 * <p>Differences from live, by construction: the re-key's repartition topic is skipped (records of all
 * partitions are fed in time order, so each alert's events meet in one place, as the re-key makes them),
 * the alert history is not kept (the report needs only the decisions), and the sweeps that release
 * stable flapping alerts and forget old ones run on the replayed records' clock, every
 * {@code 10 s} of it, as they ran live while the processor kept up.
 */
public final class ReplayPipeline {
    /** Where a replayed alert event came from. */
    public record Origin(int partition, long offset, long timestamp) {}

    /** What the replay decided; every method may be left as it is. */
    public interface Listener {
        /** An alert event of a webhook and its dedup decision; {@code passed} is null when it was held back. */
        default void decided(Origin origin, AlertEvent event, DedupReason reason, Decision passed) {}

        /** A flapping alert released by the sweep (its current status goes out again). */
        default void released(Decision decision, long at) {}

        /** A Watchdog notice ("the pipeline is blind", then the all-clear), always on the priority lane. */
        default void watchdog(Notification notification, long at) {}

        /** A webhook record the live processor would have dead-lettered, and why. */
        default void unusable(Origin origin, String reason) {}
    }

    private final Listener listener;
    private final ReplayContext.ReplayClock clock = new ReplayContext.ReplayClock();
    private final AlertTopology.Explode explode;
    private final WatchdogProcessor watchdog;
    private final DedupProcessor dedup;
    private final ReplayContext<String, AlertTopology.Exploded> explodeContext;
    private final ReplayContext<String, Notification> watchdogContext;
    private final ReplayContext<String, Decision> dedupContext;
    private final String topic;
    private Origin origin;
    private DedupReason reason;
    private Decision passed;
    private boolean started;

    public ReplayPipeline(ProcessorConfig config, Listener listener) {
        this.listener = listener;
        this.topic = config.topics().webhooks().name();
        Map<String, StateStore> stores = Map.of(
                DedupProcessor.STORE, new MemoryStore<>(DedupProcessor.STORE),
                WatchdogProcessor.STORE, new MemoryStore<>(WatchdogProcessor.STORE));
        explode = new AlertTopology.Explode(topic, config.limits());
        explodeContext = new ReplayContext<>(stores, clock, this::exploded);
        explode.init(explodeContext);
        watchdog = new WatchdogProcessor(config.watchdog());
        watchdogContext = new ReplayContext<>(stores, clock,
                r -> listener.watchdog(r.value(), r.timestamp()));
        watchdog.init(watchdogContext);
        dedup = new DedupProcessor(config.dedup(), config.router(), r -> reason = r, config.historyRetention());
        dedupContext = new ReplayContext<>(stores, clock, this::decision);
        dedup.init(dedupContext);
    }

    /** One raw webhook record, as stored on the webhook topic. Records must come in time order. */
    public void accept(int partition, long offset, long timestamp, String key, byte[] value, Headers headers) {
        advanceTo(timestamp);
        origin = new Origin(partition, offset, timestamp);
        explodeContext.record(topic, partition, offset);
        explode.process(new Record<>(key, value, timestamp, headers));
        origin = null;
    }

    /** Lets the replayed clock run on to {@code until} (the end of the range): the sweeps due by then run. */
    public void finish(long until) {
        advanceTo(until);
    }

    private void advanceTo(long at) {
        if (!started) {
            started = true;
            clock.now = at;
            explodeContext.start(at);
            watchdogContext.start(at);
            dedupContext.start(at);
            return;
        }
        if (at <= clock.now) {
            return; // a record older than one already fed (another partition's clock): time does not go back
        }
        // Punctuations due before this record fire first, each at its own time, as the wall clock reached them live.
        while (true) {
            long next = Math.min(at, clock.now + 1_000);
            clock.now = next;
            watchdogContext.punctuateUntil(next);
            dedupContext.punctuateUntil(next);
            if (next == at) {
                return;
            }
        }
    }

    private void exploded(Record<String, AlertTopology.Exploded> record) {
        AlertTopology.Exploded exploded = record.value();
        if (exploded.event() == null) {
            Header why = record.headers().lastHeader(DeadLetterHeaders.REASON);
            listener.unusable(origin, why == null ? "unusable" : new String(why.value(), StandardCharsets.UTF_8));
            return;
        }
        Record<String, AlertEvent> event = new Record<>(record.key(), exploded.event(), record.timestamp());
        watchdogContext.record(topic, origin.partition(), origin.offset());
        watchdog.process(event);
        reason = null;
        passed = null;
        dedupContext.record(topic, origin.partition(), origin.offset());
        dedup.process(event);
        listener.decided(origin, exploded.event(), reason, passed);
    }

    private void decision(Record<String, Decision> record) {
        Decision d = record.value();
        if (origin == null || d.flapEnded()) {
            listener.released(d, record.timestamp());
        } else {
            passed = d;
        }
    }

    /** What the live topology does with a decision that passed: notified (and on which lane), handed to the remediator. */
    public static boolean notifies(Decision d) {
        return AlertTopology.notifies(d);
    }

    public static boolean priority(Decision d) {
        return AlertTopology.isPriority(d.event());
    }

    public static boolean remediates(Decision d) {
        return AlertTopology.remediates(d);
    }

    public static Notification notification(Decision d) {
        return AlertTopology.notification(d);
    }

    public static RemediationRequest remediationRequest(Decision d) {
        return AlertTopology.remediationRequest(d);
    }
}
