package io.homelab.alerts.notifier.channel.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.notifier.delivery.ServerWait;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Retry-After as servers send it, hostile ones included: never more than the cap, never an overflow. */
class RetryAfterTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @ParameterizedTest(name = "Retry-After: {0} -> {1} s")
    @CsvSource(delimiter = '|', value = {
            "3 | 3",
            "0 | 0",
            "300 | 300",
            "301 | 300",
            "10000000000 | 300",
            "99999999999999999999999999 | 300",
            "'Tue, 01 Dec 2026 12:00:30 GMT' | 30",
            "'Fri, 31 Dec 9999 23:59:59 GMT' | 300",
            "'Mon, 01 Jan 2001 00:00:00 GMT' | 0"})
    void is_read_as_seconds_or_a_date_and_capped(String header, long seconds) {
        assertThat(WebhookChannel.retryAfter(header, NOW)).contains(Duration.ofSeconds(seconds));
        assertThat(ServerWait.MAX).isEqualTo(Duration.ofSeconds(300));
    }

    @ParameterizedTest(name = "Retry-After: ''{0}'' -> backoff")
    @CsvSource(delimiter = '|', value = {"-5", "soon", "1.5", "''"})
    void unreadable_values_fall_back_to_backoff(String header) {
        assertThat(WebhookChannel.retryAfter(header, NOW)).isEqualTo(Optional.empty());
    }
}
