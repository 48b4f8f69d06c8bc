package dev.flotilla.bench.trace;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.statistics.distribution.ContinuousDistribution;
import org.apache.commons.statistics.distribution.ExponentialDistribution;
import org.apache.commons.statistics.distribution.GammaDistribution;

/**
 * Arrival times of a renewal process whose rate follows a {@link RateSchedule}: gaps of mean 1
 * are drawn in "operational time" (exponential for Poisson arrivals, gamma with the given
 * coefficient of variation for burstier or smoother ones) and mapped onto the schedule through its
 * cumulative rate, so a constant rate gives gaps of mean 1/rate and CV {@code cv}, and a
 * changing rate changes the density of arrivals without changing their burstiness.
 */
public final class ArrivalProcess {
    private final RateSchedule schedule;
    private final ContinuousDistribution.Sampler gap;
    private double operational;

    private ArrivalProcess(RateSchedule schedule, ContinuousDistribution.Sampler gap) {
        this.schedule = schedule;
        this.gap = gap;
    }

    /**
     * @param cv coefficient of variation of the gaps: 1 is Poisson, above 1 bursty, below 1 regular
     */
    public static ArrivalProcess of(RateSchedule schedule, double cv, UniformRandomProvider random) {
        if (!(cv > 0) || Double.isInfinite(cv)) {
            throw new IllegalArgumentException("cv: " + cv + " (expected > 0; 1 is Poisson)");
        }
        ContinuousDistribution.Sampler gap = cv == 1
                ? ExponentialDistribution.of(1).createSampler(random)
                // shape k = 1/cv^2 and scale cv^2 give mean 1 and standard deviation cv
                : GammaDistribution.of(1 / (cv * cv), cv * cv).createSampler(random);
        return new ArrivalProcess(schedule, gap);
    }

    /** Poisson arrivals at a constant rate. */
    public static ArrivalProcess poisson(double perSecond, UniformRandomProvider random) {
        return of(RateSchedule.constant(perSecond), 1, random);
    }

    /** The next arrival, in seconds from the start; infinity when the schedule has ended at rate 0. */
    public double next() {
        operational += gap.sample();
        return schedule.inverse(operational);
    }
}
