package io.homelab.alerts.remediator.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.remediator.executor.ssh.SshExecutor;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ssh executor against a real sshd (Debian's openssh-server) started on loopback for the test. */
class SshExecutorTest {
    static final Path SSHD = Path.of("/usr/sbin/sshd");
    @TempDir
    static Path dir;
    static Process sshd;
    static int port;
    static Path key;
    static Path knownHosts;
    static String user;

    @BeforeAll
    static void startSshd() throws Exception {
        if (!Files.isExecutable(SSHD) || !Files.isExecutable(Path.of("/usr/bin/ssh"))) {
            if (System.getenv("CI") == null) {
                Assumptions.abort("openssh-server / openssh-client not installed (under CI these tests must run)");
            }
            throw new AssertionError("CI is set but /usr/sbin/sshd or /usr/bin/ssh is missing: .ci/run must install openssh-server");
        }
        user = System.getProperty("user.name");
        Path hostKey = dir.resolve("host_ed25519");
        key = dir.resolve("id_ed25519");
        exec(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()));
        exec(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
        Path authorized = dir.resolve("authorized_keys");
        Files.copy(Path.of(key + ".pub"), authorized);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + hostKey, "AuthorizedKeysFile " + authorized,
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no",
                "PermitRootLogin prohibit-password", "PidFile " + dir.resolve("sshd.pid"), ""));
        Files.createDirectories(Path.of("/run/sshd"));
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                break;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline || !sshd.isAlive()) {
                    throw new AssertionError("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
                }
                Thread.sleep(100);
            }
        }
        knownHosts = dir.resolve("known_hosts");
        String hostPub = Files.readString(Path.of(hostKey + ".pub")).strip();
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + hostPub.substring(0, hostPub.lastIndexOf(' ')) + "\n");
    }

    @AfterAll
    static void stopSshd() {
        if (sshd != null) {
            sshd.destroy();
        }
    }

    static void exec(List<String> argv) throws Exception {
        assertThat(ProcessRunner.run(argv, Duration.ofSeconds(30), Map.of()).exitCode()).as(String.join(" ", argv)).isZero();
    }

    @Test
    void runs_the_argv_on_the_other_host_each_argument_arriving_as_it_was() throws Exception {
        Prepared p = new SshExecutor("ssh").prepare("127.0.0.1", user, key.toString(), knownHosts.toString(), String.valueOf(port),
                List.of("printf", "%s|", "it's", "a b", "$(id)"));
        assertThat(p.call()).isEqualTo("ssh " + user + "@127.0.0.1: printf '%s|' 'it'\\''s' 'a b' '$(id)'");
        Prepared.Outcome outcome = p.run(Duration.ofSeconds(30));
        assertThat(outcome.ok()).as(outcome.output()).isTrue();
        assertThat(outcome.output()).isEqualTo("it's|a b|$(id)|");
        assertThat(outcome.summary()).isEqualTo("ran printf '%s|' 'it'\\''s' 'a b' '$(id)' on 127.0.0.1");
    }

    @Test
    void an_unknown_host_key_is_refused_by_ssh_and_reported() throws Exception {
        Path empty = dir.resolve("empty_known_hosts");
        Files.writeString(empty, "");
        Prepared.Outcome outcome = new SshExecutor("ssh").prepare("127.0.0.1", user, key.toString(), empty.toString(), String.valueOf(port),
                List.of("true")).run(Duration.ofSeconds(30));
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.exitCode()).isEqualTo(255);
        assertThat(outcome.summary()).endsWith("exit code 255 (ssh itself failed: connection, host key or login; see the output)");
        assertThat(outcome.output()).contains("Host key verification failed");
    }

    @Test
    void a_remote_failure_reports_its_exit_code() throws Exception {
        Prepared.Outcome outcome = new SshExecutor("ssh").prepare("127.0.0.1", user, key.toString(), knownHosts.toString(), String.valueOf(port),
                List.of("sh", "-c", "exit 4")).run(Duration.ofSeconds(30));
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.exitCode()).isEqualTo(4);
    }
}
