package io.homelab.alerts.processor.route;

import io.homelab.alerts.common.match.LabelMatcher;
import io.homelab.alerts.common.model.ChatTarget;
import java.util.List;
import java.util.Map;

/**
 * One route of HOMELAB_CONFIG: when every matcher matches, notify (the default chats, or the
 * given chats and forum topics), remediate (with a runbook), or drop.
 *
 * @param notifyChats null: the default chats; empty: do not notify
 * @param runbook the runbook {@code remediate:} names; null: the first runbook whose matchers match; {@link #NO_REMEDIATION}: none
 * @param continueMatching also try the routes after this one, as Alertmanager's {@code continue}
 * @param webhooks outgoing webhooks (by name) that also get the alert
 */
public record Route(String name, List<LabelMatcher> matchers, boolean drop, List<ChatTarget> notifyChats, String runbook,
        boolean continueMatching, List<String> webhooks) {
    /** {@code remediate: false}: alerts of this route never go to the remediator. */
    public static final String NO_REMEDIATION = "";

    public Route {
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    }

    public Route(String name, List<LabelMatcher> matchers, boolean drop, List<ChatTarget> notifyChats, String runbook, boolean continueMatching) {
        this(name, matchers, drop, notifyChats, runbook, continueMatching, List.of());
    }

    public boolean matches(Map<String, String> labels) {
        return matchers.stream().allMatch(m -> m.matches(labels));
    }
}
