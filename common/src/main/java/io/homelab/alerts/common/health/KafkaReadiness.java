package io.homelab.alerts.common.health;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Ready when the Kafka cluster answers (asked afresh each time /ready is asked, at most a few seconds). */
public final class KafkaReadiness implements Readiness, AutoCloseable {
    private final String bootstrapServers;
    private final Admin admin;

    public KafkaReadiness(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "homelab-readiness",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000));
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public Optional<String> problem() {
        try {
            int nodes = admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size();
            return nodes > 0 ? Optional.empty() : Optional.of("no broker at " + bootstrapServers + " answers");
        } catch (Exception e) {
            return Optional.of("not reachable at " + bootstrapServers + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
