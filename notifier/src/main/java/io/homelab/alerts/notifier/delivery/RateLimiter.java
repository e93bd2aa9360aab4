package io.homelab.alerts.notifier.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Telegram's published limits, kept on our side so we rarely meet a 429: about one message a
 * second per chat, 20 a minute per group (negative chat ids), 30 a second in all. One limiter is
 * shared by everything that sends (alerts, command replies): {@link #reserve} books a slot, so two
 * senders never take the same one, and {@link #sent(Slot)} moves it to when the send really
 * started, so the next message keeps its distance from that, not from the plan.
 */
public final class RateLimiter {
    static final Duration PER_CHAT = Duration.ofSeconds(1);
    static final int GROUP_PER_MINUTE = 20;
    static final int OVERALL_PER_SECOND = 30;

    private final Clock clock;
    private final Map<String, List<Slot>> sentByChat = new HashMap<>();
    private final List<Slot> sentOverall = new ArrayList<>();

    /** A booked or used send time. */
    public static final class Slot {
        private final String chatId;
        private Instant at;

        private Slot(String chatId, Instant at) {
            this.chatId = chatId;
            this.at = at;
        }

        Instant at() {
            return at;
        }
    }

    public RateLimiter(Clock clock) {
        this.clock = clock;
    }

    /** How long to wait before a message to {@code chatId} keeps within every limit (zero: send now). */
    public synchronized Duration delayFor(String chatId) {
        Instant now = clock.instant();
        Instant earliest = now;
        List<Slot> chat = sentByChat.getOrDefault(chatId, List.of());
        if (!chat.isEmpty()) {
            earliest = max(earliest, chat.get(chat.size() - 1).at.plus(PER_CHAT));
        }
        if (isGroup(chatId) && chat.size() >= GROUP_PER_MINUTE) {
            earliest = max(earliest, chat.get(chat.size() - GROUP_PER_MINUTE).at.plus(Duration.ofMinutes(1)));
        }
        if (sentOverall.size() >= OVERALL_PER_SECOND) {
            earliest = max(earliest, sentOverall.get(sentOverall.size() - OVERALL_PER_SECOND).at.plus(Duration.ofSeconds(1)));
        }
        return Duration.between(now, earliest);
    }

    /** Records a message sent now. */
    public synchronized void sent(String chatId) {
        record(new Slot(chatId, clock.instant()));
    }

    /**
     * Books the next slot for a message to {@code chatId}: wait {@link #waitFor(Slot)}, send, then
     * call {@link #sent(Slot)}. Another sender asking meanwhile gets a later slot.
     */
    public synchronized Slot reserve(String chatId) {
        Slot slot = new Slot(chatId, clock.instant().plus(delayFor(chatId)));
        record(slot);
        return slot;
    }

    /** How long until the slot (zero when it is due). */
    public synchronized Duration waitFor(Slot slot) {
        Duration d = Duration.between(clock.instant(), slot.at);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** The message of {@code slot} is being sent now (or was given up): it counts from now, if that is later than planned. */
    public synchronized void sent(Slot slot) {
        Instant now = clock.instant();
        if (now.isAfter(slot.at)) {
            slot.at = now;
            sentByChat.getOrDefault(slot.chatId, new ArrayList<>()).sort(Comparator.comparing(Slot::at));
            sentOverall.sort(Comparator.comparing(Slot::at));
        }
    }

    private void record(Slot slot) {
        List<Slot> chat = sentByChat.computeIfAbsent(slot.chatId, k -> new ArrayList<>());
        chat.add(slot);
        chat.sort(Comparator.comparing(Slot::at));
        while (chat.size() > GROUP_PER_MINUTE) {
            chat.remove(0);
        }
        sentOverall.add(slot);
        sentOverall.sort(Comparator.comparing(Slot::at));
        while (sentOverall.size() > OVERALL_PER_SECOND) {
            sentOverall.remove(0);
        }
    }

    static boolean isGroup(String chatId) {
        return chatId.startsWith("-") || chatId.startsWith("@");
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
