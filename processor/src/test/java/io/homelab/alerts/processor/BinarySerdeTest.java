package io.homelab.alerts.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homelab.alerts.common.binary.AlertEventCodec;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.processor.history.AlertHistory;
import io.homelab.alerts.processor.state.AlertState;
import io.homelab.alerts.processor.state.StateCodecs;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The processor's binary records: every field back as written, JSON of earlier versions still read, and a broken record named. */
class BinarySerdeTest {
    static final Instant T = Instant.parse("2026-11-25T21:59:50.123456789Z");
    static final AlertEvent EVENT = new AlertEvent("bfcfce9889d1664b", "firing",
            Map.of("alertname", "HighCPU", "instance", "192.168.1.101:9100", "emoji", "🔥 ünïcödé"), Map.of("summary", "CPU 93.2%"),
            T, null, "http://prometheus:9090/graph", "homelab-telegram", null, -3, T.plusSeconds(2), "FIRST");

    @Test
    void an_alert_event_comes_back_equal_with_nanoseconds_nulls_and_unicode() {
        byte[] bytes = AlertEventCodec.SERDE.toBytes(EVENT);
        assertThat(AlertEventCodec.SERDE.fromBytes("t", bytes)).isEqualTo(EVENT);
        assertThat(bytes.length).as("smaller than its JSON").isLessThan(Json.write(EVENT).length / 2);
        AlertEvent empty = new AlertEvent(null, null, null, null, null, null, null, null, null, 0, null, null);
        assertThat(AlertEventCodec.SERDE.fromBytes("t", AlertEventCodec.SERDE.toBytes(empty))).isEqualTo(empty);
    }

    @Test
    void a_label_with_a_lone_surrogate_comes_back_as_it_was_not_as_a_question_mark() {
        AlertEvent odd = new AlertEvent("fp", "firing", Map.of("alertname", "X\ud800Y", "pair", "😀", "tail", "end\udc00"), Map.of(),
                T, null, null, null, null, 0, T, null);
        assertThat(AlertEventCodec.SERDE.fromBytes("t", AlertEventCodec.SERDE.toBytes(odd))).isEqualTo(odd);
    }

    @Test
    void state_and_history_come_back_equal() {
        AlertState state = new AlertState(EVENT, "firing", T, List.of(T, T.plusMillis(1), Instant.EPOCH.minusSeconds(5)), true);
        assertThat(StateCodecs.ALERT_STATE.fromBytes("s", StateCodecs.ALERT_STATE.toBytes(state))).isEqualTo(state);
        AlertHistory history = new AlertHistory("fp", EVENT.labels(), EVENT.annotations(), "resolved", T, T.plusSeconds(1), T.plusSeconds(2),
                null, 7, 123_456_789_000L, 6, List.of(new AlertHistory.Transition("firing", T), new AlertHistory.Transition("resolved", T)), true);
        assertThat(StateCodecs.ALERT_HISTORY.fromBytes("h", StateCodecs.ALERT_HISTORY.toBytes(history))).isEqualTo(history);
    }

    @Test
    void json_written_before_the_binary_form_is_still_read() {
        AlertState state = new AlertState(EVENT, "firing", T, List.of(T), false);
        assertThat(StateCodecs.ALERT_STATE.fromBytes("s", Json.write(state))).isEqualTo(state);
        assertThat(AlertEventCodec.SERDE.fromBytes("t", Json.write(EVENT))).isEqualTo(EVENT);
    }

    @Test
    void a_broken_record_is_a_serialization_error_that_says_what_and_where() {
        byte[] good = StateCodecs.ALERT_HISTORY.toBytes(new AlertHistory("fp", Map.of(), Map.of(), "firing", T, T, T, T, 1, 0, 0, List.of(), false));
        assertThatThrownBy(() -> StateCodecs.ALERT_HISTORY.fromBytes("alert-history-changelog", Arrays.copyOf(good, good.length - 3)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("not a AlertHistory on alert-history-changelog")
                .hasMessageContaining("ends early");
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> StateCodecs.ALERT_HISTORY.fromBytes("h", longer)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("left over");
        assertThatThrownBy(() -> AlertEventCodec.SERDE.fromBytes("t", new byte[] {9, 1, 2})).isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown format byte 9");
        // A length that claims more than the record holds is refused before anything is allocated for it.
        assertThatThrownBy(() -> AlertEventCodec.SERDE.fromBytes("t", new byte[] {1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("more than the record holds");
        assertThatThrownBy(() -> AlertEventCodec.SERDE.fromBytes("t", new byte[] {1, 9, 0, 0, 0}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("odd");
        assertThat(AlertEventCodec.SERDE.fromBytes("t", null)).isNull();
    }
}
