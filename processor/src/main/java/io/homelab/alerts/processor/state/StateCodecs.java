package io.homelab.alerts.processor.state;

import io.homelab.alerts.common.binary.AlertEventCodec;
import io.homelab.alerts.common.binary.Binary;
import io.homelab.alerts.common.binary.BinarySerde;
import io.homelab.alerts.processor.history.AlertHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The processor's two per-alert stores in {@link Binary} form (their changelogs hold the same bytes). */
public final class StateCodecs {
    private StateCodecs() {}

    public static final BinarySerde<AlertState> ALERT_STATE = new BinarySerde<>(AlertState.class, StateCodecs::write, StateCodecs::readState);
    public static final BinarySerde<AlertHistory> ALERT_HISTORY = new BinarySerde<>(AlertHistory.class, StateCodecs::write,
            StateCodecs::readHistory);

    static void write(Binary.Writer w, AlertState s) {
        w.bool(s.last() != null);
        if (s.last() != null) {
            AlertEventCodec.write(w, s.last());
        }
        w.string(s.lastPassedStatus()).instant(s.lastPassedAt()).varlong(s.changes().size());
        for (Instant change : s.changes()) {
            w.instant(change);
        }
        w.bool(s.flapping());
    }

    static AlertState readState(Binary.Reader r) {
        var last = r.bool() ? AlertEventCodec.read(r) : null;
        String lastPassedStatus = r.string();
        Instant lastPassedAt = r.instant();
        int n = r.count();
        List<Instant> changes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            changes.add(r.instant());
        }
        return new AlertState(last, lastPassedStatus, lastPassedAt, changes, r.bool());
    }

    static void write(Binary.Writer w, AlertHistory h) {
        w.string(h.fingerprint()).map(h.labels()).map(h.annotations()).string(h.status()).instant(h.firstSeen()).instant(h.lastChange())
                .instant(h.lastSeen()).instant(h.firingSince()).zigzag(h.timesFired()).zigzag(h.totalFiringMillis()).zigzag(h.resolvedCount())
                .varlong(h.transitions().size());
        for (AlertHistory.Transition t : h.transitions()) {
            w.string(t.status()).instant(t.at());
        }
        w.bool(h.dropped());
    }

    static AlertHistory readHistory(Binary.Reader r) {
        String fingerprint = r.string();
        var labels = r.map();
        var annotations = r.map();
        String status = r.string();
        Instant firstSeen = r.instant();
        Instant lastChange = r.instant();
        Instant lastSeen = r.instant();
        Instant firingSince = r.instant();
        int timesFired = (int) r.zigzag();
        long totalFiringMillis = r.zigzag();
        int resolvedCount = (int) r.zigzag();
        int n = r.count();
        List<AlertHistory.Transition> transitions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            transitions.add(new AlertHistory.Transition(r.string(), r.instant()));
        }
        return new AlertHistory(fingerprint, labels, annotations, status, firstSeen, lastChange, lastSeen, firingSince, timesFired,
                totalFiringMillis, resolvedCount, transitions, r.bool());
    }
}
