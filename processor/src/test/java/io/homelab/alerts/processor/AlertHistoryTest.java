package io.homelab.alerts.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.processor.history.AlertHistory;
import io.homelab.alerts.processor.history.HistoryStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertHistoryTest {
    static final Instant T = Instant.parse("2026-11-25T22:00:00Z");

    static AlertEvent event(String status, String instance, Instant startsAt, Instant endsAt) {
        return new AlertEvent("fp-" + instance, status, Map.of("alertname", "HighCPU", "instance", instance), Map.of("summary", "s"),
                startsAt, endsAt, null, "r", null, 0, T, null);
    }

    @Test
    void counts_firings_time_firing_and_mean_time_to_resolve_and_ignores_repeats() {
        AlertHistory h = AlertHistory.next(null, event("firing", "a", T.minusSeconds(60), null), T);
        h = AlertHistory.next(h, event("firing", "a", T.minusSeconds(60), null), T.plusSeconds(30));            // repeat
        h = AlertHistory.next(h, event("resolved", "a", T.minusSeconds(60), T.plusSeconds(240)), T.plusSeconds(245));
        h = AlertHistory.next(h, event("firing", "a", T.plusSeconds(600), null), T.plusSeconds(600));
        h = AlertHistory.next(h, event("resolved", "a", T.plusSeconds(600), T.plusSeconds(700)), T.plusSeconds(700));

        assertThat(h.status()).isEqualTo("resolved");
        assertThat(h.timesFired()).isEqualTo(2);
        assertThat(h.resolvedCount()).isEqualTo(2);
        // 300 s (from Alertmanager's startsAt to endsAt) + 100 s
        assertThat(h.totalFiringMillis()).isEqualTo(Duration.ofSeconds(400).toMillis());
        assertThat(h.meanTimeToResolve()).isEqualTo(Duration.ofSeconds(200));
        assertThat(h.firstSeen()).isEqualTo(T);
        assertThat(h.lastSeen()).isEqualTo(T.plusSeconds(700));
        assertThat(h.transitions()).extracting(AlertHistory.Transition::status).containsExactly("firing", "resolved", "firing", "resolved");
        assertThat(io.homelab.alerts.common.json.Json.writeString(h)).contains("\"meanTimeToResolveSeconds\":200");
        assertThat(io.homelab.alerts.common.json.Json.read(io.homelab.alerts.common.json.Json.write(h), AlertHistory.class)).isEqualTo(h);
    }

    @Test
    void keeps_only_the_last_transitions() {
        AlertHistory h = null;
        for (int i = 0; i < 50; i++) {
            h = AlertHistory.next(h, event(i % 2 == 0 ? "firing" : "resolved", "a", T, null), T.plusSeconds(i));
        }
        assertThat(h.transitions()).hasSize(AlertHistory.KEEP_TRANSITIONS);
        assertThat(h.transitions().get(AlertHistory.KEEP_TRANSITIONS - 1).at()).isEqualTo(T.plusSeconds(49));
        assertThat(h.timesFired()).isEqualTo(25);
    }

    @Test
    void summarizes_per_alertname_over_a_range() {
        AlertHistory a = null;
        for (int i = 0; i < 6; i++) {
            a = AlertHistory.next(a, event(i % 2 == 0 ? "firing" : "resolved", "host-a", T.plusSeconds(60L * i), null), T.plusSeconds(60L * i));
        }
        AlertHistory b = AlertHistory.next(null, event("firing", "host-b", T, null), T.plusSeconds(10));
        HistoryStats.Summary s = HistoryStats.summarize(List.of(a, b), T, T.plus(Duration.ofHours(1)), 4, Duration.ofMinutes(10));

        assertThat(s.activeAlerts()).isEqualTo(1);
        HistoryStats.AlertnameStats cpu = s.alertnames().get(0);
        assertThat(cpu.alertname()).isEqualTo("HighCPU");
        assertThat(cpu.fired()).isEqualTo(4);
        assertThat(cpu.resolved()).isEqualTo(3);
        assertThat(cpu.meanTimeToResolveSeconds()).isEqualTo(60);
        assertThat(cpu.flappingAlerts()).isEqualTo(1);
        assertThat(cpu.firedPerDay()).containsExactly(Map.entry("2026-11-25", 4));
        assertThat(cpu.noisiestInstances()).containsExactly(new HistoryStats.InstanceCount("host-a", 3), new HistoryStats.InstanceCount("host-b", 1));
    }
}
