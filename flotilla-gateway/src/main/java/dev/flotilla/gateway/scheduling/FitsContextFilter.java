package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.Filter;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Type {@value #TYPE}: only nodes whose context for the requested model (the {@code max_model_len}
 * of their {@code /v1/models}, {@link NodeSnapshot#contextLength}) holds the prompt and a little
 * output: the prompt's estimated tokens plus {@code min(max_tokens, minOutputTokens)}. A node whose
 * context is unknown is accepted.
 *
 * <p>The gateway does not tokenize, so the prompt's length is an estimate
 * ({@link SchedulingRequest#estimatedPromptTokens()}) and may err either way. Erring low, a node
 * that is too small is accepted and answers its own 400 (as without the filter). Erring high, a
 * node that would have fitted is dropped: harmless while a larger one remains. When the filter
 * would drop every candidate, it keeps those with the largest context instead of leaving none
 * (which would read as "no node is up", a 503 a client retries): the node with the most room then
 * counts the prompt exactly and either serves it or answers 400 naming the prompt's real length.
 *
 * <p>Parameters: {@code minOutputTokens} (default {@value #DEFAULT_MIN_OUTPUT}, 0..1,000,000): the
 * output a node must have room for besides the prompt, capped by the request's {@code max_tokens}.
 */
public final class FitsContextFilter implements Filter {
    public static final String TYPE = "fits-context";
    /** Output tokens a node must have room for (at most the request's max_tokens): a useful answer's start. */
    static final int DEFAULT_MIN_OUTPUT = 16;

    private final int minOutputTokens;

    FitsContextFilter(int minOutputTokens) {
        this.minOutputTokens = minOutputTokens;
    }

    /** The factory: reads {@code minOutputTokens}. */
    public static FitsContextFilter create(PluginParams params) {
        return new FitsContextFilter((int) params.integer("minOutputTokens", DEFAULT_MIN_OUTPUT, 0, 1_000_000));
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** The tokens a node's context must hold for this request: estimated prompt plus the minimum output. */
    long neededTokens(SchedulingRequest request) {
        return (long) request.estimatedPromptTokens() + Math.min(Math.max(0, request.maxTokens(minOutputTokens)),
                minOutputTokens);
    }

    @Override
    public boolean accept(NodeSnapshot node, SchedulingRequest request) {
        Integer context = node.contextLength(request.model());
        return context == null || context >= neededTokens(request);
    }

    /** The nodes with the largest known context among those rejected (all of them have one). */
    @Override
    public List<NodeSnapshot> whenNoneAccepted(List<NodeSnapshot> rejected, SchedulingRequest request) {
        int largest = 0;
        for (NodeSnapshot n : rejected) {
            Integer c = n.contextLength(request.model());
            largest = Math.max(largest, c == null ? 0 : c);
        }
        List<NodeSnapshot> kept = new ArrayList<>();
        for (NodeSnapshot n : rejected) {
            Integer c = n.contextLength(request.model());
            if (c != null && c == largest) {
                kept.add(n);
            }
        }
        return kept;
    }
}
