package io.homelab.alerts.common.kafka;

/** Header names on a raw webhook record (the value is the body byte for byte). */
public final class RawWebhookHeaders {
    /** ISO-8601 instant at which ingest received the request. */
    public static final String RECEIVED_AT = "received-at";
    public static final String REMOTE_ADDR = "remote-addr";
    public static final String USER_AGENT = "user-agent";
    public static final String CONTENT_TYPE = "content-type";

    private RawWebhookHeaders() {}
}
