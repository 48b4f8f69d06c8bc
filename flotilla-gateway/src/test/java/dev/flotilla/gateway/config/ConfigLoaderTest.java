package dev.flotilla.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader(dev.flotilla.gateway.scheduling.SchedulingPlugins.builtIn());

    private static final String NODE = "nodes:\n  - { name: a, url: http://127.0.0.1:9001 }\n";

    @Test
    void parse_fullExample_buildsRecordTree() {
        GatewayConfig c = loader.parse("""
                listen: { host: 0.0.0.0, port: 9090, maxBodyBytes: 1MiB, eventLoops: 3 }
                health: { interval: 500ms, timeout: 2s }
                routing: { policy: least-requests }
                dispatch: { connectTimeout: 3s, idleTimeout: 1m, poolSize: 64 }
                nodes:
                  - name: sim-h100
                    url: http://127.0.0.1:9001
                    accelerator: H100
                    memoryGb: 80
                    tflops: 989
                  - { name: sim-l4, url: "https://localhost:9002/" }
                """, Map.of());
        assertThat(c.listen()).isEqualTo(new GatewayConfig.Listen("0.0.0.0", 9090, 1024 * 1024, 3));
        assertThat(c.health()).isEqualTo(new GatewayConfig.Health(Duration.ofMillis(500), Duration.ofSeconds(2)));
        assertThat(c.dispatch()).isEqualTo(new GatewayConfig.Dispatch(Duration.ofSeconds(3), Duration.ofMinutes(1), 64));
        assertThat(c.nodes()).containsExactly(
                new GatewayConfig.Node("sim-h100", "http://127.0.0.1:9001", "H100", 80, 989.0),
                new GatewayConfig.Node("sim-l4", "https://localhost:9002/"));
    }

    @Test
    void parse_healthStateMachineKeys_buildRecord() {
        GatewayConfig c = loader.parse("""
                health: { interval: 100ms, timeout: 1s, unhealthyAfter: 2, healthyAfter: 3, passiveFailures: 4,
                          errorRateWindow: 10s, degradedErrorRate: 0.25, errorRateMinRequests: 8 }
                """, Map.of("FLOTILLA_HEALTH_HEALTHY_AFTER", "5"));
        assertThat(c.health()).isEqualTo(new GatewayConfig.Health(Duration.ofMillis(100), Duration.ofSeconds(1),
                2, 5, 4, Duration.ofSeconds(10), 0.25, 8));
    }

    @Test
    void parse_noHealthSection_givesDocumentedStateMachineDefaults() {
        GatewayConfig.Health h = loader.parse("", Map.of()).health();
        assertThat(h.unhealthyAfter()).isEqualTo(1);
        assertThat(h.healthyAfter()).isEqualTo(2);
        assertThat(h.passiveFailures()).isEqualTo(3);
        assertThat(h.errorRateWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(h.degradedErrorRate()).isEqualTo(0.5);
        assertThat(h.errorRateMinRequests()).isEqualTo(5);
        assertThat(h.outlierFactor()).isEqualTo(3.0);
        assertThat(h.outlierMinSamples()).isEqualTo(20);
        assertThat(h.outlierWindow()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void parse_outlierKeysAndEnvironment_buildRecord() {
        GatewayConfig c = loader.parse("health: { outlierFactor: 2.5, outlierWindow: 30s }",
                Map.of("FLOTILLA_HEALTH_OUTLIER_MIN_SAMPLES", "10"));
        assertThat(c.health()).isEqualTo(GatewayConfig.Health.defaults().withOutliers(2.5, 10, Duration.ofSeconds(30)));
    }

    @Test
    void parse_shutdownGraceFromYamlAndEnvironment_buildsListen() {
        assertThat(loader.parse("listen: { shutdownGrace: 45s }", Map.of()).listen().shutdownGrace())
                .isEqualTo(Duration.ofSeconds(45));
        assertThat(loader.parse("listen: { shutdownGrace: 45s }", Map.of("FLOTILLA_LISTEN_SHUTDOWN_GRACE", "0s"))
                .listen().shutdownGrace()).isZero();
        assertThat(loader.parse("", Map.of()).listen().shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void parse_emptyText_givesDefaults() {
        assertThat(loader.parse("", Map.of())).isEqualTo(GatewayConfig.defaults());
        assertThat(GatewayConfig.defaults().listen().port()).isEqualTo(8080);
        assertThat(GatewayConfig.defaults().health().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(GatewayConfig.defaults().dispatch().poolSize()).isGreaterThanOrEqualTo(64);
    }

    @Test
    void parse_envOverrides_replaceYamlValues() {
        GatewayConfig c = loader.parse(NODE + "listen: { port: 8080 }\n", Map.of(
                "FLOTILLA_LISTEN_PORT", "9090",
                "FLOTILLA_HEALTH_INTERVAL", "250ms",
                "FLOTILLA_NODES_0_URL", "http://127.0.0.1:7000",
                "flotilla_nodes_0_memory_gb", "24",
                "FLOTILLA_LISTEN_MAXBODYBYTES", "2048",
                "PATH", "/usr/bin"));
        assertThat(c.listen().port()).isEqualTo(9090);
        assertThat(c.listen().maxBodyBytes()).isEqualTo(2048);
        assertThat(c.health().interval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.nodes().get(0).url()).isEqualTo("http://127.0.0.1:7000");
        assertThat(c.nodes().get(0).memoryGb()).isEqualTo(24);
    }

    @Test
    void parse_telemetrySection_buildsRecordAndPointCount() {
        GatewayConfig c = loader.parse("telemetry: { interval: 250ms, timeout: 200ms, history: 1h, staleAfter: 1s }\n",
                Map.of());
        assertThat(c.telemetry()).isEqualTo(new GatewayConfig.Telemetry(Duration.ofMillis(250), Duration.ofMillis(200),
                Duration.ofHours(1), Duration.ofSeconds(1)));
        assertThat(c.telemetry().historyPoints()).isEqualTo(14_400);
    }

    @Test
    void parse_noTelemetrySection_givesDocumentedDefaults() {
        GatewayConfig.Telemetry t = loader.parse("", Map.of()).telemetry();
        assertThat(t).isEqualTo(new GatewayConfig.Telemetry(Duration.ofMillis(500), Duration.ofMillis(400),
                Duration.ofMinutes(15), Duration.ofSeconds(2)));
        assertThat(t.historyPoints()).isEqualTo(1800);
    }

    @Test
    void parse_telemetryEnvOverrides_replaceYamlValues() {
        GatewayConfig c = loader.parse("telemetry: { interval: 1s }\n", Map.of(
                "FLOTILLA_TELEMETRY_INTERVAL", "100ms",
                "FLOTILLA_TELEMETRY_TIMEOUT", "80ms",
                "FLOTILLA_TELEMETRY_STALE_AFTER", "300ms",
                "FLOTILLA_TELEMETRY_HISTORY", "5m"));
        assertThat(c.telemetry()).isEqualTo(new GatewayConfig.Telemetry(Duration.ofMillis(100), Duration.ofMillis(80),
                Duration.ofMinutes(5), Duration.ofMillis(300)));
    }

    @Test
    void parse_badTelemetryEnvironmentValue_reportsConfigPath() {
        assertThatThrownBy(() -> loader.parse("", Map.of("FLOTILLA_TELEMETRY_INTERVAL", "fast")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly("telemetry.interval: \"fast\" (expected a duration like 500ms, 2s, 1m or 1h)"));
    }

    @Test
    void parse_envNodeAtNextIndex_appendsNode() {
        GatewayConfig c = loader.parse(NODE, Map.of(
                "FLOTILLA_NODES_1_NAME", "b", "FLOTILLA_NODES_1_URL", "http://127.0.0.1:9002"));
        assertThat(c.nodes()).extracting(GatewayConfig.Node::name).containsExactly("a", "b");
    }

    @Test
    void parse_unrelatedFlotillaVariable_isIgnored() {
        assertThat(loader.parse(NODE, Map.of("FLOTILLA_HOME", "/opt/flotilla")).nodes()).hasSize(1);
    }

    static Stream<Arguments> problems() {
        return Stream.of(
                named("port out of range", "listen: { port: 70000 }",
                        "listen.port: 70000 (expected an integer from 0 to 65535; 0 picks a free port)"),
                named("port not a number", "listen: { port: eighty }",
                        "listen.port: \"eighty\" (expected an integer)"),
                named("empty host", "listen: { host: '' }",
                        "listen.host: \"\" (expected a host name or IP address)"),
                named("tiny body limit", "listen: { maxBodyBytes: 10 }",
                        "listen.maxBodyBytes: 10 (expected at least 1024 bytes, e.g. 16MiB)"),
                named("negative event loops", "listen: { eventLoops: -1 }",
                        "listen.eventLoops: -1 (expected 0 for one per core, or 1 to 256)"),
                named("shutdown grace above an hour", "listen: { shutdownGrace: 2h }",
                        "listen.shutdownGrace: 7200000ms (expected a duration from 0s to 1h: how long requests in flight may finish on shutdown)"),
                named("shutdown grace without unit", "listen: { shutdownGrace: 30 }",
                        "listen.shutdownGrace: 30 (expected a duration like 500ms, 2s, 1m or 1h)"),
                named("bad size", "listen: { maxBodyBytes: lots }",
                        "listen.maxBodyBytes: \"lots\" (expected a size in bytes like 1048576, 512KiB or 16MiB)"),
                named("duration without unit", "health: { interval: 5 }",
                        "health.interval: 5 (expected a duration like 500ms, 2s, 1m or 1h)"),
                named("zero duration", "health: { timeout: 0s }",
                        "health.timeout: 0ms (expected a positive duration like 500ms, 2s or 1m)"),
                named("zero unhealthyAfter", "health: { unhealthyAfter: 0 }",
                        "health.unhealthyAfter: 0 (expected an integer from 1 to 1000: consecutive failed checks that take a node out)"),
                named("huge healthyAfter", "health: { healthyAfter: 5000 }",
                        "health.healthyAfter: 5000 (expected an integer from 1 to 1000: consecutive successful checks that bring a node back)"),
                named("negative passiveFailures", "health: { passiveFailures: -2 }",
                        "health.passiveFailures: -2 (expected an integer from 1 to 1000: consecutive failed requests that take a node out)"),
                named("zero errorRateMinRequests", "health: { errorRateMinRequests: 0 }",
                        "health.errorRateMinRequests: 0 (expected an integer from 1 to 1000: requests in the window before the error rate counts)"),
                named("zero errorRateWindow", "health: { errorRateWindow: 0s }",
                        "health.errorRateWindow: 0ms (expected a positive duration like 500ms, 2s or 1m)"),
                named("error rate above one", "health: { degradedErrorRate: 1.5 }",
                        "health.degradedErrorRate: 1.5 (expected a fraction above 0 and at most 1, e.g. 0.5)"),
                named("error rate zero", "health: { degradedErrorRate: 0 }",
                        "health.degradedErrorRate: 0.0 (expected a fraction above 0 and at most 1, e.g. 0.5)"),
                named("error rate not a number", "health: { degradedErrorRate: half }",
                        "health.degradedErrorRate: \"half\" (expected a number)"),
                named("zero idle timeout", "dispatch: { idleTimeout: 0ms }",
                        "dispatch.idleTimeout: 0ms (expected a positive duration like 500ms, 2s or 1m)"),
                named("pool size zero", "dispatch: { poolSize: 0 }",
                        "dispatch.poolSize: 0 (expected an integer from 1 to 10000)"),
                named("unknown policy", "routing: { policy: random }",
                        "routing.policy: \"random\" (expected one of: flotilla, inferops, least-requests, llmd-default, max-score, power-of-two, round-robin, sglang-cache-aware, weighted-random)"),
                named("unknown top-level key", "listne: { port: 1 }",
                        "listne: a mapping (unknown key; expected one of: listen, health, routing, dispatch, nodes, telemetry, models, scheduling)"),
                named("unknown nested key", "health: { intervall: 1s }",
                        "health.intervall: \"1s\" (unknown key; expected one of: interval, timeout, unhealthyAfter, healthyAfter, "
                                + "passiveFailures, errorRateWindow, degradedErrorRate, errorRateMinRequests, outlierFactor, "
                                + "outlierMinSamples, outlierWindow)"),
                named("outlier factor at one", "health: { outlierFactor: 1 }",
                        "health.outlierFactor: 1.0 (expected a number above 1 and at most 100: how many times slower than the fleet is an outlier, e.g. 3)"),
                named("outlier factor not a number", "health: { outlierFactor: triple }",
                        "health.outlierFactor: \"triple\" (expected a number)"),
                named("outlier min samples zero", "health: { outlierMinSamples: 0 }",
                        "health.outlierMinSamples: 0 (expected an integer from 1 to 50: samples a node needs before its latency is judged)"),
                named("outlier min samples above the kept samples", "health: { outlierMinSamples: 51 }",
                        "health.outlierMinSamples: 51 (expected an integer from 1 to 50: samples a node needs before its latency is judged)"),
                named("outlier window zero", "health: { outlierWindow: 0s }",
                        "health.outlierWindow: 0ms (expected a positive duration like 500ms, 2s or 1m)"),
                named("unknown node key", "nodes: [ { name: a, url: 'http://h:1', gpu: H100 } ]",
                        "nodes[0].gpu: \"H100\" (unknown key; expected one of: name, url, accelerator, memoryGb, tflops)"),
                named("section not a mapping", "health: fast",
                        "health: \"fast\" (expected a mapping)"),
                named("missing node name", "nodes: [ { url: 'http://h:1' } ]",
                        "nodes[0].name: <missing> (expected 1-63 lower-case letters, digits, '-', '.' or '_', starting and ending with a letter or digit)"),
                named("bad node name", "nodes: [ { name: 'Big Node', url: 'http://h:1' } ]",
                        "nodes[0].name: \"Big Node\" (expected 1-63 lower-case letters, digits, '-', '.' or '_', starting and ending with a letter or digit)"),
                named("duplicate node name", "nodes: [ { name: a, url: 'http://h:1' }, { name: a, url: 'http://h:2' } ]",
                        "nodes[1].name: \"a\" (expected a unique name; nodes[0] has it too)"),
                named("url without port", "nodes: [ { name: a, url: 'http://h' } ]",
                        "nodes[0].url: \"http://h\" (expected an http(s) URL with host and port and no path, e.g. http://127.0.0.1:9001)"),
                named("url with path", "nodes: [ { name: a, url: 'http://h:1/v1' } ]",
                        "nodes[0].url: \"http://h:1/v1\" (expected an http(s) URL with host and port and no path, e.g. http://127.0.0.1:9001)"),
                named("url wrong scheme", "nodes: [ { name: a, url: 'ftp://h:1' } ]",
                        "nodes[0].url: \"ftp://h:1\" (expected an http(s) URL with host and port and no path, e.g. http://127.0.0.1:9001)"),
                named("missing url", "nodes: [ { name: a } ]",
                        "nodes[0].url: <missing> (expected an http(s) URL with host and port and no path, e.g. http://127.0.0.1:9001)"),
                named("negative memory", "nodes: [ { name: a, url: 'http://h:1', memoryGb: -1 } ]",
                        "nodes[0].memoryGb: -1 (expected a positive integer)"),
                named("tflops not a number", "nodes: [ { name: a, url: 'http://h:1', tflops: fast } ]",
                        "nodes[0].tflops: \"fast\" (expected a number)"),
                named("nodes not a list", "nodes: a",
                        "nodes: \"a\" (expected a list of nodes)"),
                named("telemetry interval too short", "telemetry: { interval: 50ms, timeout: 40ms }",
                        "telemetry.interval: 50ms (expected a duration from 100ms to 60s)"),
                named("telemetry interval too long", "telemetry: { interval: 2m, staleAfter: 5m }",
                        "telemetry.interval: 120000ms (expected a duration from 100ms to 60s)"),
                named("telemetry interval without unit", "telemetry: { interval: 500 }",
                        "telemetry.interval: 500 (expected a duration like 500ms, 2s, 1m or 1h)"),
                named("telemetry timeout above interval", "telemetry: { interval: 200ms, timeout: 300ms }",
                        "telemetry.timeout: 300ms (expected at most telemetry.interval, 200ms, so that scrapes of one node do not overlap)"),
                named("telemetry timeout zero", "telemetry: { timeout: 0ms }",
                        "telemetry.timeout: 0ms (expected a positive duration like 500ms, 2s or 1m)"),
                named("telemetry history above a day", "telemetry: { interval: 60s, timeout: 1s, staleAfter: 2m, history: 25h }",
                        "telemetry.history: 90000000ms (expected a duration from telemetry.interval to 24h)"),
                named("telemetry history shorter than interval", "telemetry: { history: 100ms }",
                        "telemetry.history: 100ms (expected a duration from telemetry.interval to 24h)"),
                named("telemetry history too many points", "telemetry: { interval: 100ms, timeout: 50ms, history: 3h }",
                        "telemetry.history: 10800000ms (expected at most 100000 points per series, that is 10000000ms at an interval of 100ms)"),
                named("telemetry staleAfter below interval", "telemetry: { staleAfter: 200ms }",
                        "telemetry.staleAfter: 200ms (expected at least telemetry.interval, 500ms)"),
                named("telemetry unknown key", "telemetry: { every: 1s }",
                        "telemetry.every: \"1s\" (unknown key; expected one of: interval, timeout, history, staleAfter)"));
    }

    private static Arguments named(String name, String yaml, String problem) {
        return Arguments.of(Named.of(name, yaml), problem);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void parse_invalidValue_reportsPathValueAndExpectation(String yaml, String problem) {
        assertThatThrownBy(() -> loader.parse(yaml, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(problem))
                .hasMessageContaining(problem);
    }

    @Test
    void parse_severalProblems_listsEveryOneAtOnce() {
        assertThatThrownBy(() -> loader.parse("""
                listen: { port: -1 }
                health: { interval: soon }
                routing: { policy: random }
                nodes: [ { name: a, url: 'http://h' } ]
                """, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(4))
                .hasMessageStartingWith("Invalid gateway configuration (4 problems):");
    }

    @Test
    void parse_badEnvironmentValue_namesTheVariable() {
        assertThatThrownBy(() -> loader.parse(NODE, Map.of("FLOTILLA_LISTEN_PROT", "9090", "FLOTILLA_NODES_5_URL", "x")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "FLOTILLA_LISTEN_PROT: \"9090\" (expected a configuration path, e.g. FLOTILLA_LISTEN_PORT or FLOTILLA_NODES_0_URL)",
                        "FLOTILLA_NODES_5_URL: \"x\" (expected a list index from 0 to 1; the index 1 appends)"));
    }

    @Test
    void parse_envPortNotNumber_reportsConfigPath() {
        assertThatThrownBy(() -> loader.parse("", Map.of("FLOTILLA_LISTEN_PORT", "http")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly("listen.port: \"http\" (expected an integer)"));
    }

    @Test
    void parse_malformedYaml_reportsLine() {
        assertThatThrownBy(() -> loader.parse("listen: {port: 1\nhealth: [", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("(yaml):")
                .hasMessageContaining("expected valid YAML");
    }

    @Test
    void validate_configBuiltInCode_checksTheSameRules() {
        GatewayConfig c = GatewayConfig.of(List.of(new GatewayConfig.Node("a", "http://127.0.0.1:1"),
                new GatewayConfig.Node("a", "127.0.0.1:2")));
        assertThatThrownBy(() -> loader.validate(c))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "nodes[1].name: \"a\" (expected a unique name; nodes[0] has it too)",
                        "nodes[1].url: \"127.0.0.1:2\" (expected an http(s) URL with host and port and no path, e.g. http://127.0.0.1:9001)"));
        assertThat(loader.validate(GatewayConfig.of(List.of(new GatewayConfig.Node("a", "http://127.0.0.1:1")))
                .withListen(GatewayConfig.Listen.loopback(0)))).isNotNull();
    }

    @Test
    void validate_negativeShutdownGraceBuiltInCode_isReported() {
        GatewayConfig c = GatewayConfig.defaults()
                .withListen(GatewayConfig.Listen.loopback(0).withShutdownGrace(Duration.ofSeconds(-1)));
        assertThatThrownBy(() -> loader.validate(c))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "listen.shutdownGrace: -1000ms (expected a duration from 0s to 1h: how long requests in flight may finish on shutdown)"));
    }

    @Test
    void validate_twoNodesOneServerSpelledDifferently_reportsTheSecond() {
        GatewayConfig c = GatewayConfig.of(List.of(new GatewayConfig.Node("a", "http://127.0.0.1:9001"),
                new GatewayConfig.Node("b", "http://127.0.0.1:9001/")));
        assertThatThrownBy(() -> loader.validate(c))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "nodes[1].url: \"http://127.0.0.1:9001/\" (expected a URL no other node uses; nodes[0] has it too)"));
    }

    @Test
    void parseNode_fullEntry_buildsNode() {
        assertThat(ConfigLoader.parseNode("""
                {"name": "gpu-3", "url": "http://127.0.0.1:9003", "accelerator": "L4", "memoryGb": 24, "tflops": 121.5}
                """)).isEqualTo(new GatewayConfig.Node("gpu-3", "http://127.0.0.1:9003", "L4", 24, 121.5));
        assertThat(ConfigLoader.parseNode("{\"name\":\"c\",\"url\":\"http://127.0.0.1:9003\"}"))
                .isEqualTo(new GatewayConfig.Node("c", "http://127.0.0.1:9003"));
    }

    static Stream<Arguments> badNodes() {
        return Stream.of(
                Arguments.of(Named.of("missing url", "{\"name\":\"c\"}"), List.of(
                        "url: <missing> (expected an http(s) URL with host and port and no path, e.g. http://127.0.0.1:9001)")),
                Arguments.of(Named.of("bad name and url with path", "{\"name\":\"C!\",\"url\":\"http://h:1/v1\"}"), List.of(
                        "name: \"C!\" (expected 1-63 lower-case letters, digits, '-', '.' or '_', starting and ending with a letter or digit)",
                        "url: \"http://h:1/v1\" (expected an http(s) URL with host and port and no path, e.g. http://127.0.0.1:9001)")),
                Arguments.of(Named.of("unknown key", "{\"name\":\"c\",\"url\":\"http://h:1\",\"gpu\":\"x\"}"), List.of(
                        "gpu: \"x\" (unknown key; expected one of: name, url, accelerator, memoryGb, tflops)")),
                Arguments.of(Named.of("facts out of range", "{\"name\":\"c\",\"url\":\"http://h:1\",\"memoryGb\":0,\"tflops\":-1}"),
                        List.of("memoryGb: 0 (expected a positive integer)", "tflops: -1.0 (expected a positive number)")),
                Arguments.of(Named.of("fact of the wrong type", "{\"name\":\"c\",\"url\":\"http://h:1\",\"memoryGb\":\"lots\"}"),
                        List.of("memoryGb: \"lots\" (expected an integer)")),
                Arguments.of(Named.of("a list, not an object", "[1]"), List.of(
                        "(body): a list (expected a JSON object like {\"name\": \"gpu-1\", \"url\": \"http://127.0.0.1:9001\"})")),
                Arguments.of(Named.of("empty body", ""), List.of(
                        "(body): <missing> (expected a JSON object like {\"name\": \"gpu-1\", \"url\": \"http://127.0.0.1:9001\"})")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badNodes")
    void parseNode_badEntry_listsEveryProblemByKey(String json, List<String> problems) {
        assertThatThrownBy(() -> ConfigLoader.parseNode(json))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyElementsOf(problems));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"{\"name\":\"c\"", "{\"name\":\"c\",\"url\":\"http://h:1\"} x",
            "{\"name\":\"c\",\"name\":\"d\",\"url\":\"http://h:1\"}"})
    void parseNode_malformedJson_oneBodyProblemWithPosition(String json) {
        assertThatThrownBy(() -> ConfigLoader.parseNode(json))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().startsWith("(body): ").contains(" at line 1 column "));
    }
}
