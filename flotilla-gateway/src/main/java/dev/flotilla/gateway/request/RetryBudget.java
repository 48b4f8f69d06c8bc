package dev.flotilla.gateway.request;

import dev.flotilla.gateway.config.GatewayConfig;
import java.util.function.LongSupplier;

/**
 * Caps retries at a share of recent traffic, so that when every node fails the gateway does not
 * multiply the load it sends: over a sliding window (ten buckets), retries may be at most
 * {@code budgetRatio} times the requests, plus {@code budgetMinRetries} always allowed so a quiet
 * gateway can still retry. Shared by every event loop of a gateway, hence synchronized (two
 * counters updated per request; no allocation).
 */
public final class RetryBudget {
    private static final int BUCKETS = 10;

    private final double ratio;
    private final int minRetries;
    private final long bucketNanos;
    private final LongSupplier nanoTicker;
    private final long[] requests = new long[BUCKETS];
    private final long[] retries = new long[BUCKETS];
    /** The bucket number (time / bucket width) each slot last counted, so stale slots are cleared lazily. */
    private final long[] epochs = new long[BUCKETS];

    public RetryBudget(GatewayConfig.Retry config, LongSupplier nanoTicker) {
        this.ratio = config.budgetRatio();
        this.minRetries = config.budgetMinRetries();
        this.bucketNanos = Math.max(1, config.budgetWindow().toNanos() / BUCKETS);
        this.nanoTicker = nanoTicker;
        java.util.Arrays.fill(epochs, Long.MIN_VALUE);
    }

    /** Counts one client request (not its retries). */
    public synchronized void request() {
        requests[slot()]++;
    }

    /** Takes one retry from the budget: false (and nothing counted) when the window has no room. */
    public synchronized boolean tryRetry() {
        int now = slot();
        long inWindowRequests = 0;
        long inWindowRetries = 0;
        for (int i = 0; i < BUCKETS; i++) {
            inWindowRequests += requests[i];
            inWindowRetries += retries[i];
        }
        if (inWindowRetries >= minRetries + ratio * inWindowRequests) {
            return false;
        }
        retries[now]++;
        return true;
    }

    /** The slot of the current bucket, with every slot older than the window cleared. */
    private int slot() {
        long epoch = Math.floorDiv(nanoTicker.getAsLong(), bucketNanos);
        for (int i = 0; i < BUCKETS; i++) {
            if (epochs[i] != Long.MIN_VALUE && epoch - epochs[i] >= BUCKETS) {
                requests[i] = 0;
                retries[i] = 0;
                epochs[i] = Long.MIN_VALUE;
            }
        }
        int slot = (int) Math.floorMod(epoch, BUCKETS);
        if (epochs[slot] != epoch) {
            requests[slot] = 0;
            retries[slot] = 0;
            epochs[slot] = epoch;
        }
        return slot;
    }
}
