package io.homelab.alerts.app.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void off_when_stderr_is_not_a_terminal_so_nothing_is_printed() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes), false);
        p.total(100);
        p.alerts(10);
        p.advance(50);
        p.finish();
        assertThat(bytes.size()).isZero();
        // Under Maven, stderr is a pipe, not a terminal.
        assertThat(Progress.stderrIsTerminal()).isFalse();
    }

    @Test
    void on_it_shows_the_share_done_the_rate_and_the_time_left_then_clears_its_line() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        p.total(200);
        p.alerts(1234);
        Thread.sleep(250);
        p.advance(50);
        p.finish();
        String shown = bytes.toString(StandardCharsets.UTF_8);
        assertThat(shown).startsWith("\r[########----------------------]  25%  1,234 alerts  ").contains(" alerts/s  ETA 0m0")
                .endsWith("\r\033[K");
        assertThat(Progress.formatSeconds(3725)).isEqualTo("1h02m");
    }

    @Test
    void times_on_the_command_line() {
        Instant now = Instant.parse("2026-12-03T12:00:00Z");
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        assertThat(TimeSpec.parse("now", now, berlin)).isEqualTo(now);
        assertThat(TimeSpec.parse("-7d", now, berlin)).isEqualTo(Instant.parse("2026-11-26T12:00:00Z"));
        assertThat(TimeSpec.parse("-24h", now, berlin)).isEqualTo(Instant.parse("2026-12-02T12:00:00Z"));
        assertThat(TimeSpec.parse("-2w", now, berlin)).isEqualTo(Instant.parse("2026-11-19T12:00:00Z"));
        assertThat(TimeSpec.parse("2026-11-24T10:00:00Z", now, berlin)).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
        assertThat(TimeSpec.parse("2026-11-24T10:00+01:00", now, berlin)).isEqualTo(Instant.parse("2026-11-24T09:00:00Z"));
        assertThat(TimeSpec.parse("2026-11-24T10:00", now, berlin)).as("local time in ALERT_TIME_ZONE").isEqualTo(Instant.parse("2026-11-24T09:00:00Z"));
        assertThat(TimeSpec.parse("2026-11-24", now, berlin)).isEqualTo(Instant.parse("2026-11-23T23:00:00Z"));
        for (String bad : new String[] {"", "7d", "-7y", "yesterday", "2026-13-01", "-99999999999d"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TimeSpec.parse(bad, now, berlin))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a time: use now, -7d");
        }
    }

    @Test
    void csv_fields_are_quoted_and_formulas_defused() {
        assertThat(Csv.row("a", "b,c", "say \"hi\"", "line\nbreak", null, "-12", "=HYPERLINK(\"x\")", "@cmd"))
                .isEqualTo("a,\"b,c\",\"say \"\"hi\"\"\",\"line\nbreak\",,-12,\"'=HYPERLINK(\"\"x\"\")\",'@cmd");
    }
}
