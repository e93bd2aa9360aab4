package io.homelab.alerts.remediator.runbook;

import io.homelab.alerts.common.match.LabelMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runbooks that apply without a config file: the table homelab users know. A runbook of the
 * same name in HOMELAB_CONFIG replaces one of these.
 */
public final class BuiltInRunbooks {
    /** The container an alert names: the {@code name} label, else {@code container}, else {@code container_name}. */
    public static final String CONTAINER = "{{labels.name | or labels.container | or labels.container_name}}";
    /** The systemd unit an alert names. */
    public static final String UNIT = "{{labels.unit | or labels.systemd_unit}}";

    private BuiltInRunbooks() {
    }

    public static List<Runbook> all() {
        List<String> ignored = new ArrayList<>();
        List<Runbook> out = new ArrayList<>();
        out.add(runbook("restart-container", "alertname=~\"ContainerDown|UnhealthyContainer\"", spec("docker", "recover", Map.of("container", CONTAINER)),
                Risk.LOW, "restart container " + CONTAINER, ignored));
        out.add(runbook("clean-disk", "alertname=\"HighDiskUsage\"", spec("docker", "prune", Map.of()),
                Risk.LOW, "clean up: prune stopped containers and dangling images", ignored));
        out.add(runbook("high-cpu", "alertname=\"HighCPU\"", spec("docker", "restart-worst", Map.of("by", "cpu", "container", CONTAINER)),
                Risk.MEDIUM, "restart the container using the most CPU", ignored));
        out.add(runbook("high-memory", "alertname=\"HighMemory\"", spec("docker", "restart-worst", Map.of("by", "memory", "container", CONTAINER)),
                Risk.MEDIUM, "restart the container using the most memory", ignored));
        out.add(runbook("restart-service", "alertname=\"ServiceDown\"",
                spec("service", "restart", Map.of("container", "{{labels.container | or labels.name}}", "unit", UNIT)),
                Risk.MEDIUM, "restart {{labels.container | or labels.name | or labels.unit | or labels.systemd_unit}}", ignored));
        out.add(runbook("diagnose-host", "alertname=\"HostDown\"", spec("diagnose", "{{instance}}", Map.of()),
                Risk.HIGH, "diagnose {{instance | host}}: ping, TCP and HTTP checks, reported; nothing is changed", ignored));
        if (!ignored.isEmpty()) {
            throw new IllegalStateException("built-in runbooks: " + ignored);
        }
        return List.copyOf(out);
    }

    private static ActionSpec spec(String executor, String verb, Map<String, String> params) {
        Map<String, Template> p = new LinkedHashMap<>();
        params.forEach((k, v) -> p.put(k, Template.parse(v, k, new ArrayList<>())));
        return new ActionSpec(executor, verb, p, List.of(), Map.of());
    }

    private static Runbook runbook(String name, String matcher, ActionSpec action, Risk risk, String description, List<String> problems) {
        return new Runbook(name, List.of(LabelMatcher.parse(matcher)), action, risk, Template.parse(description, name, problems),
                null, null, null, null, true);
    }
}
