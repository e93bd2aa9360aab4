package io.homelab.alerts.notifier.channel;

/** A place messages go. Implementations do one attempt; retrying is the caller's job. */
public interface Channel {
    String name();

    DeliveryResult send(OutgoingMessage message);

    /** Whether sends must keep to Telegram's rate limits (the console has none). */
    default boolean rateLimited() {
        return true;
    }
}
