package io.homelab.alerts.common.kafka;

import io.homelab.alerts.common.json.JsonSerde;
import io.homelab.alerts.common.model.AlertEvent;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of the pipeline, named with one prefix (default {@code homelab.}).
 *
 * @param webhooks raw webhook bodies exactly as received, keyed by groupKey: the replayable record
 * @param notifications alert events the notifier sends, keyed by fingerprint
 * @param remediationRequests alert events routed to the remediator, keyed by fingerprint
 * @param deadLetters records that could not be processed, with the reason in a header
 */
public record Topics(
        String prefix,
        Topic<String, byte[]> webhooks,
        Topic<String, AlertEvent> notifications,
        Topic<String, AlertEvent> remediationRequests,
        Topic<String, byte[]> remediationResults,
        Topic<String, byte[]> remediationDecisions,
        Topic<String, byte[]> control,
        Topic<String, byte[]> state,
        Topic<String, byte[]> deadLetters) {

    public static final String DEFAULT_PREFIX = "homelab.";

    public static Topics withPrefix(String prefix) {
        JsonSerde<AlertEvent> events = new JsonSerde<>(AlertEvent.class);
        return new Topics(
                prefix,
                new Topic<>(prefix + "alerts.webhooks", Serdes.String(), Serdes.ByteArray()),
                new Topic<>(prefix + "alerts.notifications", Serdes.String(), events),
                new Topic<>(prefix + "remediation.requests", Serdes.String(), events),
                new Topic<>(prefix + "remediation.results", Serdes.String(), Serdes.ByteArray()),
                new Topic<>(prefix + "remediation.decisions", Serdes.String(), Serdes.ByteArray()),
                new Topic<>(prefix + "control", Serdes.String(), Serdes.ByteArray()),
                new Topic<>(prefix + "alerts.state", Serdes.String(), Serdes.ByteArray()),
                new Topic<>(prefix + "deadletter", Serdes.String(), Serdes.ByteArray()));
    }

    public List<Topic<?, ?>> all() {
        return List.of(webhooks, notifications, remediationRequests, remediationResults,
                remediationDecisions, control, state, deadLetters);
    }
}
