package dev.flotilla.gateway.fleet;

/**
 * Static facts about a node's hardware from the configuration; each is null when unknown.
 * Later scorers and the planner read them; routing today does not.
 */
public record NodeFacts(String accelerator, Integer memoryGb, Double tflops) {
    public static final NodeFacts UNKNOWN = new NodeFacts(null, null, null);
}
