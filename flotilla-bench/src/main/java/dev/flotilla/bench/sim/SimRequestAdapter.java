package dev.flotilla.bench.sim;

import java.util.Iterator;
import java.util.Objects;

/**
 * Maps the records of some trace format onto {@link SimRequest}s, lazily, so that a trace reader
 * and the simulator meet in one small function (e.g. the bench trace's record: arrival seconds to
 * nanoseconds, its prompt to a {@link SimPrompt}, its output tokens to {@code maxTokens}).
 *
 * @param <T> the trace's record type
 */
@FunctionalInterface
public interface SimRequestAdapter<T> {

    SimRequest toSimRequest(T record);

    /** The requests of {@code records}, mapped one at a time as the simulator asks for them. */
    default Iterator<SimRequest> adapt(Iterator<? extends T> records) {
        Objects.requireNonNull(records, "records");
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return records.hasNext();
            }

            @Override
            public SimRequest next() {
                return toSimRequest(records.next());
            }
        };
    }
}
