package io.homelab.alerts.app.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.homelab.alerts.common.json.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code export}'s rows: one per alert event (and per release of a flapping alert, and per Watchdog
 * notice), with its decision and route. The columns are {@link #COLUMNS}, in this order, and stay so:
 * new ones are only ever added at the end. Written to {@code --out} through a temporary file beside it,
 * moved into place only when the export is complete, so an interrupted or failed export leaves the
 * old file as it was and no partial one.
 */
public final class Exporter implements Consumer<Outcome>, AutoCloseable {
    public static final List<String> COLUMNS = List.of("time", "kind", "partition", "offset", "fingerprint", "alertname", "status",
            "severity", "instance", "reason", "passed", "flapping", "notified", "lane", "route", "chats", "runbook", "action",
            "starts_at", "ends_at", "labels", "annotations");

    private final Writer writer;
    private final String format;
    private final Path out;
    private final Path partial;
    private boolean header;
    private boolean committed;
    private long rows;

    private Exporter(Writer writer, String format, Path out, Path partial) {
        this.writer = writer;
        this.format = format;
        this.out = out;
        this.partial = partial;
    }

    /** To {@code out} (via a temporary file beside it), or to {@code stdout} when it is null. */
    public static Exporter open(Path out, String format, ZoneId zone, PrintWriter stdout) throws IOException {
        if (out == null) {
            return new Exporter(stdout, format, null, null);
        }
        Path abs = out.toAbsolutePath();
        if (Files.exists(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("--out " + out + ": not a regular file (a directory, a device or a link); give a file's path");
        }
        Path partial = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".partial");
        try {
            // As a new file would be (rw-r--r--), or as the file it replaces.
            Files.setPosixFilePermissions(partial, Files.exists(abs) ? Files.getPosixFilePermissions(abs)
                    : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: the temporary file's own permissions
        }
        return new Exporter(new BufferedWriter(Files.newBufferedWriter(partial, StandardCharsets.UTF_8), 1 << 16), format, abs, partial);
    }

    public long rows() {
        return rows;
    }

    @Override
    public void accept(Outcome o) {
        try {
            if (format.equals("csv")) {
                if (!header) {
                    header = true;
                    writer.write(String.join(",", COLUMNS));
                    writer.write('\n');
                }
                writer.write(Csv.row(values(o)));
            } else {
                String[] v = values(o);
                ObjectNode row = Json.MAPPER.createObjectNode();
                for (int i = 0; i < COLUMNS.size(); i++) {
                    String c = COLUMNS.get(i);
                    switch (c) {
                        case "partition", "offset" -> row.put(c, Long.parseLong(v[i]));
                        case "passed", "flapping", "notified" -> row.put(c, Boolean.parseBoolean(v[i]));
                        case "labels" -> row.set(c, Json.MAPPER.valueToTree(o.event().labels()));
                        case "annotations" -> row.set(c, Json.MAPPER.valueToTree(o.event().annotations()));
                        default -> {
                            if (v[i].isEmpty()) {
                                row.putNull(c);
                            } else {
                                row.put(c, v[i]);
                            }
                        }
                    }
                }
                writer.write(Json.MAPPER.writeValueAsString(row));
            }
            writer.write('\n');
            rows++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String[] values(Outcome o) {
        var e = o.event();
        try {
            return new String[] {Instant.ofEpochMilli(o.at()).toString(), o.kind(), Integer.toString(o.partition()), Long.toString(o.offset()),
                    e.fingerprint(), e.alertname(), e.status(), nz(e.severity()), nz(e.instance()), o.reason() == null ? "" : o.reason().name(),
                    Boolean.toString(o.passed()), Boolean.toString(o.flapping()), Boolean.toString(o.notified()),
                    o.notified() ? (o.priority() ? "critical" : "normal") : "", nz(o.route()), o.chatList(), nz(o.runbook()), nz(o.action()),
                    e.startsAt() == null ? "" : e.startsAt().toString(), e.endsAt() == null ? "" : e.endsAt().toString(),
                    Json.MAPPER.writeValueAsString(e.labels()), Json.MAPPER.writeValueAsString(e.annotations())};
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** The export is complete: {@code --out} is replaced by it. */
    public void commit() throws IOException {
        writer.flush();
        if (out != null) {
            closed = true;
            writer.close();
            Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        committed = true;
    }

    private boolean closed;

    /** Without a commit: the temporary file is removed, whatever failed; {@code --out} stays as it was. */
    @Override
    public void close() {
        if (out == null) {
            try {
                writer.flush();
            } catch (IOException ignored) {
                // stdout went away
            }
            return;
        }
        try {
            if (!closed) {
                closed = true;
                writer.close();
            }
        } catch (IOException e) {
            // the partial file goes anyway
        } finally {
            if (!committed) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
        }
    }
}
