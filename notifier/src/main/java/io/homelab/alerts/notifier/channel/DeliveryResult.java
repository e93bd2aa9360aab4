package io.homelab.alerts.notifier.channel;

import java.time.Duration;
import java.util.Optional;

/** What happened to one send, and whether trying again makes sense. */
public sealed interface DeliveryResult {
    /** Why a send failed, for logs and metrics. */
    enum Failure { AUTH, RATE_LIMITED, SERVER, CLIENT, NETWORK }

    record Delivered() implements DeliveryResult {}

    /** The chat has a new id (a group upgraded to a supergroup): send there instead. */
    record Moved(String newChatId) implements DeliveryResult {}

    /** Try again: after {@code retryAfter} when the other side said so (Telegram's 429), else with backoff. */
    record Retryable(Failure failure, String reason, Optional<Duration> retryAfter) implements DeliveryResult {}

    /** Telegram's "message is too long": the same content must go out in smaller messages, never be dropped. */
    record TooLong(String reason) implements DeliveryResult {}

    /** Will never succeed as it is (e.g. Telegram's 400 "can't parse entities"): dead-letter it and move on. */
    record Permanent(Failure failure, String reason) implements DeliveryResult {}
}
