package io.homelab.alerts.common.binary;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A compact binary form for the processor's own records (its re-key topic and state stores): no
 * field names, numbers as varints, times as seconds and nanoseconds instead of ISO-8601 text. JSON
 * cost the processor half of its time, a third of it parsing times. Strings, times and maps may be
 * null. The first byte of every record is a format byte below {@code '{'}, so a reader still knows
 * records written as JSON before.
 */
public final class Binary {
    private Binary() {}

    /** Writes into a growing array. */
    public static final class Writer {
        private byte[] buf = new byte[256];
        private int n;

        private void ensure(int more) {
            if (n + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
            }
        }

        public Writer u8(int b) {
            ensure(1);
            buf[n++] = (byte) b;
            return this;
        }

        public Writer bool(boolean b) {
            return u8(b ? 1 : 0);
        }

        /** An unsigned varint (7 bits a byte); negative values take ten bytes. */
        public Writer varlong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[n++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[n++] = (byte) v;
            return this;
        }

        /** A signed value, zig-zag encoded so small negative numbers stay short. */
        public Writer zigzag(long v) {
            return varlong((v << 1) ^ (v >> 63));
        }

        /**
         * Null as 0; else (length + 1) * 2 + kind, then the bytes: kind 0 is UTF-8; kind 1 is UTF-16 (two
         * bytes a char), for the rare string with a lone surrogate, which UTF-8 cannot hold (it would
         * become '?', and the labels would no longer be the ones the fingerprint was made of).
         */
        public Writer string(String s) {
            if (s == null) {
                return varlong(0);
            }
            if (hasLoneSurrogate(s)) {
                varlong((2L * s.length() + 1) * 2 + 1);
                ensure(2 * s.length());
                for (int k = 0; k < s.length(); k++) {
                    char c = s.charAt(k);
                    buf[n++] = (byte) (c >>> 8);
                    buf[n++] = (byte) c;
                }
                return this;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varlong((b.length + 1L) * 2);
            ensure(b.length);
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
            return this;
        }

        private static boolean hasLoneSurrogate(String s) {
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                if (Character.isHighSurrogate(c) && k + 1 < s.length() && Character.isLowSurrogate(s.charAt(k + 1))) {
                    k++;
                } else if (Character.isSurrogate(c)) {
                    return true;
                }
            }
            return false;
        }

        public Writer instant(Instant t) {
            if (t == null) {
                return u8(0);
            }
            u8(1);
            zigzag(t.getEpochSecond());
            return varlong(t.getNano());
        }

        public Writer map(Map<String, String> m) {
            if (m == null) {
                return varlong(0);
            }
            varlong(m.size() + 1L);
            for (Map.Entry<String, String> e : m.entrySet()) {
                string(e.getKey());
                string(e.getValue());
            }
            return this;
        }

        public byte[] toBytes() {
            return Arrays.copyOf(buf, n);
        }
    }

    /** Reads what a {@link Writer} wrote; a short or malformed record is an {@link IllegalArgumentException}. */
    public static final class Reader {
        private final byte[] buf;
        private int i;

        public Reader(byte[] buf) {
            this.buf = buf;
        }

        public int u8() {
            if (i >= buf.length) {
                throw new IllegalArgumentException("record ends early, at byte " + i);
            }
            return buf[i++] & 0xFF;
        }

        public boolean bool() {
            return u8() != 0;
        }

        public long varlong() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint longer than 10 bytes at byte " + i);
        }

        public int count() {
            long v = varlong();
            if (v < 0 || v > buf.length - i + 1) {
                throw new IllegalArgumentException("length " + v + " at byte " + i + " is more than the record holds");
            }
            return (int) v;
        }

        public long zigzag() {
            long v = varlong();
            return (v >>> 1) ^ -(v & 1);
        }

        public String string() {
            long v = varlong();
            if (v == 0) {
                return null;
            }
            if (v < 0 || (v >>> 1) - 1 > buf.length - i) {
                throw new IllegalArgumentException("string at byte " + i + " claims more than the record holds");
            }
            int len = (int) ((v >>> 1) - 1);
            String s;
            if ((v & 1) == 0) {
                s = new String(buf, i, len, StandardCharsets.UTF_8);
            } else {
                if (len % 2 != 0) {
                    throw new IllegalArgumentException("UTF-16 string of an odd " + len + " bytes at byte " + i);
                }
                char[] chars = new char[len / 2];
                for (int k = 0; k < chars.length; k++) {
                    chars[k] = (char) (((buf[i + 2 * k] & 0xFF) << 8) | (buf[i + 2 * k + 1] & 0xFF));
                }
                s = new String(chars);
            }
            i += len;
            return s;
        }

        public Instant instant() {
            if (u8() == 0) {
                return null;
            }
            long seconds = zigzag();
            long nanos = varlong();
            return Instant.ofEpochSecond(seconds, nanos);
        }

        public Map<String, String> map() {
            int size = count();
            if (size == 0) {
                return null;
            }
            Map<String, String> m = new LinkedHashMap<>(size * 2);
            for (int k = 1; k < size; k++) {
                m.put(string(), string());
            }
            return m;
        }

        /** Throws unless every byte was read: a record of another shape must not pass for this one. */
        public void end() {
            if (i != buf.length) {
                throw new IllegalArgumentException((buf.length - i) + " byte(s) left over at the end of the record");
            }
        }
    }
}
