package dev.flotilla.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseTest {

    @Test
    void decoder_eventsSplitAtEveryByte_reassemblesThem() {
        String stream = Sse.data("{\"a\":\"héllo ✓\"}") + ": comment\n\n" + "data:two\r\ndata: lines\r\n\r\n" + Sse.done();
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        Sse.Decoder decoder = Sse.decoder();
        List<String> events = new ArrayList<>();
        for (byte b : bytes) {
            events.addAll(decoder.feed(new byte[] {b}));
        }
        assertThat(events).containsExactly("{\"a\":\"héllo ✓\"}", "two\nlines", Sse.DONE);
    }

    @Test
    void decoder_incompleteEvent_isHeldUntilItsBlankLine() {
        Sse.Decoder decoder = Sse.decoder();
        byte[] bytes = "data: x\n".getBytes(StandardCharsets.UTF_8);
        assertThat(decoder.feed(bytes)).isEmpty();
        assertThat(decoder.feed("\n".getBytes(StandardCharsets.UTF_8))).containsExactly("x");
    }

    @Test
    void decoder_wholeChunks_giveAllEventsOfAChunk() {
        Sse.Decoder decoder = Sse.decoder();
        byte[] bytes = (Sse.data("1") + Sse.data("2")).getBytes(StandardCharsets.UTF_8);
        assertThat(decoder.feed(Arrays.copyOf(bytes, bytes.length))).containsExactly("1", "2");
    }
}
