package dev.flotilla.gateway.scheduling;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/** Runs one body on several threads at once for the concurrency tests; a failure in any thread fails the caller. */
final class Concurrently {
    private Concurrently() {
    }

    /** Runs {@code body} with thread numbers 0 to {@code threads - 1}, each on its own thread, and waits for all. */
    static void run(int threads, IntConsumer body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> body.accept(thread)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
