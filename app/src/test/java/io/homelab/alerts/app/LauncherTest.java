package io.homelab.alerts.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/homelab-alerts, run for real with sh: the JVM it starts (a stand-in jar whose main prints
 * what the JVM was given) gets the small-box settings, JAVA_OPTS after them, the arguments as
 * given, and a class-data archive from the first run that the next run uses.
 */
class LauncherTest {
    @TempDir
    Path dir;
    Path jar;

    /** The stand-in jar's main: the JVM's arguments, its heap limit, the environment's malloc arenas, and its own arguments. */
    public static final class PrintJvm {
        public static void main(String[] args) {
            System.out.println("jvm " + ManagementFactory.getRuntimeMXBean().getInputArguments());
            System.out.println("maxHeapMiB " + Runtime.getRuntime().maxMemory() / (1024 * 1024));
            System.out.println("arenas " + System.getenv("MALLOC_ARENA_MAX"));
            System.out.println("args " + List.of(args));
            // As the real program does once every part has started (unless told not to).
            String started = System.getProperty("homelab.cds.started");
            if (started != null && System.getenv("STOP_BEFORE_STARTED") == null) {
                try {
                    Files.write(Path.of(started), new byte[0]);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    @BeforeEach
    void standInJar() throws Exception {
        jar = dir.resolve("homelab-alerts.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, PrintJvm.class.getName());
        String entry = PrintJvm.class.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest);
                var in = PrintJvm.class.getClassLoader().getResourceAsStream(entry)) {
            j.putNextEntry(new JarEntry(entry));
            in.transferTo(j);
            j.closeEntry();
        }
    }

    record Result(int exit, String out) {}

    Result launch(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", Path.of("../bin/homelab-alerts").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("HOMELAB_HEAP");
        pb.environment().remove("MALLOC_ARENA_MAX");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("HOMELAB_CDS", dir.resolve("cds").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void starts_the_jar_with_a_small_heap_serial_gc_two_malloc_arenas_and_the_arguments_as_given() throws Exception {
        Result r = launch(Map.of("HOMELAB_JAR", jar.toString()), "replay", "--from", "-7d", "a b");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("-Xmx160m", "-XX:+UseSerialGC", "-XX:MaxMetaspaceSize=128m", "-XX:+ExitOnOutOfMemoryError")
                .contains("arenas 2").contains("args [replay, --from, -7d, a b]");
        assertThat(Long.parseLong(r.out().lines().filter(l -> l.startsWith("maxHeapMiB ")).findFirst().orElseThrow().substring(11)))
                .isBetween(140L, 160L);
    }

    @Test
    void heap_and_java_opts_change_what_it_sets() throws Exception {
        Result r = launch(Map.of("HOMELAB_JAR", jar.toString(), "HOMELAB_HEAP", "256m", "JAVA_OPTS", "-Xss1m -Dx=y"), "--version");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("-Xmx256m", "-Xss1m", "-Dx=y");
        // JAVA_OPTS comes last, so it wins over the launcher's own -Xss512k.
        String jvm = r.out().lines().filter(l -> l.startsWith("jvm ")).findFirst().orElseThrow();
        assertThat(jvm.indexOf("-Xss1m")).isGreaterThan(jvm.indexOf("-Xss512k"));
    }

    @Test
    void a_collector_chosen_in_java_opts_replaces_the_serial_one() throws Exception {
        Result r = launch(Map.of("HOMELAB_JAR", jar.toString(), "JAVA_OPTS", "-XX:+UseG1GC"), "--version");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("-XX:+UseG1GC").doesNotContain("UseSerialGC");
    }

    @Test
    void says_where_it_looked_when_there_is_no_jar() throws Exception {
        Result r = launch(Map.of("HOMELAB_JAR", dir.resolve("missing.jar").toString()), "run");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("HOMELAB_JAR=" + dir.resolve("missing.jar") + ": no such file");
    }

    @Test
    void the_first_run_writes_a_class_data_archive_and_the_next_start_maps_it() throws Exception {
        Result first = launch(Map.of("HOMELAB_JAR", jar.toString()), "run");
        assertThat(first.exit()).as(first.out()).isZero();
        assertThat(first.out()).contains("-XX:ArchiveClassesAtExit=");
        try (var files = Files.list(dir.resolve("cds"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).hasSize(2)
                    .satisfiesExactly(a -> assertThat(a).endsWith(".jsa.new"), b -> assertThat(b).endsWith(".jsa.started"));
        }
        Result second = launch(Map.of("HOMELAB_JAR", jar.toString()), "run");
        assertThat(second.exit()).as(second.out()).isZero();
        assertThat(second.out()).contains("-XX:SharedArchiveFile=").doesNotContain("ArchiveClassesAtExit");
        try (var files = Files.list(dir.resolve("cds"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).singleElement().asString().endsWith(".jsa");
        }
        // An archive of a run that stopped before it had started (a configuration error) is dropped.
        try (var files = Files.list(dir.resolve("cds"))) {
            files.forEach(p -> p.toFile().delete());
        }
        launch(Map.of("HOMELAB_JAR", jar.toString(), "STOP_BEFORE_STARTED", "1"), "run");
        Result afterEarlyStop = launch(Map.of("HOMELAB_JAR", jar.toString()), "run");
        assertThat(afterEarlyStop.out()).doesNotContain("SharedArchiveFile").contains("-XX:ArchiveClassesAtExit=");
        launch(Map.of("HOMELAB_JAR", jar.toString()), "run");
        assertThat(launch(Map.of("HOMELAB_JAR", jar.toString()), "run").out()).contains("-XX:SharedArchiveFile=");

        // A broken archive (a stop cut short) is dropped, not used.
        Path archive;
        try (var files = Files.list(dir.resolve("cds"))) {
            archive = files.findFirst().orElseThrow();
        }
        Files.delete(archive);
        Files.writeString(Path.of(archive + ".new"), "not an archive");
        Files.writeString(Path.of(archive + ".started"), "");
        Result third = launch(Map.of("HOMELAB_JAR", jar.toString()), "run");
        assertThat(third.exit()).as(third.out()).isZero();
        assertThat(third.out()).doesNotContain("SharedArchiveFile").contains("-XX:ArchiveClassesAtExit=");
    }
}
