package io.homelab.alerts.common.binary;

import io.homelab.alerts.common.model.AlertEvent;

/** {@link AlertEvent} in {@link Binary} form: every field, in declaration order. */
public final class AlertEventCodec {
    private AlertEventCodec() {}

    public static final BinarySerde<AlertEvent> SERDE = new BinarySerde<>(AlertEvent.class, AlertEventCodec::write, AlertEventCodec::read);

    public static void write(Binary.Writer w, AlertEvent e) {
        w.string(e.fingerprint()).string(e.status()).map(e.labels()).map(e.annotations()).instant(e.startsAt()).instant(e.endsAt())
                .string(e.generatorUrl()).string(e.receiver()).string(e.externalUrl()).zigzag(e.truncatedAlerts()).instant(e.receivedAt())
                .string(e.notificationReason());
    }

    public static AlertEvent read(Binary.Reader r) {
        return new AlertEvent(r.string(), r.string(), r.map(), r.map(), r.instant(), r.instant(), r.string(), r.string(), r.string(),
                (int) r.zigzag(), r.instant(), r.string());
    }
}
