package dev.flotilla.engine.sim;

import dev.flotilla.engine.Engine;
import dev.flotilla.engine.EngineInfo;
import dev.flotilla.engine.EngineState;
import dev.flotilla.engine.Generation;
import dev.flotilla.engine.GenerationRequest;
import dev.flotilla.engine.PromptTooLongException;
import dev.flotilla.engine.TokenListener;
import dev.flotilla.engine.TokenRate;
import dev.flotilla.protocol.ChatMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An {@link Engine} without model weights: it batches generations like vLLM (continuous batching,
 * no chunked prefill) and times every iteration by an {@link AcceleratorProfile}'s performance
 * model, on a {@link SimScheduler}'s clock. Text comes from a seeded generator of English-looking
 * sentences. {@code submit}, {@code cancel}, {@code state} and {@code close} are safe from any
 * thread; iterations and listener callbacks run on the scheduler's thread.
 */
public final class SimulatedEngine implements Engine {

    private final String model;
    private final AcceleratorProfile profile;
    private final SimScheduler scheduler;
    private final AutoCloseable ownedScheduler;
    /** Null when prefix caching is off. Guarded by lock. */
    private final PrefixCache prefixCache;

    private final Object lock = new Object();
    // Guarded by lock.
    private final Deque<SimGeneration> waiting = new ArrayDeque<>();
    private final Set<SimGeneration> running = new LinkedHashSet<>();
    private final TokenRate tokenRate = new TokenRate();
    private long kvReserved;
    // Scheduler time spent in iterations that have ended, and the start of the one under way (-1: none).
    private long busyNanos;
    private long iterationStart = -1;
    private boolean iterating;
    private boolean closed;

    private SimulatedEngine(String model, AcceleratorProfile profile, SimScheduler scheduler,
                            AutoCloseable ownedScheduler, boolean prefixCaching) {
        this.prefixCache = prefixCaching ? new PrefixCache() : null;
        this.model = Objects.requireNonNull(model, "model");
        this.profile = Objects.requireNonNull(profile, "profile");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.ownedScheduler = ownedScheduler;
    }

    /**
     * An engine serving {@code model} on {@code profile}, timed by {@code scheduler} (not closed with
     * the engine), with prefix caching on (as vLLM has it by default).
     */
    public static SimulatedEngine create(String model, AcceleratorProfile profile, SimScheduler scheduler) {
        return create(model, profile, scheduler, true);
    }

    /** As {@link #create(String, AcceleratorProfile, SimScheduler)}, with prefix caching on or off. */
    public static SimulatedEngine create(String model, AcceleratorProfile profile, SimScheduler scheduler,
                                         boolean prefixCaching) {
        return new SimulatedEngine(model, profile, scheduler, null, prefixCaching);
    }

    /** An engine on its own {@link RealTimeScheduler} thread, which {@link #close()} stops; prefix caching on. */
    public static SimulatedEngine realTime(String model, AcceleratorProfile profile) {
        return realTime(model, profile, true);
    }

    /** As {@link #realTime(String, AcceleratorProfile)}, with prefix caching on or off. */
    public static SimulatedEngine realTime(String model, AcceleratorProfile profile, boolean prefixCaching) {
        RealTimeScheduler scheduler = new RealTimeScheduler("flotilla-sim-" + profile.name() + "-" + model);
        return new SimulatedEngine(model, profile, scheduler, scheduler, prefixCaching);
    }

    @Override
    public String model() {
        return model;
    }

    public AcceleratorProfile profile() {
        return profile;
    }

    @Override
    public EngineInfo info() {
        return new EngineInfo("simulated", profile.name(), profile.memoryGb(), profile.bandwidthGbs(),
                profile.tflopsBf16(), profile.maxBatchSize(), profile.maxContextTokens());
    }

    /** A plain template: {@code "<role>: <content>\n"} per message, then {@code "assistant:"}. */
    @Override
    public String chatPrompt(List<ChatMessage> messages) {
        StringBuilder prompt = new StringBuilder();
        for (ChatMessage message : messages) {
            prompt.append(message.role()).append(": ").append(message.content()).append('\n');
        }
        return prompt.append("assistant:").toString();
    }

    /** Words (runs of letters, digits, apostrophes) and other non-space characters count one token each. */
    @Override
    public int countTokens(String text) {
        return SimText.countTokens(text);
    }

