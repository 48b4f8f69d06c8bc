package dev.flotilla.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelListTest {

    static Stream<Arguments> bodies() {
        return Stream.of(
                Arguments.of(Named.of("vLLM's shape: max_model_len per model",
                        "{\"data\":[{\"id\":\"a\",\"max_model_len\":4096},{\"id\":\"b\",\"max_model_len\":1754}]}"),
                        Set.of("a", "b"), Map.of("a", 4096, "b", 1754)),
                Arguments.of(Named.of("OpenAI's shape: no context, served all the same",
                        "{\"object\":\"list\",\"data\":[{\"id\":\"a\",\"object\":\"model\"}]}"), Set.of("a"), Map.of()),
                Arguments.of(Named.of("unusable values: unknown (string, zero, negative, fraction, too large, null)",
                        "{\"data\":[{\"id\":\"s\",\"max_model_len\":\"4096\"},{\"id\":\"z\",\"max_model_len\":0},"
                                + "{\"id\":\"n\",\"max_model_len\":-5},{\"id\":\"f\",\"max_model_len\":1.5},"
                                + "{\"id\":\"l\",\"max_model_len\":99999999999},{\"id\":\"x\",\"max_model_len\":null}]}"),
                        Set.of("s", "z", "n", "f", "l", "x"), Map.of()),
                Arguments.of(Named.of("an entry without an id is skipped with its context",
                        "{\"data\":[{\"max_model_len\":4096},{\"id\":\"a\",\"max_model_len\":8192}]}"),
                        Set.of("a"), Map.of("a", 8192)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void modelList_body_idsAndContexts(String body, Set<String> ids, Map<String, Integer> contexts) {
        HealthChecker.ModelList list = HealthChecker.modelList(Buffer.buffer(body));
        assertThat(list.ids()).isEqualTo(ids);
        assertThat(list.contextLengths()).isEqualTo(contexts);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void modelList_notAModelList_failsSayingWhy(String body, String message) {
        assertThatThrownBy(() -> HealthChecker.modelList(Buffer.buffer(body))).hasMessageContaining(message);
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of(Named.of("not JSON", "nope{"), "/v1/models is not JSON"),
                Arguments.of(Named.of("no data array", "{\"data\":{}}"), "/v1/models has no 'data' array"));
    }
}
