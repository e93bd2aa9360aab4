package io.homelab.alerts.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The real Alertmanager 0.25 webhook bodies under {@code fixtures/alertmanager-0.25}, a Grafana
 * alerting webhook of its documented shape under {@code fixtures/grafana}, and the old docs' test
 * command under {@code fixtures/old-docs}.
 */
public final class Fixtures {
    public static final List<String> ALERTMANAGER_0_25 =
            List.of("firing-single.json", "firing-group.json", "firing-truncated.json", "resolved-single.json");

    private Fixtures() {}

    public static byte[] alertmanager(String name) {
        return resource("alertmanager-0.25/" + name);
    }

    /** Grafana alerting's webhook contact point: version "1", Alertmanager's shape plus orgId, title, state, message. */
    public static byte[] grafana() {
        return resource("grafana/webhook-firing.json");
    }

    /**
     * The old documentation's "Step 5: Test the Integration" curl, verbatim, as a script file to run
     * ({@code bash <file> <base URL>}); copied out of the classpath so it runs from a test jar too.
     */
    public static java.nio.file.Path oldDocsTestCurl() {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("old-docs-test-curl", ".sh");
            java.nio.file.Files.write(file, resource("old-docs/test-curl.sh"));
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body that curl sends: what is between {@code -d '} and the closing quote. */
    public static String oldDocsTestBody() {
        String script = new String(resource("old-docs/test-curl.sh"), java.nio.charset.StandardCharsets.UTF_8);
        int start = script.indexOf("-d '") + 4;
        return script.substring(start, script.indexOf('\'', start));
    }

    static byte[] resource(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
