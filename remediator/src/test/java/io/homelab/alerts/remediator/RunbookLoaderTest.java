package io.homelab.alerts.remediator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homelab.alerts.common.config.ConfigException;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.Fingerprint;
import io.homelab.alerts.common.model.RemediationRequest;
import io.homelab.alerts.remediator.executor.Executors;
import io.homelab.alerts.remediator.executor.Prepared;
import io.homelab.alerts.remediator.runbook.Refusal;
import io.homelab.alerts.remediator.runbook.Risk;
import io.homelab.alerts.remediator.runbook.Runbook;
import io.homelab.alerts.remediator.runbook.RunbookLoader;
import io.homelab.alerts.remediator.runbook.Runbooks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunbookLoaderTest {
    @TempDir
    Path dir;
    final Executors executors = new Executors("unix:///var/run/docker.sock", Executors.Programs.SYSTEM, Map.of());

    static AlertEvent alert(Map<String, String> labels) {
        return new AlertEvent(Fingerprint.of(labels), "firing", labels, Map.of(), Instant.now(), null, null, "r", null, 0, Instant.now(), null);
    }

    Path file(String yaml) throws Exception {
        Path f = dir.resolve("homelab.yml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void the_example_file_has_a_runbook_per_executor_and_loads() throws Exception {
        Runbooks runbooks = RunbookLoader.load(Path.of("../examples/homelab.yml"), Map.of("PVE_API_TOKEN", "x", "PAGERDUTY_ROUTING_KEY", "y",
                "GRAFANA_TOKEN", "z"));
        assertThat(runbooks.all().stream().filter(r -> !r.builtIn()).map(r -> r.action().executor()).distinct())
                .containsExactlyInAnyOrder("docker", "systemd", "ssh", "command", "http", "diagnose", "suggest");
    }

    @Test
    void the_built_in_runbooks_are_the_table_users_know() throws Exception {
        Runbooks builtIn = RunbookLoader.builtIn();
        assertThat(builtIn.all()).extracting(Runbook::name).containsExactlyElementsOf(RemediationRequest.BUILT_IN_RUNBOOKS);
        Map<String, String[]> table = Map.of(
                "ContainerDown", new String[] {"restart-container", "low"}, "UnhealthyContainer", new String[] {"restart-container", "low"},
                "HighDiskUsage", new String[] {"clean-disk", "low"}, "HighCPU", new String[] {"high-cpu", "medium"},
                "HighMemory", new String[] {"high-memory", "medium"}, "ServiceDown", new String[] {"restart-service", "medium"},
                "HostDown", new String[] {"diagnose-host", "high"});
        table.forEach((alertname, expected) -> {
            Runbook r = builtIn.firstMatching(alert(Map.of("alertname", alertname))).orElseThrow();
            assertThat(r.name()).as(alertname).isEqualTo(expected[0]);
            assertThat(r.risk().label()).as(alertname).isEqualTo(expected[1]);
        });
        assertThat(builtIn.firstMatching(alert(Map.of("alertname", "SomethingElse")))).as("anything else: a suggestion only").isEmpty();
    }

    @Test
    void the_container_comes_from_name_else_container_else_container_name_and_the_unit_from_unit_or_systemd_unit() throws Exception {
        Runbooks builtIn = RunbookLoader.builtIn();
        Runbook restart = builtIn.named("restart-container").orElseThrow();
        // Docker is asked about the container the labels name (none of these exists, so each is refused by that name).
        for (var e : Map.of("ha-absent-jellyfin", Map.of("alertname", "ContainerDown", "name", "ha-absent-jellyfin", "container", "x"),
                "ha-absent-plex", Map.of("alertname", "ContainerDown", "container", "ha-absent-plex"),
                "ha-absent-sonarr", Map.of("alertname", "ContainerDown", "container_name", "ha-absent-sonarr")).entrySet()) {
            assertThatThrownBy(() -> executors.prepare(restart, alert(e.getValue()), null)).as(e.getKey()).isInstanceOf(Refusal.class)
                    .hasMessageMatching("(no container named " + e.getKey() + " on |cannot ask Docker at .* about " + e.getKey() + ": ).*");
        }
        Runbook service = builtIn.named("restart-service").orElseThrow();
        Prepared unit = executors.prepare(service, alert(Map.of("alertname", "ServiceDown", "systemd_unit", "nginx.service")), null);
        assertThat(unit.call()).isEqualTo("systemctl restart -- nginx.service");
        assertThatThrownBy(() -> executors.prepare(service, alert(Map.of("alertname", "ServiceDown")), null)).isInstanceOf(Refusal.class)
                .hasMessageStartingWith("the alert names neither a container");
        Runbook host = builtIn.named("diagnose-host").orElseThrow();
        Prepared diagnose = executors.prepare(host, alert(Map.of("alertname", "HostDown", "instance", "nas.lan:9100")), null);
        assertThat(diagnose.readOnly()).isTrue();
        assertThat(diagnose.call()).isEqualTo("diagnose nas.lan:9100 (ping, tcp, http)");
    }

    @Test
    void hostile_label_values_never_reach_a_parameter() throws Exception {
        Runbook restart = RunbookLoader.builtIn().named("restart-container").orElseThrow();
        for (String bad : List.of("x; rm -rf /", "a\nb", "--force", "..", "a/../b", "$(reboot)", "jelly fin", "-rf")) {
            Map<String, String> labels = new HashMap<>(Map.of("alertname", "ContainerDown", "name", bad));
            assertThatThrownBy(() -> executors.prepare(restart, alert(labels), null)).as(bad).isInstanceOf(Refusal.class)
                    .hasMessageStartingWith("label name '");
        }
        Runbook host = RunbookLoader.builtIn().named("diagnose-host").orElseThrow();
        assertThatThrownBy(() -> executors.prepare(host, alert(Map.of("alertname", "HostDown", "instance", "-oProxyCommand=x:22")), null))
                .isInstanceOf(Refusal.class).hasMessageContaining("is not a host name or address");
    }

    @Test
    void a_label_cannot_redirect_an_http_action_or_take_its_secrets_elsewhere() throws Exception {
        Path f = file("""
                runbooks:
                  - name: hook
                    matchers: ['alertname="X"']
                    risk: low
                    action:
                      http: 'http://{{labels.host}}:29997/api/x'
                      headers: {Authorization: 'Bearer ${HOOK_TOKEN}'}
                """);
        assertThatThrownBy(() -> RunbookLoader.load(f, Map.of("HOOK_TOKEN", "t"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("the host comes from the alert, so ${VAR} secrets cannot be sent with it");
        Runbooks ok = RunbookLoader.load(file("""
                runbooks:
                  - name: hook
                    matchers: ['alertname="X"']
                    risk: low
                    action:
                      http: 'http://127.0.0.1:29997/vm/{{labels.vm}}/reboot'
                      headers: {Authorization: 'Bearer ${HOOK_TOKEN}'}
                """), Map.of("HOOK_TOKEN", "t"));
        Runbook hook = ok.named("hook").orElseThrow();
        for (String bad : List.of("127.0.0.1:29998/steal", "x@evil", "a/b", "a?b", "%2e")) {
            assertThatThrownBy(() -> executors.prepare(hook, alert(Map.of("alertname", "X", "vm", bad)), null)).as(bad)
                    .isInstanceOf(Refusal.class).hasMessageContaining("is not a URL piece");
        }
        assertThat(executors.prepare(hook, alert(Map.of("alertname", "X", "vm", "101")), null).call())
                .isEqualTo("POST http://127.0.0.1:29997/vm/101/reboot");
    }

    @Test
    void every_problem_is_reported_with_file_line_and_reason() throws Exception {
        Path f = file("""
                runbooks:
                  - name: a
                    matchers: ['alertname="X"']
                    risk: severe
                    action: {docker: reboot}
                  - name: b
                    risk: low
                    action:
                      command: ["{{labels.program}}", "x"]
                  - name: c
                    matchers: []
                    risk: low
                    action:
                      ssh: [reboot]
                      host: '{{labels.nope | bogus}}'
                  - name: d
                    matchers: []
                    risk: low
                    action:
                      http: https://x/{{labels.id}}
                      headers: {Authorization: "Bearer ${NOT_SET}"}
                    cooldown: forever
                """);
        assertThatThrownBy(() -> RunbookLoader.load(f, Map.of())).isInstanceOf(ConfigException.class).satisfies(e -> assertThat(
                ((ConfigException) e).problems()).containsExactly(
                f + ":4: runbooks[0].risk: expected low, medium or high, got 'severe'",
                f + ":5: runbooks[0].action.docker: expected one of prune, recover, restart, restart-worst, start, stop, got 'reboot'",
                f + ":9: runbooks[1].action.command[0]: the program to run must be written out, not filled from the alert",
                f + ":6: runbooks[1]: 'matchers' is required (write matchers: [] for a runbook any alert may use; routes pick it with remediate: NAME)",
                f + ":15: runbooks[2].action.host: unknown filter 'bogus' (use host, port, lower, upper, default <text>, or <name>)",
                f + ":14: runbooks[2].action: ssh needs 'user' (host keys are always checked: BatchMode=yes, StrictHostKeyChecking=yes)",
                f + ":14: runbooks[2].action: ssh needs 'key' (host keys are always checked: BatchMode=yes, StrictHostKeyChecking=yes)",
                f + ":14: runbooks[2].action: ssh needs 'known_hosts' (host keys are always checked: BatchMode=yes, StrictHostKeyChecking=yes)",
                f + ":10: runbooks[2]: an ssh action runs on another machine: its risk must be high",
                f + ":21: runbooks[3].action.headers.Authorization: ${NOT_SET} is not set in the environment or .env",
                f + ":22: runbooks[3].cooldown: expected a duration such as 90s, 10m, 1h (or seconds), got 'forever'"));
    }

    @Test
    void a_runbook_of_a_built_in_name_replaces_it_and_an_annotation_can_raise_the_risk_never_lower_it() throws Exception {
        Runbooks runbooks = RunbookLoader.load(file("""
                runbooks:
                  - name: restart-container
                    matchers: ['alertname="ContainerDown"']
                    risk: medium
                    action: {docker: restart, container: '{{labels.name}}'}
                """), Map.of());
        assertThat(runbooks.named("restart-container").orElseThrow().risk()).isEqualTo(Risk.MEDIUM);
        assertThat(runbooks.all()).hasSize(RemediationRequest.BUILT_IN_RUNBOOKS.size());
        assertThat(Risk.LOW.atLeast(Risk.HIGH)).isEqualTo(Risk.HIGH);
        assertThat(Risk.HIGH.atLeast(Risk.LOW)).isEqualTo(Risk.HIGH);
    }
}
