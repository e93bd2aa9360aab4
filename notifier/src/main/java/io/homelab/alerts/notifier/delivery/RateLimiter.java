package io.homelab.alerts.notifier.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Telegram's published limits, kept on our side so we rarely meet a 429: about one message a
 * second per chat, 20 a minute per group (negative chat ids), 30 a second in all.
 */
public final class RateLimiter {
    static final Duration PER_CHAT = Duration.ofSeconds(1);
    static final int GROUP_PER_MINUTE = 20;
    static final int OVERALL_PER_SECOND = 30;

    private final Clock clock;
    private final Map<String, Deque<Instant>> sentByChat = new HashMap<>();
    private final Deque<Instant> sentOverall = new ArrayDeque<>();

    public RateLimiter(Clock clock) {
        this.clock = clock;
    }

    /** How long to wait before a message to {@code chatId} keeps within every limit (zero: send now). */
    public synchronized Duration delayFor(String chatId) {
        Instant now = clock.instant();
        Instant earliest = now;
        Deque<Instant> chat = sentByChat.getOrDefault(chatId, new ArrayDeque<>());
        if (!chat.isEmpty()) {
            earliest = max(earliest, chat.peekLast().plus(PER_CHAT));
        }
        if (isGroup(chatId) && chat.size() >= GROUP_PER_MINUTE) {
            earliest = max(earliest, nthLast(chat, GROUP_PER_MINUTE).plus(Duration.ofMinutes(1)));
        }
        if (sentOverall.size() >= OVERALL_PER_SECOND) {
            earliest = max(earliest, nthLast(sentOverall, OVERALL_PER_SECOND).plus(Duration.ofSeconds(1)));
        }
        return Duration.between(now, earliest);
    }

    /** Records a message sent now. */
    public synchronized void sent(String chatId) {
        Instant now = clock.instant();
        Deque<Instant> chat = sentByChat.computeIfAbsent(chatId, k -> new ArrayDeque<>());
        chat.addLast(now);
        while (chat.size() > GROUP_PER_MINUTE) {
            chat.removeFirst();
        }
        sentOverall.addLast(now);
        while (sentOverall.size() > OVERALL_PER_SECOND) {
            sentOverall.removeFirst();
        }
    }

    static boolean isGroup(String chatId) {
        return chatId.startsWith("-") || chatId.startsWith("@");
    }

    private static Instant nthLast(Deque<Instant> times, int n) {
        // times holds at most n entries, oldest first: the n-th last is the first.
        return times.size() == n ? times.peekFirst() : times.stream().skip(times.size() - n).findFirst().orElseThrow();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
