package io.homelab.alerts.app.replay;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times on the command line: {@code now}; relative to now, {@code -7d}, {@code -24h}, {@code -30m},
 * {@code -90s}, {@code -2w}; or ISO-8601: {@code 2026-11-24T10:00:00Z}, {@code 2026-11-24T10:00+01:00},
 * {@code 2026-11-24T10:00} and {@code 2026-11-24} (in ALERT_TIME_ZONE).
 */
public final class TimeSpec {
    private static final Pattern RELATIVE = Pattern.compile("-(\\d{1,9})([smhdw])");

    private TimeSpec() {}

    /** @throws IllegalArgumentException saying what is accepted */
    public static Instant parse(String text, Instant now, ZoneId zone) {
        Instant at;
        try {
            at = parseAny(text, now, zone);
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is out of range");
        }
        if (at.isBefore(Instant.EPOCH)) {
            throw new IllegalArgumentException("'" + text + "' is before 1970: no webhook can be that old");
        }
        return at;
    }

    private static Instant parseAny(String text, Instant now, ZoneId zone) {
        String t = text == null ? "" : text.strip();
        if (t.equalsIgnoreCase("now")) {
            return now;
        }
        Matcher m = RELATIVE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration unit = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                case "d" -> Duration.ofDays(1);
                default -> Duration.ofDays(7);
            };
            return now.minus(unit.multipliedBy(n));
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException ignored) {
            // not with an offset
        }
        try {
            return LocalDateTime.parse(t).atZone(zone).toInstant();
        } catch (DateTimeParseException ignored) {
            // not a local date-time
        }
        try {
            return LocalDate.parse(t).atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException ignored) {
            // not a date
        }
        throw new IllegalArgumentException("'" + text + "' is not a time: use now, -7d, -24h, -30m, -90s, -2w, or ISO-8601 such as"
                + " 2026-11-24T10:00:00Z or 2026-11-24");
    }
}
