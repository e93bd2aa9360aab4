package io.homelab.alerts.ingest.http;

import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ThreadPool;
import spark.Service;
import spark.embeddedserver.EmbeddedServers;
import spark.embeddedserver.jetty.EmbeddedJettyFactory;
import spark.embeddedserver.jetty.JettyServerFactory;

/**
 * Spark services on a Jetty we configure: a connection idle timeout of seconds rather than
 * Spark's one hour (a stalled client must not hold a thread), and start-up failures raised
 * to the caller instead of Spark's default {@code System.exit(100)}.
 */
public final class SparkServers {
    public static final int IDLE_TIMEOUT_MS = 30_000;
    public static final long MIN_REQUEST_BYTES_PER_SECOND = 1024;
    private static final String IDENTIFIER = "homelab-jetty";

    static {
        EmbeddedServers.add(IDENTIFIER, new EmbeddedJettyFactory(new JettyServerFactory() {
            @Override
            public Server create(int maxThreads, int minThreads, int threadTimeoutMillis) {
                QueuedThreadPool pool = maxThreads > 0
                        ? new QueuedThreadPool(maxThreads, Math.max(minThreads, 8), threadTimeoutMillis > 0 ? threadTimeoutMillis : 60_000)
                        : new QueuedThreadPool(200, 8);
                pool.setName("ingest-http");
                return create(pool);
            }

            @Override
            public Server create(ThreadPool threadPool) {
                return new Server(threadPool) {
                    @Override
                    protected void doStart() throws Exception {
                        for (Connector c : getConnectors()) {
                            if (c instanceof ServerConnector sc) {
                                sc.setIdleTimeout(IDLE_TIMEOUT_MS);
                                // A client trickling a byte every few seconds would hold a thread for ever
                                // without tripping the idle timeout: require a minimum average rate.
                                HttpConnectionFactory http = sc.getConnectionFactory(HttpConnectionFactory.class);
                                if (http != null) {
                                    http.getHttpConfiguration().setMinRequestDataRate(MIN_REQUEST_BYTES_PER_SECOND);
                                }
                            }
                        }
                        super.doStart();
                    }
                };
            }
        }));
    }

    private SparkServers() {}

    /** A new, not yet started Spark service on {@code port} (0: any free port); declare routes, then {@link Http#start()}. */
    public static Http create(int port) {
        Service service = Service.ignite();
        service.embeddedServerIdentifier(IDENTIFIER);
        service.port(port);
        AtomicReference<Exception> failure = new AtomicReference<>();
        service.initExceptionHandler(failure::set);
        return new Http(service, failure);
    }

    /** A Spark service and the start-up failure Spark reported, if any. */
    public record Http(Service service, AtomicReference<Exception> failure) {
        /** Waits until the port is bound; throws if it could not be (port in use, ...). */
        public void start() {
            service.init();
            service.awaitInitialization();
            if (failure.get() != null) {
                service.stop();
                throw new IllegalStateException("HTTP server could not start: " + failure.get().getMessage(), failure.get());
            }
        }
    }
}
