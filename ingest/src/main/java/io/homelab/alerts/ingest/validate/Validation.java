package io.homelab.alerts.ingest.validate;

import java.util.List;

/** The verdict on one webhook body: valid (with what ingest needs from it), invalid, or over a size limit. */
public sealed interface Validation {
    record Valid(String groupKey, int alertCount) implements Validation {}

    /** Not an acceptable webhook (400). */
    record Invalid(List<String> problems) implements Validation {
        public String message() {
            return String.join("; ", problems);
        }
    }

    /** A well-formed webhook with a part over one of {@link io.homelab.alerts.common.model.WebhookLimits} (413). */
    record TooLarge(List<String> problems) implements Validation {
        public String message() {
            return String.join("; ", problems);
        }
    }
}
