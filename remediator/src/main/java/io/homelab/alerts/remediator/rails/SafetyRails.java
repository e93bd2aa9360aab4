package io.homelab.alerts.remediator.rails;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What keeps automatic fixes from making things worse: one action in flight per target; a
 * cooldown after each fix of a target; an hourly cap per target (a fix that did not fix counts
 * again); and a circuit breaker that stops every automatic action when several targets fail within
 * a short time, because then the homelab itself is in trouble. Past a rail, an automatic fix turns
 * into an approval request that says why. State is rebuilt from {@code remediation.results}.
 * Pure: times are passed in.
 */
public final class SafetyRails {
    public record Settings(Duration cooldown, int hourlyCap, int breakerFailures, Duration breakerWindow) {
    }

    private record Failure(String target, Instant at) {
    }

    private final Settings settings;
    private final Set<String> inFlight = new HashSet<>();
    /** Targets whose action was given up on at its timeout but has not returned yet: still busy. */
    private final Set<String> abandoned = new HashSet<>();
    private final Map<String, Instant> lastStart = new HashMap<>();
    private final Map<String, Deque<Instant>> counted = new HashMap<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    private boolean breakerAnnounced;

    public SafetyRails(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    public boolean inFlight(String target) {
        return inFlight.contains(target) || abandoned.contains(target);
    }

    /** An action on {@code target} started (counts towards the cooldown and the cap). */
    public void started(String target, Instant at, boolean counts) {
        inFlight.add(target);
        if (counts) {
            lastStart.merge(target, at, (a, b) -> a.isAfter(b) ? a : b);
            counted.computeIfAbsent(target, t -> new ArrayDeque<>()).add(at);
        }
    }

    /** It ended; a failure counts towards the breaker. */
    /** The action on target passed its timeout and was reported failed, but may still be working: nothing else starts on it. */
    public void abandoned(String target) {
        abandoned.add(target);
    }

    /** The abandoned action on target has returned at last. */
    public void returned(String target) {
        abandoned.remove(target);
    }

    public void finished(String target, boolean ok, Instant at) {
        inFlight.remove(target);
        if (!ok) {
            failures.add(new Failure(target, at));
        }
    }

    /** It ran but the alert still fires: counted once more against the cap, and as a failure. */
    public void notFixed(String target, Instant at) {
        counted.computeIfAbsent(target, t -> new ArrayDeque<>()).add(at);
        failures.add(new Failure(target, at));
    }

    /**
     * Why an automatic fix of {@code target} must ask a person instead; empty: it may run.
     *
     * @param cooldown the runbook's own, or null for the default
     * @param cap the runbook's own, or null for the default
     */
    public Optional<String> blockAutomatic(String target, Duration cooldown, Integer cap, Instant now) {
        Optional<String> breaker = breaker(now);
        if (breaker.isPresent()) {
            return breaker;
        }
        Duration cool = cooldown == null ? settings.cooldown() : cooldown;
        Instant last = lastStart.get(target);
        if (last != null && now.isBefore(last.plus(cool))) {
            return Optional.of("the last fix of " + target + " ran " + ago(Duration.between(last, now)) + " ago, within its cooldown of "
                    + minutes(cool) + " (REMEDIATION_COOLDOWN)");
        }
        int limit = cap == null ? settings.hourlyCap() : cap;
        Deque<Instant> times = counted.getOrDefault(target, new ArrayDeque<>());
        times.removeIf(t -> t.isBefore(now.minus(Duration.ofHours(1))));
        if (times.size() >= limit) {
            return Optional.of(target + " was already fixed " + times.size() + " time(s) in the last hour, its cap is " + limit
                    + " (REMEDIATION_HOURLY_CAP)");
        }
        return Optional.empty();
    }

    /** Why the breaker is open, said in full the first time after it opens; empty when closed. */
    public Optional<String> breaker(Instant now) {
        for (Iterator<Failure> it = failures.iterator(); it.hasNext();) {
            if (it.next().at().isBefore(now.minus(settings.breakerWindow()))) {
                it.remove();
            }
        }
        Set<String> targets = new LinkedHashSet<>();
        failures.forEach(f -> targets.add(f.target()));
        if (settings.breakerFailures() <= 0 || targets.size() < settings.breakerFailures()) {
            breakerAnnounced = false;
            return Optional.empty();
        }
        if (!breakerAnnounced) {
            breakerAnnounced = true;
            return Optional.of("🛑 automatic fixes are stopped: " + targets.size() + " targets failed within " + minutes(settings.breakerWindow())
                    + " (" + String.join(", ", targets) + "), so the homelab itself may be in trouble. Every fix asks first until "
                    + minutes(settings.breakerWindow()) + " pass without a failure (REMEDIATION_BREAKER_FAILURES, REMEDIATION_BREAKER_WINDOW)");
        }
        return Optional.of("automatic fixes are stopped by the circuit breaker (several targets failed recently)");
    }

    static String minutes(Duration d) {
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }

    static String ago(Duration d) {
        return d.toSeconds() < 120 ? d.toSeconds() + " s" : d.toMinutes() + " min";
    }
}
