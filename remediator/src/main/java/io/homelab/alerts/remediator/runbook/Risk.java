package io.homelab.alerts.remediator.runbook;

import java.util.Locale;
import java.util.Optional;

/** How much a runbook's action can hurt: low ones may run on their own, the others need an Approve. */
public enum Risk {
    LOW, MEDIUM, HIGH;

    public static Optional<Risk> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(text.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The higher of the two: an annotation may raise a runbook's risk, never lower it. */
    public Risk atLeast(Risk other) {
        return other != null && other.ordinal() > ordinal() ? other : this;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
