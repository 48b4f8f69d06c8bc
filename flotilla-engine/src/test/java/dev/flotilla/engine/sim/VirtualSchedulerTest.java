package dev.flotilla.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final List<String> ran = new ArrayList<>();

    private void record(String name) {
        ran.add(name + "@" + scheduler.nanoTime());
    }

    @Test
    void advanceTo_runsDueEventsInTimeThenSchedulingOrder() {
        scheduler.schedule(30, () -> record("c"));
        scheduler.schedule(10, () -> record("a"));
        scheduler.schedule(10, () -> record("b"));
        scheduler.schedule(50, () -> record("late"));

        scheduler.advanceTo(40);

        assertThat(ran).containsExactly("a@10", "b@10", "c@30");
        assertThat(scheduler.nanoTime()).isEqualTo(40);
        assertThat(scheduler.nextEventNanos()).hasValue(50);
    }

    @Test
    void runUntilIdle_eventsSchedulingEvents_runsThemAllAndStopsAtTheLast() {
        scheduler.schedule(5, () -> {
            record("first");
            scheduler.schedule(scheduler.nanoTime() + 7, () -> record("second"));
            scheduler.schedule(0, () -> record("past"));
        });

        scheduler.runUntilIdle();

        assertThat(ran).containsExactly("first@5", "past@5", "second@12");
        assertThat(scheduler.nanoTime()).isEqualTo(12);
        assertThat(scheduler.nextEventNanos()).isEmpty();
    }

    @Test
    void runUntilIdle_endlessEvents_failsAfterTheLimit() {
        Runnable again = new Runnable() {
            @Override
            public void run() {
                scheduler.schedule(scheduler.nanoTime() + 1, this);
            }
        };
        scheduler.schedule(0, again);

        assertThatThrownBy(() -> scheduler.runUntilIdle(100)).hasMessageContaining("still busy after 100 events");
    }

    @Test
    void advanceTo_thePast_fails() {
        scheduler.advanceTo(100);

        assertThatThrownBy(() -> scheduler.advanceTo(99)).hasMessageContaining("advanceTo: 99 ns");
    }
}
