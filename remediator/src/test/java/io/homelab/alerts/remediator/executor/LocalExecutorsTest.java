package io.homelab.alerts.remediator.executor;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.remediator.executor.command.CommandExecutor;
import io.homelab.alerts.remediator.executor.diagnose.DiagnoseExecutor;
import io.homelab.alerts.remediator.runbook.ActionSpec;
import io.homelab.alerts.remediator.runbook.Refusal;
import io.homelab.alerts.remediator.runbook.Template;
import io.homelab.alerts.remediator.executor.http.HttpExecutor;
import io.homelab.alerts.remediator.executor.systemd.SystemdExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** systemd (a stand-in systemctl: a real child process), HTTP (a real server) and diagnose (real sockets). */
class LocalExecutorsTest {
    @TempDir
    Path dir;

    /** A systemctl that records its argv and answers {@code show} with the given properties. */
    Path systemctl(String show, int restartExit) throws Exception {
        Path log = dir.resolve("systemctl.log");
        Path script = dir.resolve("systemctl");
        Files.writeString(script, """
                #!/bin/sh
                echo "$*" >> %s
                if [ "$1" = show ]; then
                  printf '%s\\n'
                  exit 0
                fi
                exit %d
                """.formatted(log, show.replace("\n", "\\n"), restartExit));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    List<String> systemctlCalls() throws Exception {
        Path log = dir.resolve("systemctl.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void a_command_is_one_target_per_whole_argv_so_two_runbooks_never_share_a_cooldown_by_accident() throws Exception {
        AlertEvent alert = new AlertEvent("f", "firing", Map.of("alertname", "AppDown", "name", "plex"), Map.of(), null, null, null, "r", null, 0,
                java.time.Instant.now(), null);
        List<String> problems = new java.util.ArrayList<>();
        java.util.function.Function<List<String>, Prepared> prepare = argv -> {
            try {
                return CommandExecutor.prepare(new ActionSpec("command", "", Map.of(),
                        argv.stream().map(a -> Template.parse(a, "argv", problems)).toList(), Map.of()), alert);
            } catch (Refusal e) {
                throw new AssertionError(e);
            }
        };
        Prepared restart = prepare.apply(List.of("/usr/local/bin/app", "restart", "{{labels.name}}"));
        Prepared backup = prepare.apply(List.of("/usr/local/bin/app", "backup", "{{labels.name}}"));
        assertThat(problems).isEmpty();
        assertThat(restart.target()).isEqualTo("command /usr/local/bin/app restart plex");
        assertThat(backup.target()).isNotEqualTo(restart.target());
    }

    @Test
    void systemd_restarts_a_unit_with_argv_only_and_reports_its_state() throws Exception {
        Path systemctl = systemctl("ActiveState=active\nSubState=running\nResult=success\nNRestarts=0", 0);
        Prepared restart = new SystemdExecutor(systemctl.toString()).prepare("restart", "nginx.service");
        assertThat(restart.call()).isEqualTo(systemctl + " restart -- nginx.service");
        Prepared.Outcome outcome = restart.run(Duration.ofSeconds(10));
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.summary()).isEqualTo("restarted nginx.service, now active/running");
        assertThat(systemctlCalls()).containsExactly("show --property=ActiveState,SubState,Result,NRestarts -- nginx.service",
                "restart -- nginx.service", "show --property=ActiveState,SubState,Result,NRestarts -- nginx.service");
    }

    @Test
    void a_unit_stuck_on_its_start_limit_is_reported_not_restarted_again() throws Exception {
        Path systemctl = systemctl("ActiveState=failed\nSubState=failed\nResult=start-limit-hit", 0);
        Prepared.Outcome outcome = new SystemdExecutor(systemctl.toString()).prepare("restart", "nginx.service").run(Duration.ofSeconds(10));
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.summary()).isEqualTo("nginx.service hit its start limit (StartLimitBurst): not restarted again. Fix the cause, "
                + "then run systemctl reset-failed nginx.service");
        assertThat(systemctlCalls()).noneMatch(c -> c.startsWith("restart"));
    }

