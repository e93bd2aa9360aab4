package io.homelab.alerts.processor.state;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * One memory budget for every RocksDB store of the process, outside the Java heap. Left alone,
 * Kafka Streams gives each store instance (three stores times the topic's partitions) its own
 * 50 MiB block cache and up to three 16 MiB memtables: hundreds of MiB once the state is written.
 * Here all of them share one {@value #TOTAL_MIB} MiB block cache, and their memtables are charged
 * to that same cache (at most {@value #MEMTABLE_MIB} MiB of it), as the Kafka Streams memory
 * management guide describes. A homelab's state (one entry per alert seen recently) is a few MiB.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {
    public static final long TOTAL_MIB = 16;
    public static final long MEMTABLE_MIB = 8;
    private static final long MIB = 1024 * 1024;

    private static final class Shared {
        // Created on first use, so a process without stores loads no native library for this.
        static final Cache CACHE = new LRUCache(TOTAL_MIB * MIB, -1, false, 0.1);
        static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_MIB * MIB, CACHE);
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(Shared.CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(Shared.WRITE_BUFFERS);
        options.setWriteBufferSize(2 * MIB);
        options.setMaxWriteBufferNumber(2);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store: they live as long as the process.
    }
}
