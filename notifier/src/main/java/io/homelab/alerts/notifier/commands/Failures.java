package io.homelab.alerts.notifier.commands;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;

/** What went wrong, in words a person can act on: never "null". */
public final class Failures {
    private Failures() {}

    public static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused (is it running, and is the address right?)";
            }
            if (t instanceof HttpConnectTimeoutException) {
                return "no answer to the connection attempt (timed out)";
            }
            if (t instanceof HttpTimeoutException) {
                return "timed out waiting for the answer";
            }
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "unknown host" + (t.getMessage() == null ? "" : " " + t.getMessage());
            }
            if (t.getCause() == null || t.getCause() == t) {
                break;
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
            root = root.getCause();
        }
        String message = root.getMessage();
        String text = message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}
