package io.homelab.alerts.common.logging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Lets at most {@code perWindow} lines through per window, so a flood of bad requests cannot flood
 * the log; what it held back is counted and said in one line when the next window opens.
 */
public final class LogLimiter {
    private final int perWindow;
    private final Duration window;
    private final Clock clock;
    private Instant windowStart;
    private int passed;
    private long suppressed;

    public LogLimiter(int perWindow, Duration window, Clock clock) {
        this.perWindow = perWindow;
        this.window = window;
        this.clock = clock;
        this.windowStart = clock.instant();
    }

    /** What to log now. */
    public sealed interface Verdict {
        /** Log the line; {@code suppressedBefore} lines were held back in the window before (0: none). */
        record Log(long suppressedBefore) implements Verdict {}

        /** Do not log it (counted). */
        record Suppress() implements Verdict {}
    }

    public synchronized Verdict next() {
        Instant now = clock.instant();
        long before = 0;
        if (!now.isBefore(windowStart.plus(window))) {
            before = suppressed;
            windowStart = now;
            passed = 0;
            suppressed = 0;
        }
        if (passed < perWindow) {
            passed++;
            return new Verdict.Log(before);
        }
        suppressed++;
        return new Verdict.Suppress();
    }
}
