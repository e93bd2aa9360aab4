package io.homelab.alerts.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/** Drives an HTTP endpoint on loopback: closed loop for throughput, fixed rate for latency. */
final class LoadGenerator {
    /** What one run measured. Latencies in microseconds. */
    record Result(String name, long ok, long failed, double seconds, double p50Micros, double p99Micros, double maxMicros) {
        double perSecond() {
            return ok / seconds;
        }
    }

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "load-client");
                t.setDaemon(true);
                return t;
            }))
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private HttpRequest request(URI uri, byte[] body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("User-Agent", "Alertmanager/0.25.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** {@code concurrency} connections, each sending the next request as soon as the answer comes back. */
    Result closedLoop(String name, URI uri, byte[] body, int concurrency, Duration duration) throws Exception {
        HttpRequest req = request(uri, body);
        return closedLoop(name, n -> req, concurrency, duration);
    }

    /** As above, the {@code n}th request of all made by {@code requests} (bodies that vary, say). */
    Result closedLoop(String name, URI uri, java.util.function.LongFunction<byte[]> bodies, int concurrency, Duration duration) throws Exception {
        return closedLoop(name, n -> request(uri, bodies.apply(n)), concurrency, duration);
    }

    private Result closedLoop(String name, java.util.function.LongFunction<HttpRequest> requests, int concurrency, Duration duration)
            throws Exception {
        AtomicLong sent = new AtomicLong();
        Recorder recorder = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < end) {
                    HttpRequest req = requests.apply(sent.getAndIncrement());
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<Void> r = client.send(req, HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                            recorder.recordValue((System.nanoTime() - t0) / 1000);
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            }, "load-" + i);
            t.start();
            workers.add(t);
        }
        for (Thread t : workers) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        var h = recorder.getIntervalHistogram();
        return new Result(name, ok.get(), failed.get(), seconds, h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
    }

    /**
     * Sends at a fixed {@code rate} per second for {@code duration}; latency counts from the moment
     * a request was due, so a stalled server cannot hide its queueing (no coordinated omission).
     */
    Result fixedRate(String name, URI uri, byte[] body, int rate, Duration duration) throws Exception {
        Recorder recorder = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        HttpRequest req = request(uri, body);
        long intervalNanos = 1_000_000_000L / rate;
        long total = duration.toSeconds() * rate;
        long start = System.nanoTime();
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        for (long i = 0; i < total; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            inFlight.add(client.sendAsync(req, HttpResponse.BodyHandlers.discarding()).handle((r, e) -> {
                if (e == null && r.statusCode() == 200) {
                    ok.incrementAndGet();
                    recorder.recordValue((System.nanoTime() - due) / 1000);
                } else {
                    failed.incrementAndGet();
                }
                return null;
            }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        var h = recorder.getIntervalHistogram();
        return new Result(name, ok.get(), failed.get(), seconds, h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
    }
}
