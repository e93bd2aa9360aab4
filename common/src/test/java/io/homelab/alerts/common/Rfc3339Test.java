package io.homelab.alerts.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.homelab.alerts.common.time.Rfc3339;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Rfc3339Test {
    @Test
    void the_shapes_alertmanager_writes_take_the_fast_path_and_agree_with_the_jdk() {
        for (String t : List.of("2024-05-01T12:00:00Z", "0001-01-01T00:00:00Z", "2023-03-01T10:00:00.123456789Z", "2023-03-01T10:00:00.1Z",
                "2023-03-01T10:00:00.123+02:00", "2024-02-29T23:59:59-07:30", "9999-12-31T23:59:59.999999999Z", "2023-03-01T10:00:00+18:00")) {
            Instant fast = Rfc3339.fastParse(t);
            assertNotNull(fast, t);
            assertEquals(OffsetDateTime.parse(t).toInstant(), fast, t);
        }
    }

    @Test
    void anything_else_is_left_to_the_jdk() {
        for (String t : List.of("", "2024-05-01", "2024-05-01T12:00Z", "2024-05-01t12:00:00Z", "2024-05-01T12:00:00z", "2024-13-01T12:00:00Z",
                "2023-02-29T12:00:00Z", "2024-04-31T12:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z", "2024-05-01T12:00:60Z",
                "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00.1234567890Z", "2024-05-01T12:00:00+19:00", "2024-05-01T12:00:00+01:60",
                "2024-05-01T12:00:00+0100", "2024-05-01T12:00:00+01", "2024-05-01T12:00:00", "2024-05-01T12:00:00ZZ", "+2024-05-01T12:00:00Z",
                "2024-05-01T12:00:00+18:01", "２０２４-05-01T12:00:00Z", "2024-05-01T12:00:00 Z", "-024-05-01T12:00:00Z")) {
            assertNull(Rfc3339.fastParse(t), t);
        }
    }

    /** Whatever the fast path answers, the JDK answers the same; where the JDK refuses, the fast path gives no answer. */
    @Test
    void on_random_near_misses_the_fast_path_never_disagrees_with_the_jdk() {
        Random random = new Random(42);
        String alphabet = "0123456789-:T.Z+ z";
        String[] seeds = {"2024-05-01T12:00:00Z", "2023-03-01T10:00:00.123456789+02:00", "2024-02-29T23:59:59.5-07:30"};
        int fast = 0;
        for (int i = 0; i < 200_000; i++) {
            char[] c = seeds[i % seeds.length].toCharArray();
            for (int k = random.nextInt(3); k >= 0; k--) {
                c[random.nextInt(c.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            String t = new String(c);
            Instant jdk;
            try {
                jdk = OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e) {
                jdk = null;
            }
            Instant ours = Rfc3339.fastParse(t);
            if (ours != null) {
                fast++;
                assertEquals(jdk, ours, t);
            }
        }
        assertEquals(true, fast > 10_000, "the fast path took only " + fast);
    }
}
