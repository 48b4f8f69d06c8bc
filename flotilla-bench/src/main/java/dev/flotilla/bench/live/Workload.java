package dev.flotilla.bench.live;

import dev.flotilla.bench.trace.TraceRecord;
import java.util.List;

/** How requests are offered: open loop at a rate, closed loop at a concurrency, or a trace replayed. */
public sealed interface Workload permits Workload.Rate, Workload.Concurrency, Workload.Replay {

    /** What each request of a rate or concurrency run asks: a prompt and max_tokens. */
    record Template(TraceRecord.Prompt prompt, int maxTokens) {
        public Template {
            if (prompt == null) {
                throw new IllegalArgumentException("prompt: none (expected a text or a token count)");
            }
            if (maxTokens < 1) {
                throw new IllegalArgumentException("max tokens: " + maxTokens + " (expected >= 1)");
            }
        }

        /** Request number {@code n} (from 1): each gets its own id, so synthetic prompts differ. */
        TraceRecord record(long n, double arrival) {
            return TraceRecord.of("req-" + n, arrival, prompt, maxTokens);
        }
    }

    /** Poisson arrivals at {@code perSecond}, whatever the server does (open loop). */
    record Rate(double perSecond, long seed, Template template) implements Workload {
        public Rate {
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("rate: " + perSecond + " (expected requests/s > 0)");
            }
        }
    }

    /** {@code inFlight} requests at all times, each followed by the next when it ends (closed loop). */
    record Concurrency(int inFlight, Template template) implements Workload {
        public Concurrency {
            if (inFlight < 1) {
                throw new IllegalArgumentException("concurrency: " + inFlight + " (expected >= 1)");
            }
        }
    }

    /**
     * The records of a trace at their arrival times multiplied by {@code timeScale} (0.5 replays
     * twice as fast), open loop.
     */
    record Replay(List<TraceRecord> records, double timeScale, String source) implements Workload {
        public Replay {
            records = List.copyOf(records);
            if (records.isEmpty()) {
                throw new IllegalArgumentException("trace " + source + ": no records");
            }
            if (!(timeScale > 0) || Double.isInfinite(timeScale)) {
                throw new IllegalArgumentException("time scale: " + timeScale + " (expected > 0)");
            }
        }
    }
}
