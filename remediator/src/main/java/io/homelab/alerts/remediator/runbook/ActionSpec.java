package io.homelab.alerts.remediator.runbook;

import java.util.List;
import java.util.Map;

/**
 * What a runbook does, as written under its {@code action:} key: the executor ({@code docker},
 * {@code systemd}, {@code service}, {@code ssh}, {@code command}, {@code http}, {@code diagnose},
 * {@code suggest}), its verb (restart, prune, a URL, a target…), its named parameters, and an argv
 * for the executors that run one. Nothing here is filled in yet: that happens per alert, with
 * every value checked ({@link Template#render}).
 */
public record ActionSpec(String executor, String verb, Map<String, Template> params, List<Template> argv, Map<String, Template> headers) {
    public ActionSpec {
        params = params == null ? Map.of() : Map.copyOf(params);
        argv = argv == null ? List.of() : List.copyOf(argv);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public Template param(String name) {
        return params.get(name);
    }

    /** Actions that only look (diagnose, suggest) change nothing: they run without asking, whatever the risk. */
    public boolean readOnly() {
        return executor.equals("diagnose") || executor.equals("suggest");
    }
}
