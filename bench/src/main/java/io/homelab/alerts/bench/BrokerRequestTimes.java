package io.homelab.alerts.bench;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** The in-process broker's own request timings (kafka.network RequestMetrics, read through JMX), by request type and phase. */
final class BrokerRequestTimes {
    static final List<String> REQUESTS = List.of("Produce", "Fetch", "AddPartitionsToTxn", "AddOffsetsToTxn", "TxnOffsetCommit",
            "EndTxn", "WriteTxnMarkers");
    static final List<String> PHASES = List.of("RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ResponseQueueTimeMs", "TotalTimeMs");

    private BrokerRequestTimes() {}

    /** "request phase" → {count, sum}. */
    static Map<String, double[]> snapshot() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, double[]> out = new TreeMap<>();
        for (ObjectName bean : server.queryNames(new ObjectName("kafka.network:type=RequestMetrics,*"), null)) {
            String request = bean.getKeyProperty("request");
            String name = bean.getKeyProperty("name");
            if (REQUESTS.contains(request) && PHASES.contains(name) && bean.getKeyProperty("version") == null) {
                double count = ((Number) server.getAttribute(bean, "Count")).doubleValue();
                double mean = ((Number) server.getAttribute(bean, "Mean")).doubleValue();
                out.merge(request + " " + name, new double[] {count, count * mean}, (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]});
            }
        }
        return out;
    }

    static void print(Map<String, double[]> before, Map<String, double[]> after) {
        System.out.printf("%-20s %7s", "request", "count");
        PHASES.forEach(p -> System.out.printf(" %9s", p.replace("TimeMs", "")));
        System.out.println();
        for (String request : REQUESTS) {
            double[] total = diff(before, after, request + " TotalTimeMs");
            if (total[0] == 0) {
                continue;
            }
            System.out.printf("%-20s %7.0f", request, total[0]);
            for (String phase : PHASES) {
                double[] d = diff(before, after, request + " " + phase);
                System.out.printf(" %9.2f", d[0] == 0 ? 0 : d[1] / d[0]);
            }
            System.out.println();
        }
    }

    private static double[] diff(Map<String, double[]> before, Map<String, double[]> after, String key) {
        double[] a = after.getOrDefault(key, new double[2]);
        double[] b = before.getOrDefault(key, new double[2]);
        return new double[] {a[0] - b[0], a[1] - b[1]};
    }
}
