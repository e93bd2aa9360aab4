package io.homelab.alerts.processor.history;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.homelab.alerts.common.model.AlertEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One alert's history: what it is, where it stands, and how it behaved. Kept per fingerprint in
 * a state store and published to the compacted {@code alerts.state} topic.
 *
 * @param firingSince start of the current firing period; null while resolved
 * @param timesFired how many times it started firing
 * @param totalFiringMillis time spent firing in finished periods
 * @param resolvedCount finished firing periods (for the mean time to resolve)
 * @param transitions the last {@value #KEEP_TRANSITIONS} status changes, oldest first
 * @param dropped a {@code drop: true} route matched its latest event: the chats never see it, so
 *     {@code /api/alerts} and the bot leave it out (the history keeps it, for the record)
 */
public record AlertHistory(String fingerprint, Map<String, String> labels, Map<String, String> annotations, String status,
        Instant firstSeen, Instant lastChange, Instant lastSeen, Instant firingSince, int timesFired, long totalFiringMillis,
        int resolvedCount, List<Transition> transitions, boolean dropped) {

    public static final int KEEP_TRANSITIONS = 20;

    /** A status change and when it happened. */
    public record Transition(String status, Instant at) {}

    public AlertHistory {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        transitions = transitions == null ? List.of() : List.copyOf(transitions);
    }

    public String alertname() {
        return labels.getOrDefault("alertname", "");
    }

    public String instance() {
        return labels.getOrDefault("instance", "");
    }

    /** Mean time from firing to resolved over finished periods; null before the first resolution. */
    public Duration meanTimeToResolve() {
        return resolvedCount == 0 ? null : Duration.ofMillis(totalFiringMillis / resolvedCount);
    }

    /** {@link #meanTimeToResolve()} in seconds, as the API and the state topic show it. */
    @JsonProperty(value = "meanTimeToResolveSeconds", access = JsonProperty.Access.READ_ONLY)
    public Long meanTimeToResolveSeconds() {
        Duration mttr = meanTimeToResolve();
        return mttr == null ? null : mttr.toSeconds();
    }

    /** The same history, marked dropped or not. */
    public AlertHistory withDropped(boolean isDropped) {
        return isDropped == dropped ? this : new AlertHistory(fingerprint, labels, annotations, status, firstSeen, lastChange, lastSeen,
                firingSince, timesFired, totalFiringMillis, resolvedCount, transitions, isDropped);
    }

    /** The history after {@code event} (seen at {@code at}); {@code previous} null for a new alert. */
    public static AlertHistory next(AlertHistory previous, AlertEvent event, Instant at) {
        if (previous != null && at.isBefore(previous.lastSeen())) {
            return previous; // older than what we have (another group's copy): it must not rewrite the status
        }
        boolean firing = event.isFiring();
        if (previous == null) {
            // Alertmanager's own start time tells when it began firing, if we learn of it late.
            Instant since = firing ? (event.startsAt() != null ? event.startsAt() : at) : null;
            return new AlertHistory(event.fingerprint(), event.labels(), event.annotations(), event.status(), at, at, at, since,
                    firing ? 1 : 0, 0, 0, List.of(new Transition(event.status(), at)), false);
        }
        if (previous.status().equals(event.status())) {
            return new AlertHistory(previous.fingerprint(), event.labels(), event.annotations(), previous.status(),
                    previous.firstSeen(), previous.lastChange(), at, previous.firingSince(), previous.timesFired(),
                    previous.totalFiringMillis(), previous.resolvedCount(), previous.transitions(), previous.dropped());
        }
        List<Transition> transitions = new ArrayList<>(previous.transitions());
        transitions.add(new Transition(event.status(), at));
        if (transitions.size() > KEEP_TRANSITIONS) {
            transitions = transitions.subList(transitions.size() - KEEP_TRANSITIONS, transitions.size());
        }
        if (firing) {
            return new AlertHistory(previous.fingerprint(), event.labels(), event.annotations(), event.status(), previous.firstSeen(),
                    at, at, at, previous.timesFired() + 1, previous.totalFiringMillis(), previous.resolvedCount(), transitions,
                    previous.dropped());
        }
        Instant end = event.endsAt() != null ? event.endsAt() : at;
        long period = previous.firingSince() == null ? 0 : Math.max(0, Duration.between(previous.firingSince(), end).toMillis());
        return new AlertHistory(previous.fingerprint(), event.labels(), event.annotations(), event.status(), previous.firstSeen(),
                at, at, null, previous.timesFired(), previous.totalFiringMillis() + period, previous.resolvedCount() + 1, transitions,
                previous.dropped());
    }
}
