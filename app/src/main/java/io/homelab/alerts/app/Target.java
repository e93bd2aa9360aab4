package io.homelab.alerts.app;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A service this process can run; {@code all} runs ingest, processor, notifier and remediator
 * (on an embedded broker unless KAFKA_BOOTSTRAP_SERVERS is set). {@code broker} runs the embedded
 * broker for other processes to use (docker-compose's broker container).
 */
public enum Target {
    INGEST, PROCESSOR, NOTIFIER, REMEDIATOR, BROKER;

    private static final String CHOICES = "use all, or any of ingest, processor, notifier, remediator, broker";

    /** Parses {@code all} or a comma-separated list such as {@code ingest,processor}. */
    public static Set<Target> parse(String text) {
        Set<Target> targets = EnumSet.noneOf(Target.class);
        for (String part : text.split(",")) {
            String name = part.strip().toLowerCase(Locale.ROOT);
            if (name.equals("all")) {
                targets.addAll(EnumSet.of(INGEST, PROCESSOR, NOTIFIER, REMEDIATOR));
                continue;
            }
            try {
                targets.add(valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown target '" + part.strip() + "': " + CHOICES);
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no target given: " + CHOICES);
        }
        return targets;
    }
}
