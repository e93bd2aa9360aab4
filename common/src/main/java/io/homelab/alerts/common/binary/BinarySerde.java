package io.homelab.alerts.common.binary;

import io.homelab.alerts.common.json.Json;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka serde writing {@link Binary} records behind a format byte. It reads JSON records too
 * (they start with '{'): what a store's changelog or the re-key topic held before an upgrade.
 */
public final class BinarySerde<T> implements Serde<T> {
    /** The first byte of a binary record. */
    public static final int FORMAT_1 = 1;

    private final Class<T> type;
    private final BiConsumer<Binary.Writer, T> write;
    private final Function<Binary.Reader, T> read;

    public BinarySerde(Class<T> type, BiConsumer<Binary.Writer, T> write, Function<Binary.Reader, T> read) {
        this.type = type;
        this.write = write;
        this.read = read;
    }

    public byte[] toBytes(T value) {
        if (value == null) {
            return null;
        }
        Binary.Writer w = new Binary.Writer().u8(FORMAT_1);
        write.accept(w, value);
        return w.toBytes();
    }

    public T fromBytes(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            if (bytes.length > 0 && bytes[0] == '{') {
                return Json.MAPPER.readValue(bytes, type);
            }
            Binary.Reader r = new Binary.Reader(bytes);
            int format = r.u8();
            if (format != FORMAT_1) {
                throw new IllegalArgumentException("unknown format byte " + format);
            }
            T value = read.apply(r);
            r.end();
            return value;
        } catch (Exception e) {
            throw new SerializationException("not a " + type.getSimpleName() + " on " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> toBytes(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return this::fromBytes;
    }
}
