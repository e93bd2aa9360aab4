package io.homelab.alerts.common.kafka;

/** Header names on a dead-letter record (the value is the record that failed, unchanged). */
public final class DeadLetterHeaders {
    public static final String REASON = "dlq-reason";
    public static final String SOURCE_TOPIC = "dlq-source-topic";
    public static final String SOURCE_PARTITION = "dlq-source-partition";
    public static final String SOURCE_OFFSET = "dlq-source-offset";

    private DeadLetterHeaders() {}
}
