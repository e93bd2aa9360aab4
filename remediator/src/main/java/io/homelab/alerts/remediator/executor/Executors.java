package io.homelab.alerts.remediator.executor;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.remediator.executor.command.CommandExecutor;
import io.homelab.alerts.remediator.executor.diagnose.DiagnoseExecutor;
import io.homelab.alerts.remediator.executor.docker.DockerExecutor;
import io.homelab.alerts.remediator.executor.http.HttpExecutor;
import io.homelab.alerts.remediator.executor.ssh.SshExecutor;
import io.homelab.alerts.remediator.executor.systemd.SystemdExecutor;
import io.homelab.alerts.remediator.runbook.ActionSpec;
import io.homelab.alerts.remediator.runbook.ParamKind;
import io.homelab.alerts.remediator.runbook.Refusal;
import io.homelab.alerts.remediator.runbook.Runbook;
import io.homelab.alerts.remediator.runbook.Template;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills a runbook's action in for one alert — every value checked against its kind — and hands
 * back what to run. Nothing runs here except the read-only look-ups some actions need to choose
 * their target (the container using the most CPU).
 */
public final class Executors implements AutoCloseable {
    /** The programs executors run, by name; tests put stand-ins here. */
    public record Programs(String systemctl, String ssh, String ping) {
        public static final Programs SYSTEM = new Programs("systemctl", "ssh", "ping");
    }

    private final DockerExecutor docker;
    private final SystemdExecutor systemd;
    private final SshExecutor ssh;
    private final HttpExecutor http;
    private final DiagnoseExecutor diagnose;

    public Executors(String dockerHost, Programs programs, Map<String, String> env) {
        this.docker = new DockerExecutor(dockerHost);
        this.systemd = new SystemdExecutor(programs.systemctl());
        this.ssh = new SshExecutor(programs.ssh());
        this.http = new HttpExecutor(env);
        this.diagnose = new DiagnoseExecutor(programs.ping());
    }

    /**
     * The action of {@code runbook} for {@code alert}; null for a suggestion-only runbook.
     *
     * @param pinnedTarget the container chosen when the approval was asked (restart-worst), so an
     *     Approve restarts what the message named; null: choose now
     */
    public Prepared prepare(Runbook runbook, AlertEvent alert, String pinnedTarget) throws Refusal {
        ActionSpec a = runbook.action();
        return switch (a.executor()) {
            case "suggest" -> null;
            case "docker" -> switch (a.verb()) {
                case "prune" -> docker.prune();
                case "restart-worst" -> {
                    String named = pinnedTarget != null ? pinnedTarget : optional(a.param("container"), alert, ParamKind.CONTAINER, "container");
                    yield docker.restartWorst(a.param("by") == null ? "cpu" : a.param("by").text(), named);
                }
                case "recover" -> docker.recover(a.param("container").render(alert, ParamKind.CONTAINER, "container"));
                default -> docker.container(a.verb(), a.param("container").render(alert, ParamKind.CONTAINER, "container"));
            };
            case "systemd" -> systemd.prepare(a.verb(), a.param("unit").render(alert, ParamKind.UNIT, "unit"));
            case "service" -> {
                String container = optional(a.param("container"), alert, ParamKind.CONTAINER, "container");
                if (container != null && !container.isEmpty()) {
                    yield docker.container(a.verb(), container);
                }
                String unit = optional(a.param("unit"), alert, ParamKind.UNIT, "unit");
                if (unit != null && !unit.isEmpty()) {
                    yield systemd.prepare(a.verb(), unit);
                }
                throw new Refusal("the alert names neither a container (" + text(a.param("container")) + ") nor a systemd unit ("
                        + text(a.param("unit")) + ")");
            }
            case "ssh" -> ssh.prepare(a.param("host").render(alert, ParamKind.HOST, "host"), a.param("user").render(alert, ParamKind.WORD, "user"),
                    a.param("key").text(), a.param("known_hosts").text(), a.param("port") == null ? "" : a.param("port").text(),
                    CommandExecutor.argv(a.argv(), alert));
            case "command" -> CommandExecutor.prepare(a, alert);
            case "http" -> {
                Map<String, String> headers = new LinkedHashMap<>();
                for (var h : a.headers().entrySet()) {
                    headers.put(h.getKey(), h.getValue().render(alert, ParamKind.WORD, "header " + h.getKey()));
                }
                yield http.prepare(a.param("method") == null ? "POST" : a.param("method").text(),
                        Template.parse(a.verb(), "url", new ArrayList<>()).render(alert, ParamKind.URL_PART, "url"), headers,
                        a.param("body") == null ? "" : a.param("body").render(alert, ParamKind.WORD, "body"));
            }
            case "diagnose" -> {
                String target = Template.parse(a.verb(), "target", new ArrayList<>()).render(alert, ParamKind.TEXT, "target");
                String[] hp = Template.hostPort(target);
                var problem = ParamKind.HOST.problem(hp[0]);
                if (problem.isPresent()) {
                    throw new Refusal("host '" + io.homelab.alerts.common.logging.Printable.of(hp[0]) + "' " + problem.get());
                }
                if (!hp[1].isEmpty() && !hp[1].matches("\\d{1,5}")) {
                    throw new Refusal("port '" + io.homelab.alerts.common.logging.Printable.of(hp[1]) + "' is not a port number");
                }
                List<String> checks = a.params().keySet().stream().filter(k -> k.startsWith("check.")).map(k -> k.substring(6)).toList();
                yield diagnose.prepare(hp[0], hp[1], checks.isEmpty() ? List.of("ping", "tcp", "http") : checks);
            }
            default -> throw new IllegalStateException("unknown executor " + a.executor());
        };
    }

    private static String optional(Template t, AlertEvent alert, ParamKind kind, String param) throws Refusal {
        if (t == null) {
            return null;
        }
        try {
            return t.render(alert, kind, param);
        } catch (Refusal e) {
            // Missing is fine (choose another way); a value that is there but bad is refused.
            if (e.getMessage().contains("(missing or empty)")) {
                return null;
            }
            throw e;
        }
    }

    private static String text(Template t) {
        return t == null ? "none configured" : t.text();
    }

    public DockerExecutor docker() {
        return docker;
    }

    @Override
    public void close() throws Exception {
        docker.close();
    }
}
