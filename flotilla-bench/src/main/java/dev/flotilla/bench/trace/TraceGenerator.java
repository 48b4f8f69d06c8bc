package dev.flotilla.bench.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntSupplier;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.apache.commons.statistics.distribution.ContinuousDistribution;
import org.apache.commons.statistics.distribution.ExponentialDistribution;

/**
 * Generates a trace from a {@link TraceSpec}. Each tenant draws from its own seeded random
 * streams (arrivals, lengths, think times), and events are merged in time order with ties broken
 * by creation order, so the result depends on the spec alone: same spec, same records, same bytes.
 * A conversation is drawn whole when it starts (all its turn lengths and gaps); its later turns
 * are kept only if they arrive within the duration.
 */
public final class TraceGenerator {

    private TraceGenerator() {
    }

    /** The records of the trace, sorted by arrival, ids {@code r1, r2, ...} in that order. */
    public static List<TraceRecord> generate(TraceSpec spec) {
        List<Tenant> tenants = new ArrayList<>();
        PriorityQueue<Event> events = new PriorityQueue<>();
        long[] sequence = {0};
        for (int i = 0; i < spec.tenants().size(); i++) {
            Tenant t = new Tenant(spec.tenants().get(i), spec.seed(), i);
            tenants.add(t);
            double first = t.arrivals.next();
            if (Double.isFinite(first)) {
                events.add(new Event(first, sequence[0]++, t, null));
            }
        }
        List<TraceRecord> records = new ArrayList<>();
        while (!events.isEmpty() && records.size() < spec.maxRequests()) {
            Event e = events.poll();
            if (e.time >= spec.durationSeconds()) {
                break;
            }
            if (e.turn == null) {
                double next = e.tenant.arrivals.next();
                if (Double.isFinite(next)) {
                    events.add(new Event(next, sequence[0]++, e.tenant, null));
                }
                List<Turn> turns = e.tenant.conversation(e.time);
                for (Turn turn : turns.subList(1, turns.size())) {
                    events.add(new Event(turn.arrival, sequence[0]++, e.tenant, turn));
                }
                records.add(turns.getFirst().record("r" + (records.size() + 1)));
            } else {
                records.add(e.turn.record("r" + (records.size() + 1)));
            }
        }
        return records;
    }

    /** Seeds for independent streams: SplitMix64's finaliser over seed, tenant index and stream number. */
    static long mix(long seed, int tenant, int stream) {
        long z = seed + 0x9E3779B97F4A7C15L * (1 + tenant * 8L + stream);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private record Event(double time, long sequence, Tenant tenant, Turn turn) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Double.compare(time, o.time);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    /** One turn of a conversation, everything but its id. */
    private record Turn(double arrival, TenantSpec tenant, String session, int turn, TraceRecord.Synthetic prompt,
                        int outputTokens) {
        TraceRecord record(String id) {
            return new TraceRecord(id, arrival, tenant.name(), tenant.priority(), session, turn, prompt, outputTokens);
        }
    }

    private static final class Tenant {
        private final TenantSpec spec;
        private final ArrivalProcess arrivals;
        private final UniformRandomProvider lengthRandom;
        private final IntSupplier promptLength;
        private final IntSupplier outputLength;
        private final ContinuousDistribution.Sampler think;
        private int conversations;

        Tenant(TenantSpec spec, long seed, int index) {
            this.spec = spec;
            this.arrivals = ArrivalProcess.of(spec.rate(), spec.cv(), random(seed, index, 1));
            this.lengthRandom = random(seed, index, 2);
            this.promptLength = spec.prompt().sampler(lengthRandom);
            this.outputLength = spec.output().sampler(lengthRandom);
            double thinkMean = spec.sessions().thinkTimeSeconds();
            this.think = thinkMean > 0 ? ExponentialDistribution.of(thinkMean).createSampler(random(seed, index, 3)) : null;
        }

        private static UniformRandomProvider random(long seed, int index, int stream) {
            return RandomSource.XO_RO_SHI_RO_128_PP.create(mix(seed, index, stream));
        }

        /** Every turn of a new conversation starting at {@code start}. */
        List<Turn> conversation(double start) {
            conversations++;
            TenantSpec.Prefixes p = spec.prefixes();
            String group = null;
            int prefixTokens = 0;
            if (p.groups() > 0 && lengthRandom.nextDouble() < p.share()) {
                group = spec.name() + "-p" + (lengthRandom.nextInt(p.groups()) + 1);
                prefixTokens = p.tokens();
            }
            int turns = spec.sessions().turns();
            String session = turns > 1 ? spec.name() + "-s" + conversations : null;
            List<Turn> result = new ArrayList<>(turns);
            double arrival = start;
            long history = 0;
            for (int k = 1; k <= turns; k++) {
                if (k > 1) {
                    arrival += think == null ? 0 : think.sample();
                }
                long user = promptLength.getAsInt();
                int output = outputLength.getAsInt();
                long tokens = prefixTokens + history + user;
                if (tokens > Integer.MAX_VALUE) {
                    break;
                }
                result.add(new Turn(micros(arrival), spec, session, k,
                        new TraceRecord.Synthetic((int) tokens, group, prefixTokens), output));
                // the next turn's prompt: this prompt, this answer, then the next user turn
                history += user + output;
            }
            return result;
        }

        private static double micros(double seconds) {
            return Math.round(seconds * 1e6) / 1e6;
        }
    }
}
