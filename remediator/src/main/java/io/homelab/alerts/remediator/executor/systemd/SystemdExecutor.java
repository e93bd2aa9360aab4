package io.homelab.alerts.remediator.executor.systemd;

import io.homelab.alerts.remediator.executor.Prepared;
import io.homelab.alerts.remediator.executor.ProcessRunner;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code systemctl restart -- UNIT} as a child process. Reads {@code systemctl show} first: a
 * unit stuck on its start limit is reported ("reset-failed it once the cause is fixed") instead of
 * restarted again, and afterwards, to say whether it came up.
 */
public final class SystemdExecutor {
    private final String systemctl;

    /** @param systemctl the program: "systemctl" (found on PATH) or a full path */
    public SystemdExecutor(String systemctl) {
        this.systemctl = systemctl;
    }

    public Prepared prepare(String verb, String unit) {
        List<String> argv = List.of(systemctl, verb, "--", unit);
        return new Prepared() {
            @Override
            public String executor() {
                return "systemd";
            }

            @Override
            public String target() {
                return "unit " + (unit.contains(".") ? unit : unit + ".service"); // nginx and nginx.service are one unit
            }

            @Override
            public String call() {
                return ProcessRunner.show(argv);
            }

            @Override
            public Outcome run(Duration timeout) throws Exception {
                Map<String, String> before = show(unit, timeout);
                if ("start-limit-hit".equals(before.get("Result"))) {
                    return new Outcome(false, null, "ActiveState=" + before.get("ActiveState") + " Result=start-limit-hit",
                            unit + " hit its start limit (StartLimitBurst): not restarted again. Fix the cause, then run "
                                    + "systemctl reset-failed " + unit);
                }
                ProcessRunner.Result r = ProcessRunner.run(argv, timeout, Map.of());
                if (r.timedOut()) {
                    return new Outcome(false, null, r.output(), "systemctl " + verb + " " + unit + ": no answer within " + timeout.toSeconds() + " s");
                }
                Map<String, String> after = show(unit, timeout);
                String state = after.getOrDefault("ActiveState", "?") + "/" + after.getOrDefault("SubState", "?");
                if (r.exitCode() != 0) {
                    String why = "start-limit-hit".equals(after.get("Result")) ? " (it hit its start limit: fix the cause, then systemctl reset-failed " + unit + ")" : "";
                    return new Outcome(false, r.exitCode(), r.output(), "systemctl " + verb + " " + unit + " failed with exit code "
                            + r.exitCode() + ", now " + state + why);
                }
                boolean ok = !verb.equals("stop") ? "active".equals(after.get("ActiveState")) || "activating".equals(after.get("ActiveState")) : true;
                return new Outcome(ok, 0, r.output(), (verb.equals("restart") ? "restarted " : verb + "ed ") + unit + ", now " + state);
            }
        };
    }

    private Map<String, String> show(String unit, Duration timeout) throws Exception {
        ProcessRunner.Result r = ProcessRunner.run(List.of(systemctl, "show", "--property=ActiveState,SubState,Result,NRestarts", "--", unit),
                timeout, Map.of());
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : r.output().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return out;
    }
}
