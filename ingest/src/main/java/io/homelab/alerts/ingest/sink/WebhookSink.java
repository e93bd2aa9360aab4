package io.homelab.alerts.ingest.sink;

/** Where accepted webhooks go. Returns only once the outcome is certain. */
public interface WebhookSink extends AutoCloseable {
    StoreResult store(RawWebhook webhook);

    /** Whether the store is reachable now (for {@code /ready}). */
    boolean isReady();

    @Override
    default void close() {}
}
