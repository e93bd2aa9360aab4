package io.homelab.alerts.remediator.executor.ssh;

import io.homelab.alerts.remediator.executor.Prepared;
import io.homelab.alerts.remediator.executor.ProcessRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An argv on another machine through the system {@code ssh} client: {@code BatchMode=yes} (never
 * a password prompt), host keys checked against the configured known_hosts file, a configured user
 * and key. The remote side hands the command to the user's shell, so every argument is quoted for a
 * POSIX shell here (and every value from a label was already checked to be a plain word).
 */
public final class SshExecutor {
    private final String ssh;

    public SshExecutor(String ssh) {
        this.ssh = ssh;
    }

    public Prepared prepare(String host, String user, String key, String knownHosts, String port, List<String> remote) {
        List<String> argv = new ArrayList<>(List.of(ssh, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                "-o", "UserKnownHostsFile=" + knownHosts, "-o", "ConnectTimeout=10", "-i", key, "-l", user));
        if (port != null && !port.isEmpty()) {
            argv.addAll(List.of("-p", port));
        }
        argv.add(host);
        argv.add("--");
        List<String> quoted = remote.stream().map(SshExecutor::quote).toList();
        argv.add(String.join(" ", quoted));
        String shown = user + "@" + host + ": " + ProcessRunner.show(remote);
        return new Prepared() {
            @Override
            public String executor() {
                return "ssh";
            }

            @Override
            public String target() {
                return "host " + host.toLowerCase(java.util.Locale.ROOT).replaceFirst("\\.$", ""); // NAS, nas and nas. are one host
            }

            @Override
            public String call() {
                return "ssh " + shown;
            }

            @Override
            public Outcome run(Duration timeout) throws Exception {
                ProcessRunner.Result r = ProcessRunner.run(argv, timeout, Map.of());
                if (r.timedOut()) {
                    return new Outcome(false, null, r.output(), "ssh " + shown + ": no answer within " + timeout.toSeconds() + " s, killed");
                }
                String why = r.exitCode() == 255 ? " (ssh itself failed: connection, host key or login; see the output)" : "";
                return new Outcome(r.exitCode() == 0, r.exitCode(), r.output(),
                        "ran " + ProcessRunner.show(remote) + " on " + host + (r.exitCode() == 0 ? "" : ": exit code " + r.exitCode() + why));
            }
        };
    }

    /** Single-quoted for a POSIX shell: the remote shell sees exactly this one argument. */
    static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
