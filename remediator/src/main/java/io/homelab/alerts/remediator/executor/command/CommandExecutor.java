package io.homelab.alerts.remediator.executor.command;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.remediator.executor.Prepared;
import io.homelab.alerts.remediator.executor.ProcessRunner;
import io.homelab.alerts.remediator.runbook.ActionSpec;
import io.homelab.alerts.remediator.runbook.ParamKind;
import io.homelab.alerts.remediator.runbook.Refusal;
import io.homelab.alerts.remediator.runbook.Template;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code command: [program, arg, ...]}: an argv run locally; each value a placeholder inserts must be a plain word. */
public final class CommandExecutor {
    private CommandExecutor() {
    }

    public static List<String> argv(List<Template> argv, AlertEvent alert) throws Refusal {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            out.add(argv.get(i).render(alert, ParamKind.WORD, "argument " + i));
        }
        return out;
    }

    public static Prepared prepare(ActionSpec spec, AlertEvent alert) throws Refusal {
        List<String> argv = argv(spec.argv(), alert);
        // The whole argv: two runbooks (or two arguments) never share a cooldown by accident.
        String target = "command " + ProcessRunner.show(argv);
        return new Prepared() {
            @Override
            public String executor() {
                return "command";
            }

            @Override
            public String target() {
                return target;
            }

            @Override
            public String call() {
                return ProcessRunner.show(argv);
            }

            @Override
            public Outcome run(Duration timeout) throws Exception {
                ProcessRunner.Result r = ProcessRunner.run(argv, timeout, Map.of());
                String what = ProcessRunner.show(argv);
                return new Outcome(r.ok(), r.timedOut() ? null : r.exitCode(), r.output(), r.timedOut()
                        ? "ran " + what + ": no answer within " + timeout.toSeconds() + " s, killed"
                        : r.ok() ? "ran " + what : "ran " + what + ": exit code " + r.exitCode());
            }
        };
    }
}
