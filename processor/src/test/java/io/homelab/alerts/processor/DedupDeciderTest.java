package io.homelab.alerts.processor;

import static io.homelab.alerts.common.model.DedupReason.DUPLICATE;
import static io.homelab.alerts.common.model.DedupReason.FIRST;
import static io.homelab.alerts.common.model.DedupReason.REMINDER;
import static io.homelab.alerts.common.model.DedupReason.STATUS_CHANGED;
import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.processor.dedup.DedupDecider;
import io.homelab.alerts.processor.dedup.DedupPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DedupDeciderTest {
    static final Instant T = Instant.parse("2026-11-25T22:00:00Z");
    static final Duration W = DedupPolicy.DEFAULT_WINDOW;
    static final DedupPolicy REMIND = new DedupPolicy(W, true, 0, Duration.ofMinutes(10));
    static final DedupPolicy SILENT = new DedupPolicy(W, false, 0, Duration.ofMinutes(10));

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("never seen", null, "firing", T, REMIND, FIRST),
                Arguments.of("never seen, resolved", null, "resolved", T, REMIND, FIRST),
                Arguments.of("same status inside the window", "firing", "firing", T.plusSeconds(10), REMIND, DUPLICATE),
                Arguments.of("same status at the window's last millisecond", "firing", "firing", T.plus(W), REMIND, DUPLICATE),
                Arguments.of("still firing one ms after the window", "firing", "firing", T.plus(W).plusMillis(1), REMIND, REMINDER),
                Arguments.of("still firing after the window, reminders off", "firing", "firing", T.plus(W).plusMillis(1), SILENT, DUPLICATE),
                Arguments.of("resolved inside the window", "firing", "resolved", T.plusSeconds(1), REMIND, STATUS_CHANGED),
                Arguments.of("firing again inside the window", "resolved", "firing", T.plusSeconds(1), REMIND, STATUS_CHANGED),
                Arguments.of("resolved after the window", "firing", "resolved", T.plus(W).plusSeconds(60), REMIND, STATUS_CHANGED),
                Arguments.of("a second resolved after the window", "resolved", "resolved", T.plus(W).plusMillis(1), REMIND, DUPLICATE));
    }

    @ParameterizedTest(name = "{0} -> {5}")
    @MethodSource("cases")
    void decides_with_a_named_reason(String name, String lastStatus, String status, Instant at, DedupPolicy policy, DedupReason expected) {
        assertThat(DedupDecider.decide(lastStatus, lastStatus == null ? null : T, status, at, policy)).isEqualTo(expected);
    }
}
