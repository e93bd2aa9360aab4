package io.homelab.alerts.remediator.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.PruneType;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.api.command.TopContainerResponse;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.homelab.alerts.remediator.executor.Prepared;
import io.homelab.alerts.remediator.executor.ProcessRunner;
import io.homelab.alerts.remediator.runbook.Refusal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Docker Engine API through docker-java, at {@code DOCKER_HOST} exactly as the docker CLI
 * reads it ({@code unix:///var/run/docker.sock} by default, {@code tcp://host:2375} too). No API
 * version is pinned, so older engines (Debian 12's 20.10, API 1.41) answer in their own version.
 */
public final class DockerExecutor implements AutoCloseable {
    private final String dockerHost;
    private DockerClient client;
    private DockerClient lookups;

    /** @param dockerHost DOCKER_HOST (unix:// or tcp://) */
    public DockerExecutor(String dockerHost) {
        this.dockerHost = dockerHost;
    }

    /** For actions: long enough for a slow prune; each runbook's own timeout is kept by the remediator, which stops waiting. */
    private synchronized DockerClient client() {
        if (client == null) {
            client = connect(Duration.ofMinutes(10));
        }
        return client;
    }

    /** For the look-ups made while an alert is being read: a hung engine must not hold the remediator up for long. */
    private synchronized DockerClient lookups() {
        if (lookups == null) {
            lookups = connect(Duration.ofSeconds(5));
        }
        return lookups;
    }

    private DockerClient connect(Duration responseTimeout) {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
        if (config.getSSLConfig() != null) {
            // The jar leaves out the certificate reader (BouncyCastle) that docker-java needs for this.
            throw new IllegalStateException("DOCKER_TLS_VERIFY is set, but TLS client certificates for the Docker Engine are not"
                    + " supported; reach a remote engine through its unix socket (ssh -L) or plain tcp on a trusted network");
        }
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig()).connectionTimeout(Duration.ofSeconds(5)).responseTimeout(responseTimeout).build();
        return DockerClientImpl.getInstance(config, http);
    }

    /**
     * The container a label names, as Docker names it. Docker also answers to an id or an id
     * prefix; the safety rails count by this one name, so "jellyfin" and "3f2a" are one target.
     */
    private InspectContainerResponse inspect(String name) throws Refusal {
        try {
            return lookups().inspectContainerCmd(name).exec();
        } catch (NotFoundException e) {
            throw new Refusal("no container named " + name + " on " + dockerHost);
        } catch (RuntimeException e) {
            throw new Refusal.Unavailable("cannot ask Docker at " + dockerHost + " (DOCKER_HOST) about " + name + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("")));
        }
    }

    private static String canonical(InspectContainerResponse c, String asked) {
        return c.getName() == null || c.getName().isBlank() ? asked : c.getName().replaceFirst("^/", "");
    }

    /**
     * recover: brings back a container that is down or unhealthy (a restart), and leaves one that
     * is running and not unhealthy alone, saying so: an alert that is stale, or a label that names
     * a healthy container, restarts nothing.
     */
    public Prepared recover(String asked) throws Refusal {
        InspectContainerResponse c = inspect(asked);
        String name = canonical(c, asked);
        var s = c.getState();
        boolean up = Boolean.TRUE.equals(s.getRunning()) && !Boolean.TRUE.equals(s.getRestarting());
        String health = s.getHealth() == null ? null : s.getHealth().getStatus();
        if (Boolean.TRUE.equals(s.getPaused())) {
            throw new Refusal(name + " is paused (someone ran docker pause): not restarted; docker unpause " + name + " if it should run");
        }
        if (up && !"unhealthy".equals(health)) {
            throw new Refusal.NothingToDo(name + " is already " + state(c) + " (started " + s.getStartedAt() + "), so it was not restarted");
        }
        return container("restart", name);
    }
    /** restart, start or stop one container; refused when Docker knows no such container. */
    public Prepared container(String verb, String asked) throws Refusal {
        String name = canonical(inspect(asked), asked);
        String path = switch (verb) {
            case "restart" -> "POST /containers/" + name + "/restart?t=10";
            case "start" -> "POST /containers/" + name + "/start";
            default -> "POST /containers/" + name + "/stop?t=10";
        };
        return new Prepared() {
            @Override
            public String executor() {
                return "docker";
            }

            @Override
            public String target() {
                return "container " + name;
            }

            @Override
            public String call() {
                return path;
            }

            @Override
            public Duration leastTime() {
                return Duration.ofSeconds(25); // up to 10 s for the container to stop, then the start
            }

            @Override
            public Outcome run(Duration timeout) {
                InspectContainerResponse before;
                try {
                    before = client().inspectContainerCmd(name).exec();
                } catch (NotFoundException e) {
                    return new Outcome(false, 404, "", "no container named " + name + " on " + dockerHost);
                }
                switch (verb) {
                    case "restart" -> client().restartContainerCmd(name).withTimeout(10).exec();
                    case "start" -> {
                        if (!Boolean.TRUE.equals(before.getState().getRunning())) {
                            client().startContainerCmd(name).exec();
                        }
                    }
                    default -> client().stopContainerCmd(name).withTimeout(10).exec();
                }
                InspectContainerResponse after = client().inspectContainerCmd(name).exec();
                String was = state(before);
                String now = state(after);
                boolean ok = verb.equals("stop") ? !Boolean.TRUE.equals(after.getState().getRunning())
                        : Boolean.TRUE.equals(after.getState().getRunning());
                String summary = (verb.equals("restart") ? "restarted " : verb + (verb.equals("stop") ? "ped " : "ed ")) + name
                        + " (was " + was + ", now " + now + ")";
                return new Outcome(ok, 0, "StartedAt " + before.getState().getStartedAt() + " -> " + after.getState().getStartedAt(),
                        ok ? summary : verb + " " + name + " did not take: now " + now);
            }
        };
    }

    private static String state(InspectContainerResponse c) {
        var s = c.getState();
        String status = s.getStatus() == null ? "?" : s.getStatus();
        if ("exited".equals(status) && s.getExitCodeLong() != null) {
            status += " (" + s.getExitCodeLong() + ")";
        }
        // A stopped container keeps its last health status; it means nothing until it runs again.
        if (Boolean.TRUE.equals(s.getRunning()) && s.getHealth() != null && s.getHealth().getStatus() != null) {
            status += ", " + s.getHealth().getStatus();
        }
        return status;
    }

    /** Removes stopped containers and dangling images; reports what went and the space freed. */
    public Prepared prune() {
        return new Prepared() {
            @Override
            public String executor() {
                return "docker";
            }

            @Override
            public String target() {
                return "docker host " + dockerHost;
            }

            @Override
            public String call() {
                return "POST /containers/prune; POST /images/prune?filters={\"dangling\":[\"true\"]}";
            }

            @Override
            public Outcome run(Duration timeout) {
                List<String> stopped = client().listContainersCmd().withShowAll(true).withStatusFilter(List.of("exited", "created", "dead"))
                        .exec().stream().map(DockerExecutor::name).toList();
                Long containers = client().pruneCmd(PruneType.CONTAINERS).exec().getSpaceReclaimed();
                Long images = client().pruneCmd(PruneType.IMAGES).withDangling(true).exec().getSpaceReclaimed();
                long freed = (containers == null ? 0 : containers) + (images == null ? 0 : images);
                String removed = stopped.isEmpty() ? "no stopped containers" : stopped.size() + " stopped container(s): " + String.join(", ", stopped);
                return new Outcome(true, 0, removed, "cleaned up: removed " + removed + " and dangling images, freed " + bytes(freed));
            }
        };
    }

    /**
     * For HighCPU / HighMemory: finds the container using the most (or takes the one the alert
     * names), reports the top processes (of that container, else of the host) and the ranking, and
     * offers to restart it. Empty when no container is running: then the report is all there is.
     */
    public Prepared restartWorst(String by, String named) throws Refusal {
        boolean cpu = !"memory".equals(by);
        StringBuilder report = new StringBuilder();
        String worst = named;
        if (named == null || named.isEmpty()) {
            List<Container> running = client().listContainersCmd().exec();
            List<Object[]> ranked = new ArrayList<>();
            for (Container c : running) {
                Statistics s = stats(c.getId());
                if (s != null) {
                    ranked.add(new Object[] {name(c), cpu ? cpuPercent(s) : memoryBytes(s), c.getId()});
                }
            }
            ranked.sort(Comparator.comparingDouble((Object[] o) -> ((Number) o[1]).doubleValue()).reversed());
            report.append(cpu ? "Containers by CPU:" : "Containers by memory:").append('\n');
            ranked.stream().limit(5).forEach(o -> report.append("  ").append(o[0]).append(": ")
                    .append(cpu ? String.format(Locale.ROOT, "%.1f%%", (Double) o[1]) : bytes(((Number) o[1]).longValue())).append('\n'));
            report.append(hostTop(cpu));
            if (ranked.isEmpty()) {
                throw new Refusal("no container is running, so there is none to restart.\n" + report.toString().strip());
            }
            worst = (String) ranked.get(0)[2]; // by id: a name may be a legacy link alias such as web/db
        } else {
            report.append(containerTop(named, cpu));
        }
        String name = worst;
        Prepared restart = container("restart", name);
        String preview = report.toString().strip();
        return new Prepared() {
            @Override
            public String executor() {
                return "docker";
            }

            @Override
            public String target() {
                return restart.target();
            }

            @Override
            public String call() {
                return restart.call();
            }

            @Override
            public Duration leastTime() {
                return restart.leastTime();
            }

            @Override
            public String preview() {
                return preview;
            }

            @Override
            public Outcome run(Duration timeout) throws Exception {
                return restart.run(timeout);
            }
        };
    }

    private Statistics stats(String id) {
        List<Statistics> got = new ArrayList<>();
        try (ResultCallback.Adapter<Statistics> cb = client().statsCmd(id).withNoStream(true).exec(new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Statistics s) {
                got.add(s);
            }
        })) {
            cb.awaitCompletion(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
        return got.isEmpty() ? null : got.get(0);
    }

    static double cpuPercent(Statistics s) {
        if (s.getCpuStats() == null || s.getPreCpuStats() == null || s.getCpuStats().getCpuUsage() == null
                || s.getPreCpuStats().getCpuUsage() == null) {
            return 0;
        }
        long cpuDelta = nz(s.getCpuStats().getCpuUsage().getTotalUsage()) - nz(s.getPreCpuStats().getCpuUsage().getTotalUsage());
        long systemDelta = nz(s.getCpuStats().getSystemCpuUsage()) - nz(s.getPreCpuStats().getSystemCpuUsage());
        long cpus = s.getCpuStats().getOnlineCpus() == null ? 1 : s.getCpuStats().getOnlineCpus();
        return systemDelta <= 0 || cpuDelta < 0 ? 0 : (double) cpuDelta / systemDelta * cpus * 100.0;
    }

    static long memoryBytes(Statistics s) {
        return s.getMemoryStats() == null ? 0 : nz(s.getMemoryStats().getUsage());
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }

    /** Top processes of a container (docker top, which runs the host's ps on the container's processes). */
    public String containerTop(String name, boolean cpu) {
        try {
            TopContainerResponse top = client().topContainerCmd(name).withPsArgs("-eo pid,pcpu,pmem,rss,comm").exec();
            StringBuilder sb = new StringBuilder("Top processes of ").append(name).append(":\n  ")
                    .append(String.join(" ", top.getTitles())).append('\n');
            List<String[]> rows = new ArrayList<>(List.of(top.getProcesses()));
            int col = cpu ? 1 : 2;
            rows.sort(Comparator.comparingDouble((String[] r) -> parse(r.length > col ? r[col] : "0")).reversed());
            rows.stream().limit(5).forEach(r -> sb.append("  ").append(String.join(" ", r)).append('\n'));
            return sb.toString();
        } catch (NotFoundException e) {
            return "No container named " + name + ".\n";
        }
    }

    private static double parse(String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Top processes of this host, from ps. */
    static String hostTop(boolean cpu) {
        try {
            ProcessRunner.Result r = ProcessRunner.run(List.of("ps", "-eo", "pid,pcpu,pmem,rss,comm", "--sort=" + (cpu ? "-pcpu" : "-rss")),
                    Duration.ofSeconds(5), Map.of());
            List<String> lines = r.output().lines().limit(6).toList();
            return "Top processes of this host:\n  " + String.join("\n  ", lines) + "\n";
        } catch (Exception e) {
            return "Top processes of this host: ps did not run (" + e.getMessage() + ")\n";
        }
    }

    static String name(Container c) {
        return c.getNames() == null || c.getNames().length == 0 ? c.getId().substring(0, 12) : c.getNames()[0].replaceFirst("^/", "");
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / 1024.0 / 1024);
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / 1024.0 / 1024 / 1024);
    }

    @Override
    public synchronized void close() throws Exception {
        if (client != null) {
            client.close();
        }
        if (lookups != null) {
            lookups.close();
        }
    }
}
