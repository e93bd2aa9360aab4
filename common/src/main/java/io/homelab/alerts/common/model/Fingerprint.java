package io.homelab.alerts.common.model;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Alertmanager's alert fingerprint (prometheus/common {@code model.labelSetToFingerprint}):
 * FNV-1a 64 over the label names and values, names sorted, each name and value followed
 * by a 0xFF separator byte, printed as {@code %016x}.
 */
public final class Fingerprint {
    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;
    private static final byte SEPARATOR = (byte) 0xFF;

    private Fingerprint() {}

    public static String of(Map<String, String> labels) {
        // Go sorts label names as byte strings; for UTF-8 that is code point order,
        // which TreeMap's String order matches except across surrogate pairs: compare bytes.
        TreeMap<byte[], byte[]> sorted = new TreeMap<>(java.util.Arrays::compareUnsigned);
        labels.forEach((k, v) -> sorted.put(k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8)));
        long hash = OFFSET_BASIS;
        for (Map.Entry<byte[], byte[]> e : sorted.entrySet()) {
            hash = add(hash, e.getKey());
            hash = addByte(hash, SEPARATOR);
            hash = add(hash, e.getValue());
            hash = addByte(hash, SEPARATOR);
        }
        return java.util.HexFormat.of().toHexDigits(hash); // String.format took 8 % of explode
    }

    private static long add(long hash, byte[] bytes) {
        for (byte b : bytes) {
            hash = addByte(hash, b);
        }
        return hash;
    }

    private static long addByte(long hash, byte b) {
        return (hash ^ (b & 0xFF)) * PRIME;
    }
}
