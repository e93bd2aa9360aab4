package io.homelab.alerts.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.binary.AlertEventCodec;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.testing.Fixtures;
import io.homelab.alerts.processor.explode.WebhookExploder;
import io.homelab.alerts.processor.route.DefaultRoutes;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/** Every AlertTopologyTest again, with events going straight on from explode (a raw topic of one partition). */
class AlertTopologyDirectTest extends AlertTopologyTest {
    @Override
    AlertTopology.Layout layout() {
        return AlertTopology.Layout.DIRECT;
    }

    ProcessorConfig config() {
        return new ProcessorConfig(TOPICS, "unused:9092", stateDir.resolve("other"), POLICY, new DefaultRoutes(),
                ProcessorConfig.DEFAULT_COMMIT_INTERVAL, 1024 * 1024, "127.0.0.1", 0);
    }

    @Test
    void without_the_re_key_one_task_explodes_and_decides_and_no_re_key_topic_is_written() {
        ProcessorConfig config = config();
        TopologyDescription direct = AlertTopology.build(config, r -> { }, AlertTopology.Layout.DIRECT).describe();
        TopologyDescription rekey = AlertTopology.build(config, r -> { }, AlertTopology.Layout.REKEY).describe();

        assertThat(direct.subtopologies()).hasSize(1);
        assertThat(direct.toString()).doesNotContain("repartition");
        assertThat(rekey.subtopologies()).hasSize(2);
        assertThat(rekey.toString()).contains(AlertTopology.rekeyTopic(config).substring(config.applicationId().length() + 1));
    }

    @Test
    void what_a_re_keying_run_left_in_the_re_key_topic_is_still_notified_and_meets_the_same_state() {
        ProcessorConfig config = config();
        try (TopologyTestDriver drain = new TopologyTestDriver(AlertTopology.build(config, r -> { }, new AlertTopology.Layout(false, true)),
                AlertTopology.streamsProperties(config))) {
            TestInputTopic<String, AlertEvent> left = drain.createInputTopic(AlertTopology.rekeyTopic(config), Serdes.String().serializer(),
                    AlertEventCodec.SERDE.serializer());
            TestInputTopic<String, byte[]> raw = drain.createInputTopic(TOPICS.webhooks().name(), TOPICS.webhooks().keySerde().serializer(),
                    TOPICS.webhooks().valueSerde().serializer());
            byte[] body = Fixtures.alertmanager("firing-single.json");
            AlertEvent event = ((WebhookExploder.Result.Events) WebhookExploder.explode(body, RECEIVED)).events().get(0);

            left.pipeInput(event.fingerprint(), event);
            raw.pipeInput("g1", body); // the same alert again, now from the raw topic, inside the window

            List<Notification> sent = drain.createOutputTopic(TOPICS.notifications().name(), TOPICS.notifications().keySerde().deserializer(),
                    TOPICS.notifications().valueSerde().deserializer()).readValuesToList();
            assertThat(sent).extracting(n -> n.alert().fingerprint()).containsExactly(event.fingerprint());
            assertThat(sent.get(0).reason()).isEqualTo(DedupReason.FIRST);
        }
    }

    @Test
    void the_layout_follows_the_raw_topics_partition_count() {
        assertThat(AlertTopology.Layout.forPartitions(3, true)).isEqualTo(AlertTopology.Layout.REKEY);
        assertThat(AlertTopology.Layout.forPartitions(1, false)).isEqualTo(AlertTopology.Layout.DIRECT);
        assertThat(AlertTopology.Layout.forPartitions(1, true)).isEqualTo(new AlertTopology.Layout(false, true));
    }
}
