package io.homelab.alerts.common.config;

/** One environment variable the system reads: its name, default (null: unset) and meaning. */
public record Setting(String name, String defaultValue, String description) {}
