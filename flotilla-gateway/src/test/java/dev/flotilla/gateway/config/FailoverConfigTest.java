package dev.flotilla.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FailoverConfigTest {
    private final ConfigLoader loader = new ConfigLoader(dev.flotilla.gateway.scheduling.SchedulingPlugins.builtIn());

    @Test
    void parse_noFailoverKeys_givesDocumentedDefaults() {
        GatewayConfig c = loader.parse("", Map.of());
        assertThat(c.timeouts("any")).isEqualTo(new GatewayConfig.Timeouts(Duration.ofSeconds(5),
                Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofMinutes(30)));
        assertThat(c.dispatch().retry()).isEqualTo(new GatewayConfig.Retry(3, 0.2, Duration.ofSeconds(10), 3));
        assertThat(c.dispatch().circuit()).isEqualTo(new GatewayConfig.Circuit(50, 5, 20, Duration.ofSeconds(10), 2));
        assertThat(c.models()).isEmpty();
        assertThat(c.dispatch().hedge()).isEqualTo(new GatewayConfig.Hedge(false, null, Duration.ofMillis(50),
                Duration.ofSeconds(10)));
    }

    @Test
    void parse_hedgeWithP95Delay_delayIsTheNodesP95WithinFloorAndCeiling() {
        GatewayConfig c = loader.parse("""
                dispatch:
                  hedge: { enabled: true, delay: p95, minDelay: 100ms, maxDelay: 2s }
                """, Map.of());
        GatewayConfig.Hedge h = c.dispatch().hedge();
        assertThat(h).isEqualTo(new GatewayConfig.Hedge(true, null, Duration.ofMillis(100), Duration.ofSeconds(2)));
        assertThat(h.delayMillis(350.2)).isEqualTo(351);
        assertThat(h.delayMillis(20)).isEqualTo(100);
        assertThat(h.delayMillis(9000)).isEqualTo(2000);
        assertThat(h.delayMillis(Double.NaN)).as("too few samples: the floor").isEqualTo(100);
    }

    @Test
    void parse_modelHedge_overridesDispatchHedgeKeyByKey() {
        GatewayConfig c = loader.parse("""
                dispatch:
                  hedge: { enabled: true, minDelay: 80ms }
                models:
                  slow-model:
                    hedge: { delay: 1s }
                  quiet-model:
                    hedge: { enabled: false }
                """, Map.of());
        assertThat(c.hedge("other")).as("delay absent: p95")
                .isEqualTo(new GatewayConfig.Hedge(true, null, Duration.ofMillis(80), Duration.ofSeconds(10)));
        assertThat(c.hedge("slow-model")).isEqualTo(new GatewayConfig.Hedge(true, Duration.ofSeconds(1),
                Duration.ofMillis(80), Duration.ofSeconds(10)));
        assertThat(c.hedge("quiet-model").enabled()).isFalse();
    }

    @Test
    void parse_hedgeWithFixedDelayFromEnvironment_fixedDelayIgnoresP95() {
        GatewayConfig c = loader.parse("dispatch: { hedge: { delay: 300ms } }",
                Map.of("FLOTILLA_DISPATCH_HEDGE_ENABLED", "true"));
        GatewayConfig.Hedge h = c.dispatch().hedge();
        assertThat(h.enabled()).isTrue();
        assertThat(h.delay()).isEqualTo(Duration.ofMillis(300));
        assertThat(h.delayMillis(5000)).isEqualTo(300);
    }

    @Test
    void parse_modelTimeouts_overrideDispatchDefaultsPartByPart() {
        GatewayConfig c = loader.parse("""
                dispatch:
                  connectTimeout: 2s
                  idleTimeout: 30s
                  firstTokenTimeout: 20s
                  totalTimeout: 5m
                  retry: { maxAttempts: 4, budgetRatio: 0.1, budgetWindow: 5s, budgetMinRetries: 1 }
                  circuit: { failureRateThreshold: 40, minimumRequests: 3, windowSize: 10, openFor: 2s, halfOpenRequests: 1 }
                models:
                  llama-3-8b:
                    timeouts: { firstToken: 3s, total: 1m }
                """, Map.of("FLOTILLA_DISPATCH_RETRY_MAX_ATTEMPTS", "5"));
        assertThat(c.timeouts("llama-3-8b")).isEqualTo(new GatewayConfig.Timeouts(Duration.ofSeconds(2),
                Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMinutes(1)));
        assertThat(c.timeouts("other")).isEqualTo(new GatewayConfig.Timeouts(Duration.ofSeconds(2),
                Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofMinutes(5)));
        assertThat(c.dispatch().retry()).isEqualTo(new GatewayConfig.Retry(5, 0.1, Duration.ofSeconds(5), 1));
        assertThat(c.dispatch().circuit()).isEqualTo(new GatewayConfig.Circuit(40, 3, 10, Duration.ofSeconds(2), 1));
    }

    @Test
    void parse_profileHedge_modelOverProfileOverDispatch() {
        GatewayConfig c = loader.parse("""
                dispatch:
                  hedge: { minDelay: 80ms }
                scheduling:
                  routes: { /v1/completions: hedged }
                  profiles:
                    hedged:
                      picker: least-requests
                      hedge: { enabled: true, delay: p95, maxDelay: 3s }
                    plain:
                      picker: round-robin
                models:
                  own: { hedge: { enabled: false } }
                """, Map.of());
        GatewayConfig.Hedge profile = new GatewayConfig.Hedge(true, null, Duration.ofMillis(80), Duration.ofSeconds(3));
        assertThat(c.scheduling().profiles()).filteredOn(p -> p.name().equals("hedged"))
                .singleElement().satisfies(p -> assertThat(p.hedge()).as("absent keys from dispatch.hedge")
                        .isEqualTo(profile));
        assertThat(c.hedge("m", "hedged")).isEqualTo(profile);
        assertThat(c.hedge("own", "hedged").enabled()).as("the model's own block wins").isFalse();
        assertThat(c.hedge("m", "plain")).as("a profile without hedge: dispatch.hedge").isEqualTo(c.dispatch().hedge());
        assertThat(c.hedge("m", "least-requests").enabled()).as("built-in profiles do not hedge").isFalse();
        assertThat(c.hedge("m")).isEqualTo(c.dispatch().hedge());
    }

    static Stream<Arguments> problems() {
        return Stream.of(
                named("model timeout without unit", "models: { m: { timeouts: { firstToken: 5 } } }",
                        "models.m.timeouts.firstToken: 5 (expected a duration like 500ms, 2s, 1m or 1h)"),
                named("model timeout zero", "models: { m: { timeouts: { total: 0s } } }",
                        "models.m.timeouts.total: 0ms (expected a positive duration like 500ms, 2s or 1m)"),
                named("unknown timeout key", "models: { m: { timeouts: { ttft: 1s } } }",
                        "models.m.timeouts.ttft: \"1s\" (unknown key; expected one of: connect, firstToken, idle, total)"),
                named("unknown model key", "models: { m: { retries: 2 } }",
                        "models.m.retries: 2 (unknown key; expected one of: timeouts, sizeGb, hedge)"),
                named("model not a mapping", "models: { m: fast }",
                        "models.m: \"fast\" (expected a mapping, e.g. {timeouts: {firstToken: 30s}})"),
                named("models not a mapping", "models: [a, b]",
                        "models: a list (expected a mapping from model name to its settings)"),
                named("zero first token timeout", "dispatch: { firstTokenTimeout: 0ms }",
                        "dispatch.firstTokenTimeout: 0ms (expected a positive duration like 500ms, 2s or 1m)"),
                named("zero attempts", "dispatch: { retry: { maxAttempts: 0 } }",
                        "dispatch.retry.maxAttempts: 0 (expected an integer from 1 to 10: attempts per request, the first included; 1 turns retries off)"),
                named("budget above one", "dispatch: { retry: { budgetRatio: 1.5 } }",
                        "dispatch.retry.budgetRatio: 1.5 (expected a fraction from 0 to 1: the share of recent requests that may be retried, e.g. 0.2)"),
                named("unknown retry key", "dispatch: { retry: { attempts: 2 } }",
                        "dispatch.retry.attempts: 2 (unknown key; expected one of: maxAttempts, budgetRatio, budgetWindow, budgetMinRetries)"),
                named("failure rate zero", "dispatch: { circuit: { failureRateThreshold: 0 } }",
                        "dispatch.circuit.failureRateThreshold: 0.0 (expected a percentage above 0 and at most 100, e.g. 50)"),
                named("hedge enabled not a boolean", "dispatch: { hedge: { enabled: yes-please, delay: 1s } }",
                        "dispatch.hedge.enabled: \"yes-please\" (expected true or false)"),
                named("model hedge delay without unit", "models: { m: { hedge: { delay: 200 } } }",
                        "models.m.hedge.delay: 200 (expected a duration like 500ms, 2s, 1m or 1h)"),
                named("hedge delay neither duration nor p95", "dispatch: { hedge: { enabled: true, delay: p99 } }",
                        "dispatch.hedge.delay: \"p99\" (expected a duration like 500ms, 2s, 1m or 1h)"),
                named("hedge ceiling below floor", "dispatch: { hedge: { minDelay: 2s, maxDelay: 1s } }",
                        "dispatch.hedge.maxDelay: 1000ms (expected at least dispatch.hedge.minDelay, 2000ms)"),
                named("profile hedge delay not a duration",
                        "scheduling: { profiles: { p: { picker: round-robin, hedge: { delay: soon } } } }",
                        "scheduling.profiles.p.hedge.delay: \"soon\" (expected a duration like 500ms, 2s, 1m or 1h)"),
                named("profile hedge enabled not a boolean",
                        "scheduling: { profiles: { p: { picker: round-robin, hedge: { enabled: maybe } } } }",
                        "scheduling.profiles.p.hedge.enabled: \"maybe\" (expected true or false)"),
                named("profile hedge ceiling below floor",
                        "scheduling: { profiles: { p: { picker: round-robin, hedge: { minDelay: 2s, maxDelay: 1s } } } }",
                        "scheduling.profiles.p.hedge.maxDelay: 1000ms (expected at least scheduling.profiles.p.hedge.minDelay, 2000ms)"),
                named("profile hedge unknown key",
                        "scheduling: { profiles: { p: { picker: round-robin, hedge: { after: 1s } } } }",
                        "scheduling.profiles.p.hedge.after: \"1s\" (unknown key; expected one of: enabled, delay, minDelay, maxDelay)"),
                named("profile hedge not a mapping",
                        "scheduling: { profiles: { p: { picker: round-robin, hedge: true } } }",
                        "scheduling.profiles.p.hedge: true (expected a mapping)"),
                named("zero half-open requests", "dispatch: { circuit: { halfOpenRequests: 0 } }",
                        "dispatch.circuit.halfOpenRequests: 0 (expected an integer from 1 to 1000: requests let through while half-open)"));
    }

    private static Arguments named(String name, String yaml, String problem) {
        return Arguments.of(Named.of(name, yaml), problem);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void parse_badFailoverValue_namesPathAndValue(String yaml, String problem) {
        assertThatThrownBy(() -> loader.parse(yaml, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).contains(problem));
    }
}
