package io.homelab.alerts.ingest.validate;

import java.util.List;

/** The verdict on one webhook body: either valid (with what ingest needs from it) or the problems found. */
public sealed interface Validation {
    record Valid(String groupKey, int alertCount) implements Validation {}

    record Invalid(List<String> problems) implements Validation {
        public String message() {
            return String.join("; ", problems);
        }
    }
}
