package io.homelab.alerts.notifier.delivery;

import java.time.Duration;

/**
 * The longest we wait because a server said so (Telegram's {@code retry_after}, a webhook's
 * {@code Retry-After}). A larger value is waited only up to this, then we try again (and wait again
 * if told to): no server can make a message wait forever, or overflow a clock.
 */
public final class ServerWait {
    public static final Duration MAX = Duration.ofMinutes(5);

    private ServerWait() {}

    /** {@code requested} (never negative), at most {@link #MAX}. */
    public static Duration capped(Duration requested) {
        if (requested.isNegative()) {
            return Duration.ZERO;
        }
        return requested.compareTo(MAX) > 0 ? MAX : requested;
    }

    /** {@code seconds} as a wait, at most {@link #MAX}, whatever its size. */
    public static Duration cappedSeconds(long seconds) {
        return seconds >= MAX.toSeconds() ? MAX : Duration.ofSeconds(Math.max(0, seconds));
    }
}
