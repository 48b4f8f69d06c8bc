package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.RequestObserver;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Type {@value #TYPE}: keeps a session on the node that served it last (its KV cache likely holds
 * the conversation): that node scores 1, the others 0; all 0 for a request without a session key
 * or whose session was last seen longer than {@code ttl} ago.
 *
 * <p>Parameters: {@code ttl} (default 10m), {@code maxSessions} (default 100000: the least
 * recently used sessions are forgotten beyond it). Thread-safe.
 */
public final class SessionAffinityScorer implements Scorer, RequestObserver {
    public static final String TYPE = "session-affinity";

    private record Last(String node, Instant at) {
    }

    private final Clock clock;
    private final Duration ttl;
    private final int maxSessions;
    private final LinkedHashMap<String, Last> sessions;

    SessionAffinityScorer(Clock clock, Duration ttl, int maxSessions) {
        this.clock = clock;
        this.ttl = ttl;
        this.maxSessions = maxSessions;
        this.sessions = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Last> eldest) {
                return size() > SessionAffinityScorer.this.maxSessions;
            }
        };
    }

    /** The factory: reads {@code ttl} and {@code maxSessions}. */
    public static SessionAffinityScorer create(PluginParams params, PluginContext context) {
        return new SessionAffinityScorer(context.clock(), params.duration("ttl", Duration.ofMinutes(10)),
                (int) params.integer("maxSessions", 100_000, 1, 100_000_000));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] scores) {
        String node = lastNode(request.sessionKey());
        for (int i = 0; i < scores.length; i++) {
            scores[i] = node != null && node.equals(candidates.get(i).name()) ? 1 : 0;
        }
    }

    @Override
    public void dispatched(SchedulingRequest request, NodeSnapshot node) {
        if (request.sessionKey() != null) {
            synchronized (sessions) {
                sessions.put(request.sessionKey(), new Last(node.name(), clock.instant()));
            }
        }
    }

    private String lastNode(String session) {
        if (session == null) {
            return null;
        }
        synchronized (sessions) {
            Last last = sessions.get(session);
            if (last == null) {
                return null;
            }
            if (Duration.between(last.at(), clock.instant()).compareTo(ttl) > 0) {
                sessions.remove(session);
                return null;
            }
            return last.node();
        }
    }

    int size() {
        synchronized (sessions) {
            return sessions.size();
        }
    }
}
