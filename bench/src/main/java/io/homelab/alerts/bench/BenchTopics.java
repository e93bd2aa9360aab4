package io.homelab.alerts.bench;

import io.homelab.alerts.common.kafka.TopicProvisioner;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** The pipeline's topics under their own prefix, created as the app creates them. */
final class BenchTopics {
    private BenchTopics() {}

    static Topics create(EmbeddedKafka kafka, String prefix, int maxRecordBytes) throws Exception {
        return create(kafka, prefix, maxRecordBytes, 3);
    }

    static Topics create(EmbeddedKafka kafka, String prefix, int maxRecordBytes, int partitions) throws Exception {
        Topics topics = Topics.withPrefix(prefix + ".");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(TopicProvisioner.specs(topics,
                    new TopicProvisioner.TopicSettings(partitions, Optional.empty(), 30, maxRecordBytes)));
        }
        return topics;
    }
}