    @Test
    void a_failing_restart_reports_its_exit_code_and_state() throws Exception {
        Path systemctl = systemctl("ActiveState=failed\nSubState=failed\nResult=exit-code", 1);
        Prepared.Outcome outcome = new SystemdExecutor(systemctl.toString()).prepare("restart", "nginx.service").run(Duration.ofSeconds(10));
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.summary()).isEqualTo("systemctl restart nginx.service failed with exit code 1, now failed/failed");
    }

    @Test
    void http_sends_the_request_with_secrets_from_the_environment_that_the_call_never_shows() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            seen.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + ex.getRequestHeaders().getFirst("Authorization") + " "
                    + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = ex.getRequestURI().getPath().contains("broken") ? "{\"errors\":\"no such vm\"}".getBytes() : "{\"data\":\"ok\"}".getBytes();
            ex.sendResponseHeaders(ex.getRequestURI().getPath().contains("broken") ? 500 : 200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            HttpExecutor http = new HttpExecutor(Map.of("PVE_TOKEN", "s3cret"));
            Prepared reboot = http.prepare("POST", base + "/api2/json/nodes/pve/qemu/101/status/reboot",
                    Map.of("Authorization", "PVEAPIToken=${PVE_TOKEN}"), "{\"vm\":\"101\"}");
            assertThat(reboot.call()).isEqualTo("POST " + base + "/api2/json/nodes/pve/qemu/101/status/reboot").doesNotContain("s3cret");
            Prepared.Outcome ok = reboot.run(Duration.ofSeconds(10));
            assertThat(ok.ok()).isTrue();
            assertThat(ok.exitCode()).isEqualTo(200);
            assertThat(seen).containsExactly("POST /api2/json/nodes/pve/qemu/101/status/reboot PVEAPIToken=s3cret {\"vm\":\"101\"}");

            Prepared.Outcome broken = http.prepare("POST", base + "/broken", Map.of(), "").run(Duration.ofSeconds(10));
            assertThat(broken.ok()).isFalse();
            assertThat(broken.summary()).isEqualTo("POST 127.0.0.1 answered 500");
            assertThat(broken.output()).isEqualTo("{\"errors\":\"no such vm\"}");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void an_http_error_never_shows_the_secret_in_the_url() throws Exception {
        HttpExecutor http = new HttpExecutor(Map.of("HOOK_TOKEN", "S3CRETTOKEN"));
        Prepared p = http.prepare("POST", "http://127.0.0.1:1/hook/${HOOK_TOKEN}", Map.of(), "");
        assertThat(p.call()).doesNotContain("S3CRET");
        try {
            p.run(Duration.ofSeconds(5));
            throw new AssertionError("port 1 answered");
        } catch (java.io.IOException e) {
            assertThat(e.getMessage()).doesNotContain("S3CRET");
        }
        try {
            http.prepare("POST", "http://a_b:1/hook/${HOOK_TOKEN}", Map.of(), "").run(Duration.ofSeconds(5));
            throw new AssertionError("no host, yet it ran");
        } catch (java.io.IOException e) {
            assertThat(e.getMessage()).contains("${HOOK_TOKEN}").doesNotContain("S3CRET");
        }
    }

    @Test
    void diagnose_reports_an_open_port_a_closed_port_and_an_http_answer() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try {
            DiagnoseExecutor diagnose = new DiagnoseExecutor("ping");
            Prepared up = diagnose.prepare("127.0.0.1", String.valueOf(server.getAddress().getPort()), List.of("tcp", "http"));
            assertThat(up.readOnly()).isTrue();
            Prepared.Outcome report = up.run(Duration.ofSeconds(10));
            assertThat(report.output()).matches("(?s)tcp \\d+: open \\(\\d+ ms\\)\nhttp http://127.0.0.1:\\d+/: 204");

            Prepared.Outcome down = diagnose.prepare("127.0.0.1", String.valueOf(closed), List.of("tcp", "http")).run(Duration.ofSeconds(10));
            assertThat(down.output()).contains("tcp " + closed + ": refused").contains("http http://127.0.0.1:" + closed + "/: refused");

            Prepared.Outcome noPing = new DiagnoseExecutor(dir.resolve("no-such-ping").toString()).prepare("127.0.0.1", "", List.of("ping", "tcp"))
                    .run(Duration.ofSeconds(10));
            assertThat(noPing.output()).startsWith("ping: could not run ").contains("tcp: no port in the instance label");
        } finally {
            server.stop(0);
        }
    }
}
