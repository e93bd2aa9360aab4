package io.homelab.alerts.app;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** A service this process can run; {@code all} runs every one. */
public enum Target {
    INGEST, PROCESSOR, NOTIFIER, REMEDIATOR;

    /** Parses {@code all} or a comma-separated list such as {@code ingest,processor}. */
    public static Set<Target> parse(String text) {
        Set<Target> targets = EnumSet.noneOf(Target.class);
        for (String part : text.split(",")) {
            String name = part.strip().toLowerCase(Locale.ROOT);
            if (name.equals("all")) {
                targets.addAll(EnumSet.allOf(Target.class));
                continue;
            }
            try {
                targets.add(valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown target '" + part.strip() + "': use all, or any of ingest, processor, notifier, remediator");
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no target given: use all, or any of ingest, processor, notifier, remediator");
        }
        return targets;
    }
}
