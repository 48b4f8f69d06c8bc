package dev.flotilla.gateway.scheduling;

import java.util.List;

/**
 * How the engine would decide one request, step by step (for {@code POST /admin/explain}): every
 * node with every filter's verdict, the candidates' scores and weighted totals, and the pick.
 *
 * @param profile the profile the request gets
 * @param nodes   every node of the fleet, in fleet order
 * @param picker  the picker's type
 * @param picked  the chosen node's name, or null when there is no candidate
 */
public record Explanation(String profile, List<NodeVerdict> nodes, String picker, String picked) {

    /**
     * One node.
     *
     * @param droppedBy why it is no candidate: the first filter that refused it, {@code excluded}
     *                  (already tried), {@code degraded} (a healthy candidate exists) or a reason the
     *                  caller adds (an open circuit); null for a candidate
     * @param scores    for a candidate, each scorer's score in profile order; else empty
     * @param total     for a candidate, the weighted total the picker got; else NaN
     */
    public record NodeVerdict(String node, String state, List<FilterVerdict> filters, String droppedBy,
                              List<ScorerScore> scores, double total) {
        /** This verdict with the node dropped for {@code reason}. */
        public NodeVerdict droppedFor(String reason) {
            return new NodeVerdict(node, state, filters, reason, List.of(), Double.NaN);
        }
    }

    /** One filter's verdict on one node. */
    public record FilterVerdict(String filter, boolean accepted) {
    }

    /**
     * One scorer's view of one candidate.
     *
     * @param raw     what the scorer wrote (may be NaN or outside 0..1)
     * @param clamped what the engine counted: NaN as 0.5, clamped to 0..1
     */
    public record ScorerScore(String scorer, double weight, double raw, double clamped) {
    }
}
