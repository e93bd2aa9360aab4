package io.homelab.alerts.app.replay;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.internal.FileLogInputStream;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.Record;

/**
 * The webhook topic's log segments in the embedded broker's data directory, read straight from the
 * files, read-only: it works whether the system is stopped (no broker to start, nothing to lock) or
 * running (the broker only appends; a batch it is still writing is not read yet). Uses Kafka's own
 * segment reader, of the same version as the broker that wrote them. Ingest writes without
 * transactions, so every data batch counts; control batches are skipped.
 */
public final class LogDirWebhookLog implements WebhookLog {
    private final Path logDir;
    private final String topic;
    private final List<Partition> partitions;

    record Partition(int number, List<File> segments) {}

    /**
     * @throws WebhookLog.Unavailable when the directory holds no Kafka data or not this topic
     */
    public LogDirWebhookLog(Path logDir, String topic) {
        this.logDir = logDir;
        this.topic = topic;
        if (!Files.isRegularFile(logDir.resolve("meta.properties"))) {
            throw new Unavailable("no embedded broker data in " + logDir + " (no meta.properties): set DATA_DIR to the"
                    + " directory 'run' uses, or KAFKA_BOOTSTRAP_SERVERS for an external Kafka");
        }
        Pattern dir = Pattern.compile(Pattern.quote(topic) + "-(\\d+)");
        List<Partition> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(logDir)) {
            for (Path d : dirs.toList()) {
                Matcher m = dir.matcher(d.getFileName().toString());
                if (m.matches() && Files.isDirectory(d)) {
                    try (Stream<Path> files = Files.list(d)) {
                        List<File> segments = files.filter(f -> f.getFileName().toString().endsWith(".log"))
                                .sorted(Comparator.comparing(f -> f.getFileName().toString())).map(Path::toFile).toList();
                        found.add(new Partition(Integer.parseInt(m.group(1)), segments));
                    }
                }
            }
        } catch (IOException e) {
            throw new Unavailable("cannot read " + logDir + ": " + e.getMessage());
        }
        if (found.isEmpty()) {
            throw new Unavailable("topic " + topic + " is not in " + logDir + " (has ingest ever run with this DATA_DIR and"
                    + " KAFKA_TOPIC_PREFIX?)");
        }
        found.sort(Comparator.comparingInt(Partition::number));
        this.partitions = List.copyOf(found);
    }

    @Override
    public String describe() {
        return "the embedded broker's data in " + logDir;
    }

    @Override
    public long size() throws IOException {
        long n = 0;
        for (Partition p : partitions) {
            for (File f : p.segments()) {
                try (FileRecords records = FileRecords.open(f, false)) {
                    for (FileLogInputStream.FileChannelRecordBatch b : records.batches()) {
                        if (!b.isControlBatch()) {
                            n += b.nextOffset() - b.baseOffset();
                        }
                    }
                }
            }
        }
        return n;
    }

    @Override
    public void read(long from, long to, Sink sink, Progress progress, BooleanSupplier stop) throws IOException {
        long total = 0;
        for (Partition p : partitions) {
            for (File f : p.segments()) {
                total += f.length();
            }
        }
        progress.total(total);
        List<Iterator<Stored>> streams = new ArrayList<>();
        List<PartitionReader> readers = new ArrayList<>();
        try {
            for (Partition p : partitions) {
                PartitionReader r = new PartitionReader(p, from, to, progress);
                readers.add(r);
                streams.add(r);
            }
            WebhookLog.merge(streams, sink, stop);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            readers.forEach(PartitionReader::close);
        }
    }

    @Override
    public void close() {}

    /** One partition's records in offset order, within the range, segment after segment. */
    private static final class PartitionReader implements Iterator<Stored> {
        private final Partition partition;
        private final long from;
        private final long to;
        private final Progress progress;
        private int segment = -1;
        private FileRecords open;
        private Iterator<FileLogInputStream.FileChannelRecordBatch> batches;
        private Iterator<Record> records;
        private boolean started;
        private boolean ended;
        private Stored next;
        private int lastPosition;

        PartitionReader(Partition partition, long from, long to, Progress progress) {
            this.partition = partition;
            this.from = from;
            this.to = to;
            this.progress = progress;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !ended) {
                next = advance();
            }
            return next != null;
        }

        @Override
        public Stored next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Stored r = next;
            next = null;
            return r;
        }

        private Stored advance() {
            try {
                while (true) {
                    if (records != null && records.hasNext()) {
                        Record r = records.next();
                        if (!started) {
                            if (r.timestamp() < from) {
                                continue;
                            }
                            started = true;
                        }
                        if (r.timestamp() >= to) {
                            ended = true;
                            close();
                            return null;
                        }
                        return stored(r);
                    }
                    records = null;
                    if (batches != null && batches.hasNext()) {
                        FileLogInputStream.FileChannelRecordBatch b = batches.next();
                        progress.advance(b.position() + b.sizeInBytes() - lastPosition);
                        lastPosition = b.position() + b.sizeInBytes();
                        if (b.isControlBatch() || (!started && b.maxTimestamp() < from)) {
                            continue; // every record of this batch is older than the range
                        }
                        records = b.iterator();
                        continue;
                    }
                    close();
                    if (++segment >= partition.segments().size()) {
                        ended = true;
                        return null;
                    }
                    open = FileRecords.open(partition.segments().get(segment), false);
                    batches = open.batches().iterator();
                    lastPosition = 0;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private Stored stored(Record r) {
            return new Stored(partition.number(), r.offset(), r.timestamp(), r.hasKey() ? utf8(r.key()) : null,
                    r.hasValue() ? bytes(r.value()) : null, new RecordHeaders(r.headers()));
        }

        private static String utf8(ByteBuffer b) {
            return new String(bytes(b), java.nio.charset.StandardCharsets.UTF_8);
        }

        private static byte[] bytes(ByteBuffer b) {
            byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        }

        void close() {
            if (open != null) {
                try {
                    open.close();
                } catch (IOException ignored) {
                    // read-only: nothing to lose
                }
                open = null;
                batches = null;
            }
        }
    }
}
