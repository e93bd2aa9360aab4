package io.homelab.alerts.notifier;

import io.homelab.alerts.common.testing.TestClock;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.notifier.delivery.RateLimiter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    /** A clock the test moves. */
    final TestClock clock = new TestClock();
    final RateLimiter limiter = new RateLimiter(clock);

    @Test
    void one_message_a_second_per_chat() {
        assertThat(limiter.delayFor("42")).isZero();
        limiter.sent("42");
        assertThat(limiter.delayFor("42")).isEqualTo(Duration.ofSeconds(1));
        assertThat(limiter.delayFor("43")).as("another chat").isZero();
        clock.now = clock.now.plusMillis(400);
        assertThat(limiter.delayFor("42")).isEqualTo(Duration.ofMillis(600));
    }

    @Test
    void twenty_a_minute_per_group() {
        for (int i = 0; i < 20; i++) {
            limiter.sent("-100123");
            clock.now = clock.now.plusSeconds(1);
        }
        // 20 sent from t=0 to t=19 s; the 21st waits until t=60 s.
        assertThat(limiter.delayFor("-100123")).isEqualTo(Duration.ofSeconds(40));
        assertThat(limiter.delayFor("777")).as("a private chat is not a group").isZero();
    }

    @Test
    void thirty_a_second_overall() {
        for (int i = 0; i < 30; i++) {
            limiter.sent("chat" + i);
        }
        clock.now = clock.now.plusMillis(100);
        assertThat(limiter.delayFor("another")).isEqualTo(Duration.ofMillis(900));
    }
}
