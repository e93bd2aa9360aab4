package io.homelab.alerts.ingest.http;

import java.io.IOException;
import java.io.InputStream;
import javax.servlet.ServletRequest;
import javax.servlet.ServletRequestWrapper;

/** Reading request bodies with a size limit, past Spark's wrapper. */
public final class RequestBodies {
    private RequestBodies() {}

    /**
     * Reads at most {@code limit + 1} bytes straight from Jetty's stream. Spark's request wrapper
     * would buffer the whole body whatever its size, one byte per {@code read()} call.
     */
    public static byte[] readAtMost(ServletRequest request, int limit) throws IOException {
        ServletRequest raw = request;
        while (raw instanceof ServletRequestWrapper wrapper) {
            raw = wrapper.getRequest();
        }
        try (InputStream in = raw.getInputStream()) {
            return in.readNBytes(limit + 1);
        }
    }
}
