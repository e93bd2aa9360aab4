package io.homelab.alerts.common.health;

import java.util.Optional;

/**
 * One part of the process that can be not ready yet (waiting for Telegram at start-up, say): what
 * {@code /ready} lists, so a person sees what is missing instead of a bare 503.
 */
public interface Readiness {
    /** The part, e.g. "telegram". */
    String name();

    /** Why it is not ready; empty when it is. */
    Optional<String> problem();
}