    @Override
    public Generation submit(GenerationRequest request, TokenListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        int promptTokens = countTokens(request.prompt());
        // The profile guarantees maxContext <= KV capacity, so this also rejects prompts the whole cache cannot hold.
        if (promptTokens >= profile.maxContextTokens()) {
            throw new PromptTooLongException(promptTokens, profile.maxContextTokens());
        }
        SimGeneration generation = new SimGeneration(this, request, listener, promptTokens,
                profile.maxContextTokens(), prefixCache == null ? new long[0] : PrefixCache.blockHashes(request.prompt()));
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("engine closed: generation " + request.id() + " not queued");
            }
            waiting.addLast(generation);
            if (!iterating) {
                iterating = true;
                // Through the scheduler, so requests submitted at the same instant share the first batch.
                scheduler.schedule(scheduler.nanoTime(), this::startIteration);
            }
        }
        return generation;
    }

    @Override
    public EngineState state() {
        synchronized (lock) {
            return new EngineState(running.size(), waiting.size(),
                    (double) kvReserved / profile.kvCacheTokens(), tokenRate.perSecond(scheduler.nanoTime()));
        }
    }

    /** Prompt tokens looked up in the prefix cache and found there, since the engine started. */
    @Override
    public java.util.Optional<dev.flotilla.engine.PrefixCacheStats> prefixCache() {
        if (prefixCache == null) {
            return java.util.Optional.empty();
        }
        synchronized (lock) {
            return java.util.Optional.of(new dev.flotilla.engine.PrefixCacheStats(prefixCache.queriedTokens(),
                    prefixCache.hitTokens()));
        }
    }

    /**
     * What the engine's GPU would be doing, for modelled telemetry: the scheduler's time, the total
     * scheduler time spent in iterations so far (the one under way counted up to now) and the KV-cache
     * use. Busy time over an interval divided by the interval is the fraction of it the "GPU" ran kernels.
     */
    public Activity activity() {
        synchronized (lock) {
            long now = scheduler.nanoTime();
            long busy = busyNanos + (iterationStart >= 0 ? Math.max(0, now - iterationStart) : 0);
            return new Activity(now, busy, (double) kvReserved / profile.kvCacheTokens());
        }
    }

    /**
     * A reading of {@link #activity()}.
     *
     * @param atNanos      the scheduler's clock when it was taken
     * @param busyNanos    scheduler nanoseconds spent in iterations since the engine started
     * @param kvCacheUsage fraction of the KV cache reserved, 0 to 1
     */
    public record Activity(long atNanos, long busyNanos, double kvCacheUsage) {
    }

    @Override
    public void close() {
        List<SimGeneration> ended;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            ended = new ArrayList<>(running);
            ended.addAll(waiting);
            running.clear();
            waiting.clear();
            kvReserved = 0;
            iterationStart = -1;
        }
        for (SimGeneration generation : ended) {
            generation.fail(new IllegalStateException("engine closed"));
        }
        if (ownedScheduler != null) {
            try {
                ownedScheduler.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the simulated engine's scheduler failed", e);
            }
        }
    }

    /** Takes a generation out of the queue or the batch, freeing its KV reservation at once. */
    void remove(SimGeneration generation) {
        synchronized (lock) {
            if (!waiting.remove(generation) && running.remove(generation)) {
                leaveBatchLocked(generation);
            }
        }
    }

    private void startIteration() {
        synchronized (lock) {
            beginIterationLocked();
        }
    }

    /**
     * Starts the next iteration at the current time: a prefill of newly admitted generations if any
     * were admitted, otherwise a decode step of the whole batch; with no work the loop goes idle.
     */
    private void beginIterationLocked() {
        if (closed) {
            iterating = false;
            iterationStart = -1;
            return;
        }
        List<SimGeneration> batch = admitLocked();
        long duration;
        if (!batch.isEmpty()) {
            duration = profile.prefillNanos(batch.stream().mapToLong(SimGeneration::uncachedPromptTokens).sum());
        } else if (!running.isEmpty()) {
            batch = List.copyOf(running);
            duration = profile.decodeNanos(batch.size());
        } else {
            iterating = false;
            iterationStart = -1;
            return;
        }
        iterationStart = scheduler.nanoTime();
        List<SimGeneration> members = batch;
        scheduler.schedule(scheduler.nanoTime() + duration, () -> finishIteration(members));
    }

    /** First come, first served: the first waiting generation that does not fit blocks those behind it. */
    private List<SimGeneration> admitLocked() {
        List<SimGeneration> admitted = new ArrayList<>();
        while (!waiting.isEmpty() && running.size() < profile.maxBatchSize()
                && kvReserved + waiting.peekFirst().kvNeed() <= profile.kvCacheTokens()) {
            SimGeneration generation = waiting.pollFirst();
            running.add(generation);
            kvReserved += generation.kvNeed();
            if (prefixCache != null) {
                generation.cachedTokens(prefixCache.admit(generation.blocks(), generation.promptTokens()));
            }
            admitted.add(generation);
        }
        fitPrefixCacheLocked();
        return admitted;
    }

    /** A running generation leaves the batch: its KV reservation is freed, its prompt blocks stay cached. */
    private void leaveBatchLocked(SimGeneration generation) {
        kvReserved -= generation.kvNeed();
        if (prefixCache != null) {
            prefixCache.release(generation.blocks());
            fitPrefixCacheLocked();
        }
    }

    /** Cached blocks nobody holds live in the free part of the KV cache: evict what no longer fits. */
    private void fitPrefixCacheLocked() {
        if (prefixCache != null) {
            prefixCache.fitFree(Math.max(0, profile.kvCacheTokens() - kvReserved) / PrefixCache.BLOCK_TOKENS);
        }
    }

    /** Ends an iteration at a token boundary: one token to each member still running, then the next iteration. */
    private void finishIteration(List<SimGeneration> batch) {
        List<Runnable> deliveries = new ArrayList<>(batch.size());
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (iterationStart >= 0) {
                busyNanos += scheduler.nanoTime() - iterationStart;
                iterationStart = -1;
            }
            int produced = 0;
            for (SimGeneration generation : batch) {
                if (!running.contains(generation)) {
                    continue; // cancelled during the iteration
                }
                SimGeneration.Step step = generation.nextToken();
                produced++;
                if (step.finish() != null) {
                    running.remove(generation);
                    leaveBatchLocked(generation);
                }
                deliveries.add(() -> generation.deliver(step));
            }
            tokenRate.record(scheduler.nanoTime(), produced);
            beginIterationLocked();
        }
        // Outside the engine lock: listeners may call submit, cancel or state.
        deliveries.forEach(Runnable::run);
    }
}
