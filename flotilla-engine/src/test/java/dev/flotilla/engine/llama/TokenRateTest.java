package dev.flotilla.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenRateTest {

    @Test
    void perSecond_tokensInsideWindow_countedOverWindow() {
        TestClock clock = new TestClock();
        TokenRate rate = new TokenRate(clock);

        rate.add(10);
        clock.advance(Duration.ofSeconds(2));
        rate.add(15);

        assertThat(rate.perSecond()).isEqualTo(25 / TokenRate.WINDOW_SECONDS);
    }

    @Test
    void perSecond_tokensOlderThanWindow_forgotten() {
        TestClock clock = new TestClock();
        TokenRate rate = new TokenRate(clock);

        rate.add(10);
        clock.advance(Duration.ofSeconds(3));
        rate.add(4);
        clock.advance(Duration.ofSeconds(3));

        assertThat(rate.perSecond()).isEqualTo(4 / TokenRate.WINDOW_SECONDS);
        clock.advance(Duration.ofSeconds(5));
        assertThat(rate.perSecond()).isZero();
    }

    @Test
    void perSecond_bucketReusedAfterWrap_oldCountDropped() {
        TestClock clock = new TestClock();
        TokenRate rate = new TokenRate(clock);

        rate.add(100);
        clock.advance(Duration.ofMillis(TokenRate.BUCKET_MILLIS * TokenRate.BUCKETS));
        rate.add(1);

        assertThat(rate.perSecond()).isEqualTo(1 / TokenRate.WINDOW_SECONDS);
    }
}
