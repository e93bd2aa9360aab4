package io.homelab.alerts.notifier;

import io.homelab.alerts.common.kafka.Topics;
import java.time.ZoneId;
import java.util.List;

/**
 * What the notifier needs to know: where events come from, which chats to notify, how to show times.
 *
 * @param stormThreshold more alerts than this gathered for one chat become one summary instead of a list; 0: always a list
 * @param silenceButtons put 🔕 Silence 1h / 4h / 24h buttons under firing alerts (ALERTMANAGER_URL is set)
 * @param approvalTimeout approval requests older than this are not shown (they could no longer be approved)
 */
public record NotifierConfig(Topics topics, String bootstrapServers, List<String> chatIds, ZoneId timeZone, int maxRecordBytes,
        int stormThreshold, boolean silenceButtons, java.time.Duration approvalTimeout) {

    public NotifierConfig(Topics topics, String bootstrapServers, List<String> chatIds, ZoneId timeZone, int maxRecordBytes,
            int stormThreshold, boolean silenceButtons) {
        this(topics, bootstrapServers, chatIds, timeZone, maxRecordBytes, stormThreshold, silenceButtons, java.time.Duration.ofHours(1));
    }

    public String groupId() {
        return topics.groupId("notifier");
    }
}
