package dev.flotilla.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.bench.trace.RequestSeed;
import dev.flotilla.bench.trace.TraceRecord;
import dev.flotilla.protocol.Endpoint;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class LiveBenchBodyTest {
    private static final TraceRecord RECORD = TraceRecord.of("r-3", 0.5, TraceRecord.Synthetic.of(8), 32);

    @Test
    void body_seedRequest_sendsTheRecordsSeed() {
        JsonObject body = new JsonObject(LiveBench.body(RECORD, Endpoint.CHAT, "m", false, true));

        assertThat(body.getLong("seed")).isEqualTo(RequestSeed.of("r-3"));
        assertThat(body.getInteger("max_tokens")).isEqualTo(32);
    }

    @Test
    void body_noSeedRequest_sendsNoSeed() {
        JsonObject body = new JsonObject(LiveBench.body(RECORD, Endpoint.CHAT, "m", false));

        assertThat(body.containsKey("seed")).isFalse();
        assertThat(body.containsKey("user")).as("no session, no user").isFalse();
    }

    @Test
    void body_recordOfASession_sendsTheSessionAsUser() {
        TraceRecord turn = new TraceRecord("r-4", 1.0, "chat", 1, "chat-s7", 2, TraceRecord.Synthetic.of(8), 16);

        JsonObject body = new JsonObject(LiveBench.body(turn, Endpoint.CHAT, "m", false, false));

        assertThat(body.getString("user")).isEqualTo("chat-s7");
    }
}
