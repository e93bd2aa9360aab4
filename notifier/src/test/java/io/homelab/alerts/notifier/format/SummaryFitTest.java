package io.homelab.alerts.notifier.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.Notification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A summary is always one message: every alert it covers is done when Telegram takes that one message. */
class SummaryFitTest {
    @Test
    void a_summary_over_a_shrunk_budget_is_cut_to_one_message_ending_with_the_alerts_hint() {
        List<Notification> alerts = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            Map<String, String> labels = Map.of("alertname", "NodeDown", "instance", "🖥 host-" + i + ":9100", "severity", i % 3 == 0 ? "critical" : "warning");
            alerts.add(new Notification(new AlertEvent("fp" + i, "firing", labels, Map.of("summary", "down"), Instant.EPOCH, null, null, "r", null, 0,
                    Instant.EPOCH, null), DedupReason.FIRST, false, List.of(), "default"));
        }
        String full = PackedMessage.summary(alerts);
        assertThat(PackedMessage.fitted(full, MessageSplitter.TELEGRAM_LIMIT)).as("its sections are capped: fits Telegram's limit").isEqualTo(full);
        // After a too-long refusal the chat's budget is smaller than the summary.
        assertThat(MessageSplitter.plainLength(full)).isGreaterThan(512);
        for (int budget : new int[] {512, 400}) {
            String fitted = PackedMessage.fitted(full, budget);
            assertThat(MessageSplitter.plainLength(fitted)).isLessThanOrEqualTo(budget);
            assertThat(new MessageSplitter(budget).split(fitted)).hasSize(1);
            assertThat(fitted).startsWith("🌩 <b>3000 alerts</b> (3000 firing, 0 resolved)").endsWith("…\n\n/alerts shows every alert firing now.");
            assertThat(fitted.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b)).isPresent();
            String[] lines = fitted.split("\n");
            assertThat(lines[lines.length - 4]).as("no heading left alone before the cut").doesNotEndWith(":</b>");
        }
        String small = PackedMessage.summary(alerts.subList(0, 30));
        assertThat(PackedMessage.fitted(small, MessageSplitter.TELEGRAM_LIMIT)).isEqualTo(small);
    }
}
