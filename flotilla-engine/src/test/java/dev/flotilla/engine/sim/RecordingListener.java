package dev.flotilla.engine.sim;

import dev.flotilla.engine.TokenListener;
import dev.flotilla.protocol.FinishReason;
import dev.flotilla.protocol.Usage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/** Records every callback with the scheduler time it arrived at. */
final class RecordingListener implements TokenListener {

    final List<String> tokens = new CopyOnWriteArrayList<>();
    final List<Long> tokenTimes = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    private final LongSupplier clock;
    volatile FinishReason finish;
    volatile Usage usage;
    volatile Throwable error;
    volatile long completedAt = -1;

    RecordingListener(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public void onToken(String text) {
        tokens.add(text);
        tokenTimes.add(clock.getAsLong());
        events.add("token");
    }

    @Override
    public void onComplete(FinishReason reason, Usage usage) {
        this.finish = reason;
        this.usage = usage;
        this.completedAt = clock.getAsLong();
        events.add("complete");
    }

    @Override
    public void onError(Throwable error) {
        this.error = error;
        events.add("error");
    }

    String text() {
        return String.join("", tokens);
    }

    boolean done() {
        return finish != null || error != null;
    }
}
