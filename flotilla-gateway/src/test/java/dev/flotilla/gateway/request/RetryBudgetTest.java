package dev.flotilla.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.config.GatewayConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RetryBudgetTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private RetryBudget budget(double ratio, int minRetries) {
        return new RetryBudget(new GatewayConfig.Retry(3, ratio, Duration.ofSeconds(10), minRetries), nanos::get);
    }

    static Stream<Arguments> allowances() {
        return Stream.of(
                Arguments.of(Named.of("20% of 100 requests, no minimum", 0.2), 0, 100, 20),
                Arguments.of(Named.of("20% of 100 requests plus 3", 0.2), 3, 100, 23),
                Arguments.of(Named.of("no traffic: only the minimum", 0.2), 3, 0, 3),
                Arguments.of(Named.of("ratio 0: only the minimum", 0.0), 2, 1000, 2),
                Arguments.of(Named.of("ratio 1: one retry per request", 1.0), 0, 7, 7),
                Arguments.of(Named.of("fraction rounds up: 10% of 15 allows 2", 0.1), 0, 15, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allowances")
    void tryRetry_withinOneWindow_allowsRatioOfRequestsPlusMinimum(double ratio, int minRetries, int requests,
                                                                    int allowed) {
        RetryBudget b = budget(ratio, minRetries);
        for (int i = 0; i < requests; i++) {
            b.request();
        }
        int granted = 0;
        for (int i = 0; i < 2 * requests + 10; i++) {
            if (b.tryRetry()) {
                granted++;
            }
        }
        assertThat(granted).isEqualTo(allowed);
    }

    @Test
    void tryRetry_afterTheWindowPasses_forgetsOldRetriesAndRequests() {
        RetryBudget b = budget(0.5, 0);
        for (int i = 0; i < 10; i++) {
            b.request();
        }
        while (b.tryRetry()) {
            // spend the budget
        }
        nanos.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(b.tryRetry()).as("old requests no longer give room").isFalse();
        b.request();
        b.request();
        assertThat(b.tryRetry()).as("new requests give room again, old retries no longer count").isTrue();
        assertThat(b.tryRetry()).isFalse();
    }

    @Test
    void tryRetry_halfAWindowLater_stillCountsEarlierRetries() {
        RetryBudget b = budget(0.5, 0);
        for (int i = 0; i < 4; i++) {
            b.request();
        }
        assertThat(b.tryRetry()).isTrue();
        assertThat(b.tryRetry()).isTrue();
        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(b.tryRetry()).as("the 2 retries of 4 requests are still in the window").isFalse();
    }
}
