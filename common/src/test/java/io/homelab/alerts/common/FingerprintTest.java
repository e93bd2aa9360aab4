package io.homelab.alerts.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.model.Alert;
import io.homelab.alerts.common.model.Fingerprint;
import io.homelab.alerts.common.model.WebhookMessage;
import io.homelab.alerts.common.testing.Fixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class FingerprintTest {

    @Test
    void matches_prometheus_common_test_vectors() {
        assertThat(Fingerprint.of(Map.of())).isEqualTo("cbf29ce484222325");
        assertThat(Fingerprint.of(Map.of("name", "garland, briggs", "fear", "love is not enough")))
                .isEqualTo("507a62d79ee76c9a");
    }

    static final java.util.List<String> FIXTURES = Fixtures.ALERTMANAGER_0_25;

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void matches_the_fingerprints_alertmanager_computed_for_the_fixtures(String fixture) {
        WebhookMessage message = Json.read(Fixtures.alertmanager(fixture), WebhookMessage.class);
        assertThat(message.alerts()).isNotEmpty();
        for (Alert alert : message.alerts()) {
            assertThat(Fingerprint.of(alert.labels())).as(alert.labels().toString()).isEqualTo(alert.fingerprint());
        }
    }

    @Test
    void does_not_depend_on_label_order_and_separates_names_from_values() {
        assertThat(Fingerprint.of(Map.of("a", "b", "c", "d"))).isEqualTo(Fingerprint.of(new java.util.TreeMap<>(Map.of("c", "d", "a", "b"))));
        // Without the 0xFF separators these two would collide.
        assertThat(Fingerprint.of(Map.of("ab", "c"))).isNotEqualTo(Fingerprint.of(Map.of("a", "bc")));
    }
}
