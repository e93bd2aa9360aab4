package io.homelab.alerts.processor.watchdog;

import java.time.Duration;
import java.time.ZoneId;

/**
 * @param alertname the heartbeat alert's name (WATCHDOG_ALERTNAME)
 * @param silence how long it may stay away before the pipeline counts as blind (WATCHDOG_SILENCE)
 * @param zone the time zone of the time in the message (ALERT_TIME_ZONE)
 */
public record WatchdogSettings(String alertname, Duration silence, ZoneId zone) {
    public static final WatchdogSettings DEFAULTS = new WatchdogSettings("Watchdog", Duration.ofMinutes(10), ZoneId.of("UTC"));
}
