package dev.flotilla.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AdminApiTest {
    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");

    static Stream<Arguments> addresses() {
        return Stream.of(
                Arguments.of(Named.of("IPv4 loopback", "127.0.0.1"), true),
                Arguments.of(Named.of("other 127/8 address", "127.1.2.3"), true),
                Arguments.of(Named.of("IPv6 loopback", "::1"), true),
                Arguments.of(Named.of("IPv6 loopback in full", "0:0:0:0:0:0:0:1"), true),
                Arguments.of(Named.of("IPv6 loopback bracketed", "[::1]"), true),
                Arguments.of(Named.of("IPv4-mapped loopback", "::ffff:127.0.0.1"), true),
                Arguments.of(Named.of("LAN address", "192.168.1.20"), false),
                Arguments.of(Named.of("looks like 127 but is not", "128.0.0.1"), false),
                Arguments.of(Named.of("127 as a later octet", "10.127.0.1"), false),
                Arguments.of(Named.of("IPv6 unspecified", "::"), false),
                Arguments.of(Named.of("IPv6 global", "2001:db8::1"), false),
                Arguments.of(Named.of("IPv4-mapped LAN", "::ffff:10.0.0.1"), false),
                Arguments.of(Named.of("wildcard", "0.0.0.0"), false),
                Arguments.of(Named.of("host name", "localhost"), false),
                Arguments.of(Named.of("missing", null), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("addresses")
    void isLoopback_remoteAddress_onlyLoopbackAllowed(String address, boolean allowed) {
        assertThat(LoopbackOnly.isLoopback(address)).isEqualTo(allowed);
    }

    static Stream<Arguments> sinces() {
        return Stream.of(
                Arguments.of(Named.of("absent", null), Long.MIN_VALUE),
                Arguments.of(Named.of("epoch millis", "1767261000000"), 1767261000000L),
                Arguments.of(Named.of("ISO-8601 instant", "2026-01-01T09:55:00Z"), NOW.minusSeconds(300).toEpochMilli()),
                Arguments.of(Named.of("duration back from now", "5m"), NOW.minusSeconds(300).toEpochMilli()),
                Arguments.of(Named.of("duration with ago", "30s ago"), NOW.minusSeconds(30).toEpochMilli()),
                Arguments.of(Named.of("milliseconds back", "500ms"), NOW.minusMillis(500).toEpochMilli()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sinces")
    void parseSince_acceptedForms_giveEpochMillis(String since, long expected) {
        assertThat(AdminApi.parseSince(since, NOW)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "5 minutes", "-5m", "2026-13-01T00:00:00Z"})
    void parseSince_garbage_isRefusedNamingTheValueAndForms(String since) {
        assertThatThrownBy(() -> AdminApi.parseSince(since, NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("since: '" + since + "' (expected epoch milliseconds");
    }

    @Test
    void node_noDataYet_unknownFiguresAreNullAndStateNoData() {
        var registry = new dev.flotilla.gateway.fleet.NodeRegistry(java.util.List.of(
                new dev.flotilla.gateway.config.GatewayConfig.Node("a", "http://127.0.0.1:9001")),
                java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC));
        var json = AdminApi.node(registry.snapshot("a"), NOW);
        assertThat(json.getString("data")).isEqualTo("no_data");
        assertThat(json.getValue("age_ms")).isNull();
        assertThat(json.getJsonObject("load").getValue("running")).isNull();
        assertThat(json.getBoolean("up")).isFalse();
        assertThat(json.getString("state")).isEqualTo("starting");
        assertThat(json.getString("last_error")).isEqualTo("not checked yet");
        assertThat(json.getInteger("outstanding")).isZero();
        assertThat(json.getJsonArray("gpus")).isEmpty();
    }
}
