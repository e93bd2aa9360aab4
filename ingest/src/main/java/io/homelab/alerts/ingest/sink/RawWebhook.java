package io.homelab.alerts.ingest.sink;

import java.time.Instant;

/** A webhook body exactly as received, with where and when it came from. */
public record RawWebhook(byte[] body, String groupKey, Instant receivedAt, String remoteAddress, String userAgent, String contentType) {}
