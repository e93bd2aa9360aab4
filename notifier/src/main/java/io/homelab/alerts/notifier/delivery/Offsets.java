package io.homelab.alerts.notifier.delivery;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.slf4j.Logger;

/** Record-by-record offset handling for consumers that commit only after a delivery. */
public final class Offsets {
    private Offsets() {}

    /** Commits past {@code record}; false when a group rebalance got in the way (the caller re-reads from the last commit). */
    public static boolean commit(KafkaConsumer<String, byte[]> consumer, ConsumerRecord<String, byte[]> record, Logger log) {
        try {
            consumer.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1)));
            return true;
        } catch (RebalanceInProgressException | CommitFailedException e) {
            // The record was delivered but the commit lost: it may be sent once more (at-least-once).
            log.info("Commit interrupted by a group rebalance ({}); re-reading from the last commit", e.getClass().getSimpleName());
            return false;
        }
    }

    /** Positions moved past records that were not delivered: go back to what is committed. */
    public static void rewindToCommitted(KafkaConsumer<String, byte[]> consumer) {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata offset = committed.get(tp);
            if (offset != null) {
                consumer.seek(tp, offset.offset());
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
    }
}
