package dev.flotilla.gateway.api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one series' value out of the gateway's Prometheus text, for tests that count retries, hedges and the like. */
final class MetricsText {
    private MetricsText() {
    }

    /** The value of {@code series} (its name and labels exactly as exposed), or 0 when it is not exposed yet. */
    static double value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
