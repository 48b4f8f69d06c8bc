package dev.flotilla.gateway.scheduling.spi;

/**
 * A scheduling profile or plugin parameter is wrong; the message names the configuration path and
 * the offending value, e.g. {@code scheduling.profiles.fast.scorers[1].weight: -2 (expected >= 0)}.
 */
public final class PluginConfigException extends IllegalArgumentException {
    private final String path;

    public PluginConfigException(String path, Object value, String expected) {
        super(path + ": " + render(value) + " (" + expected + ")");
        this.path = path;
    }

    public String path() {
        return path;
    }

    private static String render(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
