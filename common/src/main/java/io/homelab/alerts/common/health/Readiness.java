package io.homelab.alerts.common.health;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * One part of the process that can be not ready yet (waiting for Telegram at start-up, say): what
 * {@code /ready} lists, so a person sees what is missing instead of a bare 503.
 */
public interface Readiness {
    /** The part, e.g. "telegram". */
    String name();

    /** Why it is not ready; empty when it is. */
    Optional<String> problem();

    /** A part called {@code name} whose problem {@code problem} tells, asked each time. */
    static Readiness of(String name, Supplier<Optional<String>> problem) {
        return new Readiness() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Optional<String> problem() {
                return problem.get();
            }
        };
    }
}
