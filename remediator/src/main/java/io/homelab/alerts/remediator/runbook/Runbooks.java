package io.homelab.alerts.remediator.runbook;

import io.homelab.alerts.common.model.AlertEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The runbooks in force: those of HOMELAB_CONFIG in file order, then the built-in ones it did not replace by name. */
public final class Runbooks {
    private final List<Runbook> all;

    public Runbooks(List<Runbook> configured, List<Runbook> builtIn) {
        Set<String> names = configured.stream().map(Runbook::name).collect(Collectors.toSet());
        List<Runbook> out = new ArrayList<>(configured);
        builtIn.stream().filter(b -> !names.contains(b.name())).forEach(out::add);
        this.all = List.copyOf(out);
    }

    public List<Runbook> all() {
        return all;
    }

    public Optional<Runbook> named(String name) {
        return all.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** The first runbook whose matchers all match; empty: a suggestion only. */
    public Optional<Runbook> firstMatching(AlertEvent alert) {
        return all.stream().filter(r -> r.matches(alert.labels())).findFirst();
    }
}
