package io.homelab.alerts.remediator.executor;

import java.time.Duration;

/**
 * One action filled in for one alert, every value checked: ready to run, or to show as what would
 * run (dry run, approval). {@link #call()} is exactly the argv or API call, as the audit records it.
 */
public interface Prepared {
    /** docker, systemd, ssh, command, http, diagnose. */
    String executor();

    /** What it acts on, for the safety rails: "container jellyfin", "unit nginx.service", "host nas". */
    String target();

    /** The argv or API call, e.g. {@code POST /containers/jellyfin/restart?t=10} or {@code systemctl restart -- nginx.service}. */
    String call();

    /** Looks only (a diagnosis): runs without asking and is not verified. */
    default boolean readOnly() {
        return false;
    }

    /** What was found while preparing (top processes, the worst container), shown with the approval request; null: nothing. */
    default String preview() {
        return null;
    }

    /** The least time it needs whatever the runbook's timeout (Docker's own 10 s stop wait): waiting ends no sooner. */
    default java.time.Duration leastTime() {
        return java.time.Duration.ZERO;
    }

    /** Runs it; the outcome says whether it worked, in words a person reads ("restarted jellyfin"). */
    Outcome run(Duration timeout) throws Exception;

    /** What an action did: success, its exit code (HTTP status for HTTP), the tail of its output, one line for people. */
    record Outcome(boolean ok, Integer exitCode, String output, String summary) {
    }
}
