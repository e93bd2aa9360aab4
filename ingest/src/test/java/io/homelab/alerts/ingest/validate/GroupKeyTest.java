package io.homelab.alerts.ingest.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.model.WebhookLimits;
import org.junit.jupiter.api.Test;

/** The group key ingest derives when a sender leaves it out: Alertmanager's shape, and never larger than a sent one may be. */
class GroupKeyTest {
    @Test
    void it_is_alertmanagers_shape_of_the_sorted_group_labels() {
        ObjectNode labels = Json.MAPPER.createObjectNode().put("job", "node").put("alertname", "Say \"hi\"");
        assertThat(WebhookValidator.groupKeyOf(labels)).isEqualTo("{}:{alertname=\"Say \\\"hi\\\"\",job=\"node\"}");
        assertThat(WebhookValidator.groupKeyOf(null)).isEqualTo("{}:{}");
    }

    @Test
    void huge_group_labels_give_a_short_key_that_is_still_the_same_for_the_same_labels() {
        ObjectNode labels = Json.MAPPER.createObjectNode();
        for (int i = 0; i < 100; i++) {
            labels.put("l" + i, "v".repeat(4096));
        }
        String key = WebhookValidator.groupKeyOf(labels);
        assertThat(key).startsWith("{}:sha256:").hasSize("{}:sha256:".length() + 64);
        assertThat(key.length()).isLessThanOrEqualTo(WebhookLimits.MAX_GROUP_KEY_CHARS);
        assertThat(WebhookValidator.groupKeyOf(labels.deepCopy())).isEqualTo(key);
        labels.put("l0", "other");
        assertThat(WebhookValidator.groupKeyOf(labels)).isNotEqualTo(key);
    }
}
