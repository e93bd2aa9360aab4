package io.homelab.alerts.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker (KRaft, broker and controller in one) running inside this
 * process on loopback, its data under one directory. Restarting on the same directory keeps
 * every topic, record and committed offset; restarting on the same port lets clients reconnect.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;

    private final Path dataDir;
    private final String bind;
    private final String advertisedHost;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path dataDir, String bind, String advertisedHost, int port, int controllerPort) {
        this.dataDir = dataDir;
        this.bind = bind;
        this.advertisedHost = advertisedHost;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /**
     * Formats {@code dataDir} if it holds no broker yet and starts the broker on {@code port}
     * (0: a free port), returning once it answers requests.
     *
     * @param onFatalFault called when Kafka would halt or exit the JVM (a fatal broker fault);
     *     Kafka's own handler kills the process without a word, this lets the caller stop loudly
     */
    public static EmbeddedKafka start(Path dataDir, int port, Consumer<String> onFatalFault) {
        return start(dataDir, "127.0.0.1", port, "127.0.0.1", onFatalFault);
    }

    /**
     * As {@link #start(Path, int, Consumer)}, listening on {@code bind} (0.0.0.0: every interface)
     * and telling clients to connect to {@code advertisedHost} (a compose service name, say). The
     * controller stays on loopback.
     */
    public static EmbeddedKafka start(Path dataDir, String bind, int port, String advertisedHost, Consumer<String> onFatalFault) {
        guardExit(onFatalFault);
        int clientPort = port == 0 ? freePort() : port;
        // Two asks for a free port can get the same one (the first is free again once asked): Kafka then refuses both listeners.
        int controllerPort = freePort();
        while (controllerPort == clientPort) {
            controllerPort = freePort();
        }
        EmbeddedKafka kafka = new EmbeddedKafka(dataDir.toAbsolutePath(), bind, advertisedHost, clientPort, controllerPort);
        try {
            kafka.startServer();
        } catch (RuntimeException e) {
            // Release threads, ports and the data-directory lock of a half-started broker.
            try {
                kafka.stop();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return kafka;
    }

    /** Stops the broker, keeping its data, and starts it again on the same port. */
    public void restart() {
        stop();
        startServer();
    }

    /** Where clients in this process connect: loopback unless the broker listens on one other address only. */
    public String bootstrapServers() {
        boolean local = bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("127.0.0.1") || bind.equals("localhost");
        return (local ? "127.0.0.1" : bind.contains(":") ? "[" + bind + "]" : bind) + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops the broker; its data stays. Safe to call twice. */
    public synchronized void stop() {
        if (server != null) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } finally {
                server = null;
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void startServer() {
        long started = System.nanoTime();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka data directory " + dataDir, e);
        }
        KafkaConfig config = KafkaConfig.fromProps(brokerProperties());
        formatIfNew(config);
        server = new KafkaRaftServer(config, Time.SYSTEM);
        long formatted = System.nanoTime();
        server.startup();
        long startedUp = System.nanoTime();
        awaitReady(Duration.ofSeconds(60));
        log.info("Embedded Kafka broker ready on {} (data in {}) after {} ms (storage {} ms, start-up {} ms)",
                bootstrapServers(), dataDir, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                TimeUnit.NANOSECONDS.toMillis(formatted - started), TimeUnit.NANOSECONDS.toMillis(startedUp - formatted));
    }

    private Properties brokerProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + (bind.contains(":") ? "[" + bind + "]" : bind) + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + advertisedHost + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("kafka").toString());
        // One node: every internal topic must be satisfiable with a single replica,
        // or consumer groups and transactions wait forever without an error.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // The cleaner's default 128 MiB buffer is most of a homelab's heap.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("num.replica.fetchers", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        p.put("message.max.bytes", Integer.toString(16 * 1024 * 1024));
        return p;
    }

    private void formatIfNew(KafkaConfig config) {
        Path logDir = dataDir.resolve("kafka");
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        try {
            new Formatter()
                    .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setControllerListenerName("CONTROLLER")
                    .setIgnoreFormatted(true)
                    .run();
            log.info("Formatted new Kafka storage in {}", logDir);
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000"))) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("embedded Kafka did not become ready within " + timeout, last);
    }

    private static void guardExit(Consumer<String> onFatalFault) {
        Exit.setHaltProcedure((code, message) -> {
            String why = "Kafka broker halted with code " + code + (message == null ? "" : ": " + message);
            log.error("FATAL: {}", why);
            onFatalFault.accept(why);
            throw new IllegalStateException(why);
        });
        Exit.setExitProcedure((code, message) -> {
            String why = "Kafka broker exited with code " + code + (message == null ? "" : ": " + message);
            log.error("FATAL: {}", why);
            onFatalFault.accept(why);
            throw new IllegalStateException(why);
        });
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
