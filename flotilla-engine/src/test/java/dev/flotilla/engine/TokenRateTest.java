package dev.flotilla.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenRateTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void perSecond_tokensInsideWindow_countedOverWindow() {
        TokenRate rate = new TokenRate();
        rate.record(0, 10);
        rate.record(2 * SECOND, 15);
        assertThat(rate.perSecond(2 * SECOND)).isEqualTo(25 / TokenRate.WINDOW_SECONDS);
    }

    @Test
    void perSecond_tokensOlderThanWindow_forgotten() {
        TokenRate rate = new TokenRate();
        rate.record(0, 10);
        rate.record(3 * SECOND, 4);
        assertThat(rate.perSecond(6 * SECOND)).isEqualTo(4 / TokenRate.WINDOW_SECONDS);
        assertThat(rate.perSecond(11 * SECOND)).isZero();
    }

    @Test
    void perSecond_bucketReusedAfterWrap_oldCountDropped() {
        TokenRate rate = new TokenRate();
        rate.record(0, 100);
        long wrapped = TokenRate.BUCKET_NANOS * TokenRate.BUCKETS;
        rate.record(wrapped, 1);
        assertThat(rate.perSecond(wrapped)).isEqualTo(1 / TokenRate.WINDOW_SECONDS);
    }

    @Test
    void perSecond_negativeVirtualTimes_work() {
        TokenRate rate = new TokenRate();
        rate.record(-SECOND, 5);
        assertThat(rate.perSecond(-SECOND / 2)).isEqualTo(5 / TokenRate.WINDOW_SECONDS);
    }
}
