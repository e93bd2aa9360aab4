package io.homelab.alerts.ingest.sink;

/** Whether a webhook is safely stored, and if not, whether the sender should try again. */
public sealed interface StoreResult {
    /** Acknowledged by Kafka (acks=all): safe to answer 200. */
    record Stored(int partition, long offset) implements StoreResult {}

    /** A transient problem (Kafka unreachable or slow): answer 503 so Alertmanager retries. */
    record Unavailable(String reason) implements StoreResult {}

    /** This body can never be stored (too large for the topic): retrying will not help. */
    record Rejected(String reason) implements StoreResult {}
}
