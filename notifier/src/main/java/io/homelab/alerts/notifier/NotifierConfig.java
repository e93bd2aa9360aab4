package io.homelab.alerts.notifier;

import io.homelab.alerts.common.kafka.Topics;
import java.time.ZoneId;
import java.util.List;

/** What the notifier needs to know: where events come from, which chats to notify, how to show times. */
public record NotifierConfig(Topics topics, String bootstrapServers, List<String> chatIds, ZoneId timeZone, int maxRecordBytes) {

    public String groupId() {
        return topics.prefix() + "notifier";
    }
}
