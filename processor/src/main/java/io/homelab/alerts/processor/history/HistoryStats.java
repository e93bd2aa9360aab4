package io.homelab.alerts.processor.history;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Per-alertname statistics over a time range, computed from alert histories (a pure function). */
public final class HistoryStats {
    /** One alertname's figures. */
    public record AlertnameStats(String alertname, int fired, int resolved, Long meanTimeToResolveSeconds, int flappingAlerts,
            Map<String, Integer> firedPerDay, List<InstanceCount> noisiestInstances) {}

    /** How often one instance fired. */
    public record InstanceCount(String instance, int fired) {}

    /** The summary for [from, to]. */
    public record Summary(Instant from, Instant to, int activeAlerts, List<AlertnameStats> alertnames) {}

    private HistoryStats() {}

    /** Whether {@code n} of the (time-ordered) changes fall within one {@code window}. */
    static boolean flapped(List<Instant> changes, int n, Duration window) {
        if (n <= 0) {
            return false;
        }
        for (int i = 0; i + n - 1 < changes.size(); i++) {
            if (Duration.between(changes.get(i), changes.get(i + n - 1)).compareTo(window) <= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Counts come from each alert's last {@value AlertHistory#KEEP_TRANSITIONS} transitions, so a
     * very noisy alert is undercounted over a long range.
     *
     * @param flapChanges status changes within {@code flapWindow} that count an alert as flapping (0: none do)
     */
    public static Summary summarize(Collection<AlertHistory> histories, Instant from, Instant to, int flapChanges,
            Duration flapWindow) {
        Map<String, List<AlertHistory>> byName = new TreeMap<>();
        int active = 0;
        for (AlertHistory h : histories) {
            byName.computeIfAbsent(h.alertname(), k -> new ArrayList<>()).add(h);
            if ("firing".equals(h.status())) {
                active++;
            }
        }
        List<AlertnameStats> out = new ArrayList<>();
        for (Map.Entry<String, List<AlertHistory>> e : byName.entrySet()) {
            int fired = 0;
            int resolved = 0;
            long resolveMillis = 0;
            int flapping = 0;
            Map<String, Integer> perDay = new TreeMap<>();
            Map<String, Integer> perInstance = new LinkedHashMap<>();
            for (AlertHistory h : e.getValue()) {
                List<Instant> changesInRange = new ArrayList<>();
                AlertHistory.Transition previous = null;
                for (AlertHistory.Transition t : h.transitions()) {
                    boolean inRange = !t.at().isBefore(from) && !t.at().isAfter(to);
                    if (inRange) {
                        if (previous != null) {
                            changesInRange.add(t.at());
                        }
                        if ("firing".equals(t.status())) {
                            fired++;
                            perDay.merge(t.at().atZone(ZoneOffset.UTC).toLocalDate().toString(), 1, Integer::sum);
                            perInstance.merge(h.instance(), 1, Integer::sum);
                        } else if (previous != null && "firing".equals(previous.status())) {
                            resolved++;
                            resolveMillis += Duration.between(previous.at(), t.at()).toMillis();
                        }
                    }
                    previous = t;
                }
                if (flapped(changesInRange, flapChanges, flapWindow)) {
                    flapping++;
                }
            }
            List<InstanceCount> noisiest = perInstance.entrySet().stream()
                    .map(i -> new InstanceCount(i.getKey(), i.getValue()))
                    .sorted(Comparator.comparingInt(InstanceCount::fired).reversed().thenComparing(InstanceCount::instance))
                    .limit(5).toList();
            out.add(new AlertnameStats(e.getKey(), fired, resolved, resolved == 0 ? null : resolveMillis / resolved / 1000, flapping,
                    perDay, noisiest));
        }
        return new Summary(from, to, active, out);
    }
}
