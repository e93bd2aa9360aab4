package io.homelab.alerts.app.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.homelab.alerts.common.json.Json;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/** Prints a replay's {@link Report} (and its back-test, if any) as text, JSON or CSV. */
public final class ReportWriter {
    private final ZoneId zone;
    private final Report report = new Report();

    public ReportWriter(ZoneId zone) {
        this.zone = zone;
    }

    private long alerts;
    private double seconds;

    /** How long the replay took for how many alert events (warm-up included), for the footer. */
    public void ran(long alerts, double seconds) {
        this.alerts = alerts;
        this.seconds = seconds;
    }

    public Report report() {
        return report;
    }

    public String time(Instant t) {
        return Report.time(t.toEpochMilli(), zone);
    }

    public void write(PrintWriter out, String format, String title, Comparison comparison, String what) {
        switch (format) {
            case "json" -> {
                ObjectNode root = Json.MAPPER.createObjectNode();
                root.put("title", title);
                root.set("report", report.json());
                if (comparison != null) {
                    root.set("backtest", comparison.json(what));
                }
                root.putObject("run").put("alertEvents", alerts).put("seconds", Math.round(seconds * 1000) / 1000.0)
                        .put("alertsPerSecond", Math.round(alerts / Math.max(seconds, 1e-3)));
                try {
                    out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
                } catch (JsonProcessingException e) {
                    throw new UncheckedIOException(e);
                }
            }
            case "csv" -> {
                out.println("section,name,value");
                List<String[]> rows = report.csv();
                if (comparison != null) {
                    rows = new java.util.ArrayList<>(rows);
                    rows.addAll(comparison.csv());
                }
                rows = new java.util.ArrayList<>(rows);
                rows.add(new String[] {"run", "seconds", String.format(java.util.Locale.ROOT, "%.3f", seconds)});
                rows.forEach(r -> out.println(Csv.row(r)));
            }
            default -> {
                out.print(report.text(title));
                if (comparison != null) {
                    out.println();
                    out.print(comparison.text(what.isBlank() ? "the new settings" : what));
                }
                out.printf("%nReplayed %,d alert events in %.1f s (%,.0f alerts/s).%n", alerts, seconds, alerts / Math.max(seconds, 1e-3));
            }
        }
    }
}
