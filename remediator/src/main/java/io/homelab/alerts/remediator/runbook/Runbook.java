package io.homelab.alerts.remediator.runbook;

import io.homelab.alerts.common.match.LabelMatcher;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One runbook: which alerts it is for (Alertmanager matchers, as routes have), what it does, how
 * risky that is, the one line shown as "Suggested Fix", and its safety settings (null: the
 * remediator's defaults).
 *
 * @param builtIn one of the runbooks that apply without a config file
 */
public record Runbook(String name, List<LabelMatcher> matchers, ActionSpec action, Risk risk, Template description,
        Duration cooldown, Integer hourlyCap, Duration verifyWithin, Duration timeout, boolean builtIn) {
    public Runbook {
        matchers = List.copyOf(matchers);
    }

    public boolean matches(Map<String, String> labels) {
        return matchers.stream().allMatch(m -> m.matches(labels));
    }
}
