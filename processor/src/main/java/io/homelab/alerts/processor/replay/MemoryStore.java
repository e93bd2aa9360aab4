package io.homelab.alerts.processor.replay;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A key-value store of objects in memory, in key order as the live RocksDB store iterates: the
 * replay's state. Nothing is serialized and nothing is written anywhere, so a replay can never
 * touch the live stores, and runs at the speed of the decisions themselves.
 */
final class MemoryStore<V> implements KeyValueStore<String, V> {
    private final String name;
    private final NavigableMap<String, V> map = new TreeMap<>();

    MemoryStore(String name) {
        this.name = name;
    }

    @Override public void put(String key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    @Override public V putIfAbsent(String key, V value) {
        V old = map.get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override public void putAll(List<KeyValue<String, V>> entries) {
        entries.forEach(e -> put(e.key, e.value));
    }

    @Override public V delete(String key) {
        return map.remove(key);
    }

    @Override public V get(String key) {
        return map.get(key);
    }

    @Override public KeyValueIterator<String, V> range(String from, String to) {
        return iterator(map.subMap(from, true, to, true));
    }

    @Override public KeyValueIterator<String, V> all() {
        return iterator(map);
    }

    @Override public long approximateNumEntries() {
        return map.size();
    }

    /**
     * A live view: the processors change their stores only after closing an iterator (they collect
     * first, then put and delete), so no copy is needed; one that did not would fail loudly here.
     */
    private static <V> KeyValueIterator<String, V> iterator(Map<String, V> view) {
        Iterator<Map.Entry<String, V>> it = view.entrySet().iterator();
        return new KeyValueIterator<>() {
            @Override public boolean hasNext() {
                return it.hasNext();
            }

            @Override public KeyValue<String, V> next() {
                Map.Entry<String, V> e = it.next();
                return KeyValue.pair(e.getKey(), e.getValue());
            }

            @Override public String peekNextKey() {
                throw new UnsupportedOperationException("peekNextKey");
            }

            @Override public void close() {}
        };
    }

    @Override public String name() {
        return name;
    }

    @Override public void init(StateStoreContext context, StateStore root) {}

    @Override public void close() {}

    @Override public boolean persistent() {
        return false;
    }

    @Override public boolean isOpen() {
        return true;
    }
}
