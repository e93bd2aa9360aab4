package io.homelab.alerts.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.notifier.format.MessageFormatter;
import io.homelab.alerts.notifier.format.MessageSplitter;
import java.util.List;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageFormatterTest {
    static final Instant STARTS = Instant.parse("2026-11-25T21:59:50Z");
    final MessageFormatter formatter = new MessageFormatter(ZoneId.of("Europe/Berlin"));

    static AlertEvent alert(String status, Map<String, String> labels, Map<String, String> annotations, Instant endsAt, String source) {
        return new AlertEvent("bfcfce9889d1664b", status, labels, annotations, STARTS, endsAt, source, "homelab-telegram", null, 0,
                STARTS.plusSeconds(1), null);
    }

    @Test
    void formats_a_firing_alert_in_the_old_layout_with_its_own_start_time_in_the_configured_zone() {
        String text = formatter.format(alert("firing",
                Map.of("alertname", "HighCPU", "instance", "192.168.1.101:9100", "severity", "warning"),
                Map.of("summary", "High CPU usage on 192.168.1.101:9100", "description", "CPU usage is 93.2%"),
                null, "http://prometheus:9090/graph?g0.expr=up&g0.tab=1"));
        assertThat(text).isEqualTo("""
                🟡 <b>Prometheus Alert</b>

                <b>Alert:</b> HighCPU
                <b>Severity:</b> WARNING
                <b>Instance:</b> 192.168.1.101:9100
                <b>Summary:</b> High CPU usage on 192.168.1.101:9100
                <b>Description:</b> CPU usage is 93.2%
                <b>Time:</b> 2026-11-25 22:59:50 CET
                <a href="http://prometheus:9090/graph?g0.expr=up&amp;g0.tab=1">Source</a>""");
    }

    @Test
    void formats_a_resolved_alert_with_how_long_it_fired() {
        String text = formatter.format(alert("resolved",
                Map.of("alertname", "HighCPU", "instance", "192.168.1.101:9100", "severity", "warning"),
                Map.of("summary", "High CPU usage"), STARTS.plusSeconds(3 * 3600 + 125), null));
        assertThat(text).isEqualTo("""
                ✅ <b>Alert Resolved</b>

                <b>Alert:</b> HighCPU
                <b>Instance:</b> 192.168.1.101:9100
                <b>Summary:</b> High CPU usage
                <b>Resolved:</b> 2026-11-26 02:01:55 CET
                <b>Duration:</b> 3h 2m""");
    }

    @Test
    void escapes_html_hostile_values_and_picks_the_severity_emoji() {
        String text = formatter.format(alert("firing",
                Map.of("alertname", "Disk<Full>", "severity", "critical", "instance", "a&b"),
                Map.of("summary", "usage > 90% & <b>rising</b>"), null, "javascript:alert(1)"));
        assertThat(text).startsWith("🔴 <b>Prometheus Alert</b>")
                .contains("<b>Alert:</b> Disk&lt;Full&gt;")
                .contains("<b>Instance:</b> a&amp;b")
                .contains("<b>Summary:</b> usage &gt; 90% &amp; &lt;b&gt;rising&lt;/b&gt;")
                .doesNotContain("javascript");
        assertThat(formatter.format(alert("firing", Map.of("alertname", "X", "severity", "info"), Map.of(), null, null)))
                .startsWith("🔵 ").doesNotContain("Description").doesNotContain("Source");
    }

    @Test
    void caps_huge_values_and_the_splitter_keeps_every_part_within_telegrams_4096_characters() {
        String huge = "<x>&".repeat(300_000);
        String text = formatter.format(alert("firing", Map.of("alertname", huge, "severity", "critical", "instance", huge),
                Map.of("summary", huge, "description", huge), null, "http://x/" + "a".repeat(5000)));
        assertThat(text).contains("<b>Description:</b> &lt;x&gt;&amp;").contains("…").doesNotContain("Source");
        List<String> parts = new MessageSplitter(MessageSplitter.TELEGRAM_LIMIT).split(text);
        assertThat(parts).hasSizeBetween(4, 6).allSatisfy(p -> assertThat(MessageSplitter.plainLength(p)).isLessThanOrEqualTo(4096));
    }
}
