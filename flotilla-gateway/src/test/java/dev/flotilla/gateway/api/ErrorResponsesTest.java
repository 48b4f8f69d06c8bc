package dev.flotilla.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.dispatch.NodeTimeoutException;
import dev.flotilla.gateway.dispatch.NodeUnreachableException;
import dev.flotilla.gateway.request.ClientCancelledException;
import dev.flotilla.protocol.ApiException;
import java.net.ConnectException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ErrorResponsesTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(Named.of("invalid field", ApiException.invalidRequest("max_tokens", "bad")), 400, "invalid_request_error"),
                Arguments.of(Named.of("unknown model", ApiException.modelNotFound("m")), 404, "invalid_request_error"),
                Arguments.of(Named.of("no node up", ApiException.unavailable("none")), 503, "service_unavailable_error"),
                Arguments.of(Named.of("unreachable", new NodeUnreachableException("a", new ConnectException("refused"))),
                        502, "server_error"),
                Arguments.of(Named.of("timeout", new NodeTimeoutException("a", 10)), 504, "server_error"),
                Arguments.of(Named.of("bug", new IllegalStateException("boom")), 500, "server_error"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void toApi_failure_givesStatusAndOpenAiType(Throwable failure, int status, String type) {
        ApiException api = ErrorResponses.toApi(failure);
        assertThat(api.status()).isEqualTo(status);
        assertThat(api.body().type()).isEqualTo(type);
        assertThat(api.body().toJson()).startsWith("{\"error\":{\"message\":");
    }

    @Test
    void toApi_clientCancelled_nothingToSend() {
        assertThat(ErrorResponses.toApi(new ClientCancelledException())).isNull();
    }
}
