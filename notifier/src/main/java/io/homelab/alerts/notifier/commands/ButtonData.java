package io.homelab.alerts.notifier.commands;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The callback data of our inline buttons: a few fixed-length forms, each well under Telegram's 64
 * bytes whatever the alert, and parsed strictly (a modified client can send anything here, so
 * anything else is refused). The data only says which button; that it was really shown where it was
 * pressed is checked against the message's own keyboard, as Telegram reports it.
 */
public sealed interface ButtonData {
    /** Telegram: callback data is 1 to 64 bytes. */
    int MAX_BYTES = 64;

    /** The Silence durations offered, in hours. */
    java.util.List<Integer> SILENCE_HOURS = java.util.List.of(1, 4, 24);

    String encode();

    /** Which notification topic a silenced alert's record is on. */
    enum Lane {
        NORMAL('n'), PRIORITY('p');

        final char letter;

        Lane(char letter) {
            this.letter = letter;
        }

        static Lane of(char letter) {
            return letter == 'p' ? PRIORITY : NORMAL;
        }
    }

    /**
     * 🔕 for {@code hours}: the alert is the notification record at {@code lane}/{@code partition}/
     * {@code offset}, so the silence matches exactly the labels that message showed.
     * {@code silence:<n|p><partition, 4 hex><offset, 16 hex>:<hours, 2 digits>}.
     */
    record Silence(Lane lane, int partition, long offset, int hours) implements ButtonData {
        @Override
        public String encode() {
            return String.format(Locale.ROOT, "silence:%c%04x%016x:%02d", lane.letter, partition, offset, hours);
        }
    }

    /**
     * 🔕 all for {@code hours}: every firing alert of a gathered message, as its pack record at
     * {@code partition}/{@code offset} names them. {@code silenceall:<partition, 4 hex><offset, 16 hex>:<hours, 2 digits>}.
     */
    record SilenceAll(int partition, long offset, int hours) implements ButtonData {
        @Override
        public String encode() {
            return String.format(Locale.ROOT, "silenceall:%04x%016x:%02d", partition, offset, hours);
        }

        /** What the silences' comment carries, so Undo finds exactly them. */
        public String tag() {
            return String.format(Locale.ROOT, "[pack %04x%016x]", partition, offset);
        }
    }

    /** Undo of the silences one 🔕 all created: {@code unsilenceall:<partition, 4 hex><offset, 16 hex>}. */
    record UnsilenceAll(int partition, long offset) implements ButtonData {
        @Override
        public String encode() {
            return String.format(Locale.ROOT, "unsilenceall:%04x%016x", partition, offset);
        }

        String tag() {
            return new SilenceAll(partition, offset, 1).tag();
        }
    }

    /** Undo of a silence we created: {@code unsilence:<Alertmanager silence id, a UUID>}. */
    record Unsilence(String silenceId) implements ButtonData {
        @Override
        public String encode() {
            return "unsilence:" + silenceId;
        }
    }

    /** ✅ / ❌ on an approval request: {@code approve:<24 hex>} or {@code reject:<24 hex>}. */
    record Decide(boolean approve, String requestId) implements ButtonData {
        @Override
        public String encode() {
            return (approve ? "approve:" : "reject:") + requestId;
        }
    }

    /** A button that only shows something (e.g. who silenced). */
    record Noop() implements ButtonData {
        @Override
        public String encode() {
            return "noop";
        }
    }

    Pattern SILENCE = Pattern.compile("silence:([np])([0-9a-f]{4})([0-9a-f]{16}):(\\d{2})");
    Pattern SILENCE_ALL = Pattern.compile("silenceall:([0-9a-f]{4})([0-9a-f]{16}):(\\d{2})");
    Pattern UNSILENCE_ALL = Pattern.compile("unsilenceall:([0-9a-f]{4})([0-9a-f]{16})");
    Pattern UNSILENCE = Pattern.compile("unsilence:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");
    Pattern DECIDE = Pattern.compile("(approve|reject):([0-9a-f]{24})");
    Pattern SILENCE_ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** The button {@code data} stands for; empty when it is none of ours. */
    static Optional<ButtonData> parse(String data) {
        if (data == null || data.length() > MAX_BYTES) {
            return Optional.empty();
        }
        if (data.equals("noop")) {
            return Optional.of(new Noop());
        }
        var m = SILENCE.matcher(data);
        if (m.matches()) {
            int hours = Integer.parseInt(m.group(4));
            long offset = Long.parseUnsignedLong(m.group(3), 16);
            if (!SILENCE_HOURS.contains(hours) || offset < 0) {
                return Optional.empty();
            }
            return Optional.of(new Silence(Lane.of(m.group(1).charAt(0)), Integer.parseInt(m.group(2), 16), offset, hours));
        }
        m = SILENCE_ALL.matcher(data);
        if (m.matches()) {
            int hours = Integer.parseInt(m.group(3));
            long offset = Long.parseUnsignedLong(m.group(2), 16);
            if (!SILENCE_HOURS.contains(hours) || offset < 0) {
                return Optional.empty();
            }
            return Optional.of(new SilenceAll(Integer.parseInt(m.group(1), 16), offset, hours));
        }
        m = UNSILENCE_ALL.matcher(data);
        if (m.matches()) {
            long offset = Long.parseUnsignedLong(m.group(2), 16);
            return offset < 0 ? Optional.empty() : Optional.of(new UnsilenceAll(Integer.parseInt(m.group(1), 16), offset));
        }
        m = UNSILENCE.matcher(data);
        if (m.matches()) {
            return Optional.of(new Unsilence(m.group(1)));
        }
        m = DECIDE.matcher(data);
        if (m.matches()) {
            return Optional.of(new Decide(m.group(1).equals("approve"), m.group(2)));
        }
        return Optional.empty();
    }

    /** The Undo button for a silence Alertmanager created; empty when its id is not a UUID (we never put other data in a button). */
    static Optional<ButtonData> unsilence(String silenceId) {
        return silenceId != null && SILENCE_ID.matcher(silenceId).matches()
                ? Optional.of(new Unsilence(silenceId.toLowerCase(Locale.ROOT))) : Optional.empty();
    }
}
