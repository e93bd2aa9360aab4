package io.homelab.alerts.remediator.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Docker Engine the docker tests use (DOCKER_HOST, else the default socket), and the
 * locally made busybox image their containers run (no registry is reachable: it is imported from
 * the host's busybox-static). Outside CI, a machine without Docker skips these tests with the
 * reason; under CI ({@code CI} set) they must run.
 */
public final class DockerEngine {
    public static final String IMAGE = "homelab-test/busybox:latest";

    private DockerEngine() {
    }

    public static String host() {
        String h = System.getenv("DOCKER_HOST");
        return h == null || h.isBlank() ? "unix:///var/run/docker.sock" : h;
    }

    /** Skips (outside CI) or fails (under CI) when no engine answers; makes the image when missing. */
    public static void require() throws Exception {
        boolean up = run(List.of("docker", "info")) == 0;
        if (!up) {
            if (System.getenv("CI") == null) {
                Assumptions.abort("no Docker Engine at " + host() + " (start dockerd; under CI these tests must run)");
            }
            throw new AssertionError("CI is set but no Docker Engine answers at " + host() + ": .ci/run must start dockerd");
        }
        if (run(List.of("docker", "image", "inspect", IMAGE)) != 0) {
            Path busybox = Path.of("/bin/busybox");
            assertThat(Files.isExecutable(busybox)).as("busybox-static installed (apt-get install busybox-static)").isTrue();
            Path root = Files.createTempDirectory("busybox-image");
            Files.createDirectories(root.resolve("bin"));
            Files.createDirectories(root.resolve("tmp"));
            Files.copy(busybox, root.resolve("bin/busybox"));
            for (String tool : List.of("sh", "sleep", "httpd", "ls", "cat", "echo", "true", "false", "kill", "ps", "top")) {
                Files.createSymbolicLink(root.resolve("bin/" + tool), Path.of("busybox"));
            }
            List<Process> pipe = ProcessBuilder.startPipeline(List.of(
                    new ProcessBuilder("tar", "-C", root.toString(), "-c", "."),
                    new ProcessBuilder("docker", "import", "-c", "ENV PATH=/bin", "-", IMAGE).redirectOutput(ProcessBuilder.Redirect.DISCARD)));
            for (Process p : pipe) {
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(pipe.get(1).exitValue()).as("docker import of busybox").isZero();
        }
    }

    /** The docker CLI (a real child process), for setting up what a test needs; its exit code. */
    public static int run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(new File("/dev/null")).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** The docker CLI's output. */
    public static String output(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor(120, TimeUnit.SECONDS);
        return out;
    }
}
