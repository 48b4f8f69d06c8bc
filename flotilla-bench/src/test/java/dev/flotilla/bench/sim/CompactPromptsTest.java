package dev.flotilla.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.bench.trace.PromptText;
import dev.flotilla.bench.trace.TraceRecord;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.engine.sim.VirtualScheduler;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompactPromptsTest {
    private final PromptRenderer renderer = PromptRenderer.compact();
    private final SimulatedEngine engine = SimulatedEngine.create("m", AcceleratorProfile.ZERO, new VirtualScheduler());

    static SimRequest request(String id, String session, SimPrompt prompt) {
        return new SimRequest(id, 0, "t", 0, session, prompt, 10);
    }

    @Test
    void charsPerToken_syntheticOneMarkATokenLiteralTheGatewaysFigure() {
        assertThat(renderer.charsPerToken(request("a", null, SimPrompt.Synthetic.of(100)))).isEqualTo(1);
        assertThat(renderer.charsPerToken(request("b", null, new SimPrompt.Text("hello there")))).isEqualTo(4);
        assertThat(PromptRenderer.bench().charsPerToken(request("c", null, SimPrompt.Synthetic.of(100))))
                .as("words: the gateway's own figure").isEqualTo(4);
    }

    @Test
    void render_synthetic_asManyEngineTokensAsAsked() {
        for (int tokens : new int[] {1, 15, 16, 17, 1000}) {
            String text = renderer.render(request("r" + tokens, null, SimPrompt.Synthetic.of(tokens)));
            assertThat(engine.countTokens(text)).as("%d tokens", tokens).isEqualTo(tokens);
            assertThat(text).hasSize(tokens);
        }
    }

    @Test
    void render_sameGroup_samePrefixThenOwnText() {
        String a = renderer.render(request("a", null, new SimPrompt.Synthetic(300, "sys", 200)));
        String b = renderer.render(request("b", null, new SimPrompt.Synthetic(250, "sys", 200)));
        String other = renderer.render(request("c", null, new SimPrompt.Synthetic(300, "other", 200)));

        assertThat(a.substring(0, 200)).isEqualTo(b.substring(0, 200));
        assertThat(a.substring(200, 250)).isNotEqualTo(b.substring(200));
        assertThat(other.substring(0, 200)).isNotEqualTo(a.substring(0, 200));
    }

    @Test
    void render_sessionTurns_laterTurnExtendsTheEarlierOne() {
        String turn1 = renderer.render(request("t1", "s", new SimPrompt.Synthetic(120, "sys", 40)));
        String turn2 = renderer.render(request("t2", "s", new SimPrompt.Synthetic(300, "sys", 40)));
        String otherSession = renderer.render(request("t3", "z", new SimPrompt.Synthetic(300, "sys", 40)));

        assertThat(turn2).startsWith(turn1);
        assertThat(otherSession.substring(40)).isNotEqualTo(turn2.substring(40));
    }

    @Test
    void bench_anyRecord_exactlyWhatTheLiveBenchSends() {
        PromptRenderer bench = PromptRenderer.bench();
        List<TraceRecord> records = List.of(
                TraceRecord.of("a", 0, TraceRecord.Synthetic.of(50), 5),
                TraceRecord.of("b", 0, new TraceRecord.Synthetic(120, "sys", 40), 5),
                TraceRecord.of("c", 0, new TraceRecord.Synthetic(40, "sys", 40), 5),
                new TraceRecord("d", 0, "t", 0, "s1", 2, new TraceRecord.Synthetic(90, "sys", 30), 5),
                new TraceRecord("e", 0, "t", 0, "s1", 1, TraceRecord.Synthetic.of(20), 5),
                TraceRecord.of("f", 0, new TraceRecord.Text("Tell me a story."), 5));

        for (TraceRecord r : records) {
            String text = bench.render(TraceRequests.toSimRequest(r));
            assertThat(text).as(r.id()).isEqualTo(PromptText.of(r));
            if (r.prompt() instanceof TraceRecord.Synthetic s) {
                assertThat(engine.countTokens(text)).as(r.id()).isEqualTo(s.tokens());
            }
        }
    }

    @Test
    void render_sameRequestTwice_sameText_literalTextAsGiven() {
        SimRequest r = request("x", null, SimPrompt.Synthetic.of(64));

        assertThat(PromptRenderer.compact().render(r)).isEqualTo(renderer.render(r));
        assertThat(renderer.render(request("y", null, new SimPrompt.Text("Hello, world")))).isEqualTo("Hello, world");
    }
}
