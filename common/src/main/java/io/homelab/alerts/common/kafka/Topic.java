package io.homelab.alerts.common.kafka;

import org.apache.kafka.common.serialization.Serde;

/** A topic's name and serdes, shared by the producer, the topology, the consumers and the tests. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {}
