package io.homelab.alerts.notifier.channel;

/** A place messages go. Implementations do one attempt; retrying is the caller's job. */
public interface Channel {
    String name();

    DeliveryResult send(OutgoingMessage message);
}
