package io.homelab.alerts.common.kafka;

import io.homelab.alerts.common.json.JsonSerde;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.model.RemediationDecision;
import io.homelab.alerts.common.model.RemediationRequest;
import io.homelab.alerts.common.model.RemediationUpdate;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of the pipeline, named with one prefix (default {@code homelab.}).
 *
 * @param webhooks raw webhook bodies exactly as received, keyed by groupKey: the replayable record
 * @param notifications alerts the notifier sends (deduplicated, routed), keyed by fingerprint
 * @param priorityNotifications the same for critical alerts: a lane of its own, so they never wait behind a backlog
 * @param remediationRequests firing alerts routed to the remediator, keyed by fingerprint
 * @param remediationResults approval requests and outcomes from the remediator, keyed by request id
 * @param remediationDecisions Approve / Reject from Telegram, keyed by request id
 * @param deadLetters records that could not be processed, with the reason in a header
 * @param packs which alerts one gathered Telegram message showed, for its "silence all" buttons
 */
public record Topics(
        String prefix,
        Topic<String, byte[]> webhooks,
        Topic<String, Notification> notifications,
        Topic<String, Notification> priorityNotifications,
        Topic<String, RemediationRequest> remediationRequests,
        Topic<String, RemediationUpdate> remediationResults,
        Topic<String, RemediationDecision> remediationDecisions,
        Topic<String, byte[]> control,
        Topic<String, byte[]> state,
        Topic<String, byte[]> deadLetters,
        Topic<String, byte[]> packs) {

    public static final String DEFAULT_PREFIX = "homelab.";

    public static Topics withPrefix(String prefix) {
        return new Topics(
                prefix,
                new Topic<>(prefix + "alerts.webhooks", Serdes.String(), Serdes.ByteArray()),
                new Topic<>(prefix + "alerts.notifications", Serdes.String(), new JsonSerde<>(Notification.class)),
                new Topic<>(prefix + "alerts.notifications.priority", Serdes.String(), new JsonSerde<>(Notification.class)),
                new Topic<>(prefix + "remediation.requests", Serdes.String(), new JsonSerde<>(RemediationRequest.class)),
                new Topic<>(prefix + "remediation.results", Serdes.String(), new JsonSerde<>(RemediationUpdate.class)),
                new Topic<>(prefix + "remediation.decisions", Serdes.String(), new JsonSerde<>(RemediationDecision.class)),
                new Topic<>(prefix + "control", Serdes.String(), Serdes.ByteArray()),
                new Topic<>(prefix + "alerts.state", Serdes.String(), Serdes.ByteArray()),
                new Topic<>(prefix + "deadletter", Serdes.String(), Serdes.ByteArray()),
                new Topic<>(prefix + "notifier.packs", Serdes.String(), Serdes.ByteArray()));
    }

    /**
     * The consumer group (Kafka Streams application id) of a service: "processor", "notifier",
     * "remediator", … Services and the bot's /health find each other's groups by this one name.
     */
    public String groupId(String service) {
        return prefix + service;
    }

    public List<Topic<?, ?>> all() {
        return List.of(webhooks, notifications, priorityNotifications, remediationRequests, remediationResults,
                remediationDecisions, control, state, deadLetters, packs);
    }
}
