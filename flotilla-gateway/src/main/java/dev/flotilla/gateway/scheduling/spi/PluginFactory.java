package dev.flotilla.gateway.scheduling.spi;

/**
 * Makes one plugin instance for one place in a profile from its parameters. Reads every parameter
 * it knows from {@code params} (with its default), validates it, and leaves the rejection of
 * unknown keys to the caller ({@link PluginParams#checkAllRead}).
 */
@FunctionalInterface
public interface PluginFactory<T> {
    T create(PluginParams params, PluginContext context);
}
