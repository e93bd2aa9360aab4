package io.homelab.alerts.processor.history;

import io.homelab.alerts.common.model.AlertEvent;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Folds every event of an alert (duplicates included) into its {@link AlertHistory}, and forwards the new history. */
public final class HistoryProcessor implements Processor<String, AlertEvent, String, AlertHistory> {
    public static final String STORE = "alert-history";

    private ProcessorContext<String, AlertHistory> context;
    private KeyValueStore<String, AlertHistory> store;

    @Override
    public void init(ProcessorContext<String, AlertHistory> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, AlertEvent> record) {
        AlertHistory next = AlertHistory.next(store.get(record.key()), record.value(), Instant.ofEpochMilli(record.timestamp()));
        store.put(record.key(), next);
        context.forward(record.withValue(next));
    }
}
