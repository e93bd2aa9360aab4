package io.homelab.alerts.processor.watchdog;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.Fingerprint;
import io.homelab.alerts.common.model.Notification;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * The dead man's switch: Alertmanager's always-firing Watchdog alert proves that Prometheus,
 * Alertmanager and this pipeline all work. Once one has been seen, its silence for longer than
 * the limit is said once ("alerting pipeline is blind"), and its return once (the all-clear).
 * Each Watchdog (one per Prometheus, by fingerprint) is followed on its own. The state is a
 * changelogged store, so a restart neither forgets a silence nor says it twice; it is checked
 * on wall-clock time, as the point is to notice when nothing arrives at all.
 */
public final class WatchdogProcessor implements Processor<String, AlertEvent, String, Notification> {
    private static final Logger log = LoggerFactory.getLogger(WatchdogProcessor.class);
    public static final String STORE = "watchdog";
    /** The alert name of the notifications this sends. */
    public static final String BLIND = "AlertingPipelineBlind";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z");

    /**
     * What is known of one Watchdog.
     *
     * @param blindSince when its silence was announced; null while it arrives
     */
    public record State(Map<String, String> labels, Instant lastSeen, Instant blindSince) {
    }

    private final WatchdogSettings settings;
    private ProcessorContext<String, Notification> context;
    private KeyValueStore<String, State> store;

    public WatchdogProcessor(WatchdogSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, Notification> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        Duration every = settings.silence().dividedBy(10);
        every = every.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : every.compareTo(Duration.ofSeconds(30)) > 0
                ? Duration.ofSeconds(30) : every;
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, now -> check(Instant.ofEpochMilli(now)));
    }

    @Override
    public void process(Record<String, AlertEvent> record) {
        AlertEvent event = record.value();
        if (event == null || !settings.alertname().equals(event.alertname()) || !event.isFiring()) {
            return;
        }
        Instant seen = event.receivedAt() != null ? event.receivedAt() : Instant.ofEpochMilli(record.timestamp());
        State before = store.get(record.key());
        if (before != null && before.lastSeen() != null && before.lastSeen().isAfter(seen)) {
            seen = before.lastSeen();
        }
        if (before != null && before.blindSince() != null) {
            log.info("Watchdog {} arrives again after {}: all clear", record.key(), before.lastSeen());
            context.forward(new Record<>(record.key(), notification(before, AlertEvent.RESOLVED, seen), record.timestamp()));
        } else if (before == null) {
            log.info("Watchdog {} seen: its silence for {} s will be reported", record.key(), settings.silence().toSeconds());
        }
        store.put(record.key(), new State(event.labels(), seen, null));
    }

    private void check(Instant now) {
        List<KeyValue<String, State>> blind = new ArrayList<>();
        try (KeyValueIterator<String, State> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, State> kv = all.next();
                State s = kv.value;
                if (s != null && s.blindSince() == null && s.lastSeen() != null && Duration.between(s.lastSeen(), now).compareTo(settings.silence()) > 0) {
                    blind.add(kv);
                }
            }
        }
        for (KeyValue<String, State> kv : blind) {
            log.warn("No Watchdog {} since {}: the alerting pipeline is blind", kv.key, kv.value.lastSeen());
            State announced = new State(kv.value.labels(), kv.value.lastSeen(), now);
            store.put(kv.key, announced);
            context.forward(new Record<>(kv.key, notification(announced, AlertEvent.FIRING, now), now.toEpochMilli()));
        }
    }

    private Notification notification(State s, String status, Instant at) {
        Map<String, String> labels = new LinkedHashMap<>();
        s.labels().forEach((k, v) -> {
            if (!k.equals("alertname") && !k.equals("severity")) {
                labels.put(k, v);
            }
        });
        labels.put("alertname", BLIND);
        labels.put("severity", "critical");
        labels.put("watchdog", settings.alertname());
        String since = TIME.withZone(settings.zone()).format(s.lastSeen());
        boolean firing = status.equals(AlertEvent.FIRING);
        Map<String, String> annotations = Map.of("summary", firing
                ? "⚠️ alerting pipeline is blind: no " + settings.alertname() + " since " + since
                : "✅ alerting pipeline works again: " + settings.alertname() + " arrives again (silent since " + since + ")",
                "description", firing
                        ? "Alertmanager's always-firing " + settings.alertname() + " alert has not arrived for more than "
                                + settings.silence().toMinutes() + " min: Prometheus, Alertmanager or the webhook to homelab-alerts is down,"
                                + " so no other alert can arrive either."
                        : "Alerts reach homelab-alerts again.");
        AlertEvent event = new AlertEvent(Fingerprint.of(labels), status, labels, annotations, s.blindSince() != null ? s.blindSince() : at,
                firing ? null : at, null, "homelab-alerts", null, 0, at, null);
        return new Notification(event, firing ? DedupReason.FIRST : DedupReason.STATUS_CHANGED, false, List.of(), "watchdog");
    }
}
