package io.homelab.alerts.remediator;

import io.homelab.alerts.remediator.rails.SafetyRails;
import java.time.Duration;
import java.util.Set;

/**
 * The remediator's settings (environment variables, see the README).
 *
 * @param autohealingDefault AUTOHEALING_ENABLED: whether low-risk fixes run on their own before anyone used /enable_autohealing or /disable_autohealing
 * @param dryRun REMEDIATION_DRY_RUN: report exactly what would run, run nothing
 * @param verifyWithin REMEDIATION_VERIFY_TIME: how long the alert has to resolve after a fix
 * @param actionTimeout REMEDIATION_ACTION_TIMEOUT: how long one action may take
 * @param allowedUsers TELEGRAM_ALLOWED_USERS: only their decisions count, even on the topic
 */
public record RemediatorSettings(Duration approvalTimeout, boolean autohealingDefault, boolean dryRun, SafetyRails.Settings rails,
        Duration verifyWithin, Duration actionTimeout, Set<Long> allowedUsers) {
    public static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(10);
    public static final int DEFAULT_HOURLY_CAP = 3;

    public RemediatorSettings {
        allowedUsers = Set.copyOf(allowedUsers);
    }

    /** The defaults, with an approval timeout. */
    public static RemediatorSettings defaults(Duration approvalTimeout) {
        return new RemediatorSettings(approvalTimeout, true, false,
                new SafetyRails.Settings(DEFAULT_COOLDOWN, DEFAULT_HOURLY_CAP, 3, Duration.ofMinutes(15)),
                Duration.ofMinutes(5), Duration.ofMinutes(2), Set.of());
    }
}
