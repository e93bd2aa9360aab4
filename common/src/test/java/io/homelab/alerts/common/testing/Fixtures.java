package io.homelab.alerts.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The real Alertmanager 0.25 webhook bodies under {@code fixtures/alertmanager-0.25}. */
public final class Fixtures {
    public static final List<String> ALERTMANAGER_0_25 =
            List.of("firing-single.json", "firing-group.json", "firing-truncated.json", "resolved-single.json");

    private Fixtures() {}

    public static byte[] alertmanager(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/alertmanager-0.25/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
