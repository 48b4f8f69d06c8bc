package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.telemetry.GpuFigures;
import dev.flotilla.gateway.scheduling.spi.Filter;
import dev.flotilla.gateway.scheduling.spi.PluginConfigException;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import java.util.function.ToDoubleFunction;

/**
 * Type {@value #TYPE}: only nodes with room for the requested model, when its size is configured
 * ({@link PluginContext#modelSizeGb()} not NaN). The room is, with fresh GPU telemetry, the free
 * memory summed over the node's GPUs (or their total with {@code memory: total}); without it, the
 * configured {@code NodeFacts.memoryGb}. A node whose memory is unknown, or a model whose size is
 * unknown, is accepted: the filter only removes nodes it knows cannot hold the model.
 *
 * <p>Parameters: {@code memory} ({@code free} by default, or {@code total}: engines that keep a
 * served model resident count its weights as used, so {@code free} suits engines that load models
 * on demand), {@code headroomGb} (default 0: memory to keep spare besides the model).
 */
public final class FitsMemoryFilter implements Filter {
    public static final String TYPE = "fits-memory";
    /** Bytes per GB (decimal, as model files and {@code NodeFacts.memoryGb} are quoted). */
    static final double BYTES_PER_GB = 1e9;

    private final ToDoubleFunction<String> modelSizeGb;
    private final boolean freeMemory;
    private final double headroomGb;

    FitsMemoryFilter(ToDoubleFunction<String> modelSizeGb, boolean freeMemory, double headroomGb) {
        this.modelSizeGb = modelSizeGb;
        this.freeMemory = freeMemory;
        this.headroomGb = headroomGb;
    }

    /** The factory: reads {@code memory} and {@code headroomGb}. */
    public static FitsMemoryFilter create(PluginParams params, PluginContext context) {
        String memory = params.string("memory", "free");
        if (!memory.equals("free") && !memory.equals("total")) {
            throw new PluginConfigException(params.pathOf("memory"), memory, "expected free or total");
        }
        double headroom = params.number("headroomGb", 0, 0, 1e6);
        return new FitsMemoryFilter(context.modelSizeGb(), memory.equals("free"), headroom);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean accept(NodeSnapshot node, SchedulingRequest request) {
        double size = modelSizeGb.applyAsDouble(request.model());
        if (Double.isNaN(size)) {
            return true;
        }
        double room = roomGb(node, request);
        return Double.isNaN(room) || size + headroomGb <= room;
    }

    /** The memory the model may use on this node in GB, or NaN when unknown. */
    double roomGb(NodeSnapshot node, SchedulingRequest request) {
        if (Freshness.fresh(node, request.now())) {
            double bytes = 0;
            boolean known = false;
            for (GpuFigures g : node.telemetry().gpus()) {
                if (Double.isNaN(g.memoryTotalBytes()) || (freeMemory && Double.isNaN(g.memoryUsedBytes()))) {
                    continue;
                }
                known = true;
                bytes += freeMemory ? Math.max(0, g.memoryTotalBytes() - g.memoryUsedBytes()) : g.memoryTotalBytes();
            }
            if (known) {
                return bytes / BYTES_PER_GB;
            }
        }
        Integer configured = node.facts() == null ? null : node.facts().memoryGb();
        return configured == null ? Double.NaN : configured;
    }
}
