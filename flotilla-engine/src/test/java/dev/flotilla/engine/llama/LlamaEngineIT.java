package dev.flotilla.engine.llama;

import dev.flotilla.engine.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flotilla.engine.EngineInfo;
import dev.flotilla.engine.Generation;
import dev.flotilla.engine.GenerationRequest;
import dev.flotilla.engine.PromptTooLongException;
import dev.flotilla.engine.TokenRate;
import dev.flotilla.protocol.ChatMessage;
import dev.flotilla.protocol.FinishReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The llama.cpp engine on the real stories260K model: one load for the whole class. */
class LlamaEngineIT {
    private static final String STORY = "Once upon a time";
    private static final int SLOTS = 2;
    private static final int CTX = 512;

    private static final ManualClock clock = new ManualClock();
    private static LlamaEngine engine;

    @BeforeAll
    static void load() {
        engine = LlamaEngine.load(LlamaConfig.of(SharedModel.stories260K())
                .withSlots(SLOTS).withCtxPerSlot(CTX).withEosTokenOverride(1), clock);
    }

    @AfterAll
    static void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @AfterEach
    void idle() {
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.state().running() == 0
                && engine.state().waiting() == 0);
    }

    private static GenerationRequest request(String prompt, int maxTokens, double temperature, long seed) {
        return new GenerationRequest("req-" + System.nanoTime(), prompt, maxTokens, temperature, 1.0, seed, List.of());
    }

    private static RecordingListener run(GenerationRequest request) {
        RecordingListener listener = new RecordingListener();
        engine.submit(request, listener);
        listener.await();
        return listener;
    }

    @Test
    void gguf_realModel_metadataRead() {
        GgufFile gguf = GgufFile.read(SharedModel.stories260K());

        assertThat(gguf.version()).isEqualTo(3);
        assertThat(gguf.tensorCount()).isEqualTo(48);
        assertThat(gguf.name()).contains("llama");
        assertThat(gguf.architecture()).contains("llama");
        assertThat(gguf.contextLength()).hasValue(2048);
        assertThat(gguf.chatTemplate()).isEmpty();
        assertThat(gguf.integer("tokenizer.ggml.eos_token_id")).hasValue(2);
        assertThat(engine.gguf()).isEqualTo(gguf);
    }

    @Test
    void info_loadedModel_describesCpuSlotsAndContext() {
        EngineInfo info = engine.info();

        assertThat(engine.model()).isEqualTo("stories260K");
        assertThat(info.engine()).isEqualTo("llama.cpp");
        assertThat(info.accelerator()).isEqualTo("cpu");
        assertThat(info.memoryGb()).isPositive();
        assertThat(info.slots()).isEqualTo(SLOTS);
        assertThat(info.contextPerSlot()).isEqualTo(CTX);
    }

    @Test
    void chatPrompt_modelWithoutTemplate_singleUserMessageIsTheText() {
        assertThat(engine.chatPrompt(List.of(new ChatMessage("user", STORY)))).isEqualTo(STORY);
        assertThat(engine.chatPrompt(List.of(new ChatMessage("system", "Be kind."), new ChatMessage("user", STORY))))
                .isEqualTo("Be kind.\n\n" + STORY);
    }

    @Test
    void generate_onceUponATimeGreedy_englishText() {
        RecordingListener listener = run(request(STORY, 60, 0, 1));

        String text = listener.text();
        assertThat(text).isNotBlank();
        assertThat(text.split("\\s+")).as("words in %s", text).hasSizeGreaterThan(5);
        assertThat(text).matches("[\\x20-\\x7E\\n]+");
        assertThat(text.toLowerCase()).containsAnyOf(" the ", " a ", " was ", " she ", " he ");
    }

    @Test
    void generate_sameSeedTwiceGreedy_identicalText() {
        String first = run(request(STORY, 80, 0, 7)).text();
        String second = run(request(STORY, 80, 0, 7)).text();

        assertThat(second).isNotBlank().isEqualTo(first);
    }

    @Test
    void generate_differentSeedsSampled_differentText() {
        String first = run(request(STORY, 60, 1.0, 1)).text();
        String second = run(request(STORY, 60, 1.0, 2)).text();

        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void generate_eosOverride_endsByItselfWithStop() {
        RecordingListener listener = run(request(STORY, 400, 0, 1));

        RecordingListener.Completion completion = listener.await();
        assertThat(completion.reason()).isEqualTo(FinishReason.STOP);
        assertThat(completion.usage().completionTokens()).isLessThan(400).isEqualTo(listener.tokens().size());
    }

    @Test
    void generate_maxTokens5_exactlyFiveTokensAndLength() {
        RecordingListener listener = run(request(STORY, 5, 0, 1));

        RecordingListener.Completion completion = listener.await();
        assertThat(listener.tokens()).hasSize(5);
        assertThat(completion.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(completion.usage().completionTokens()).isEqualTo(5);
        assertThat(listener.finalCallbacks).hasValue(1);
        assertThat(engine.state().running()).as("the slot is free before onComplete").isZero();
    }

    @Test
    void generate_usage_promptTokensAreCountTokensWithoutBos() {
        RecordingListener listener = run(request(STORY, 3, 0, 1));

        int counted = engine.countTokens(STORY);
        assertThat(counted).isBetween(3, 10);
        assertThat(listener.await().usage().promptTokens()).isEqualTo(counted);
    }

    @Test
    void generate_stopSequence_textEndsBeforeIt() {
        String free = run(request(STORY, 60, 0, 1)).text();
        int cut = free.indexOf(' ', 8);
        String stop = free.substring(cut, cut + 4);

        RecordingListener listener = run(new GenerationRequest("stop", STORY, 60, 0, 1.0, 1, List.of(stop)));

        assertThat(listener.text()).isEqualTo(free.substring(0, cut));
        assertThat(listener.await().reason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void generate_unlimitedTokensLongPrompt_cappedBySlotContextWithLength() {
        String prompt = (STORY + " there was a girl.").repeat(37);
        int contextTokens = engine.countTokens(prompt) + 1;
        assertThat(contextTokens).isBetween(CTX - 60, CTX - 10);

        RecordingListener listener = run(new GenerationRequest("fill", prompt, 0, 0, 1.0, 3, List.of()));

        RecordingListener.Completion completion = listener.await();
        assertThat(completion.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(completion.usage().completionTokens()).isEqualTo(CTX - contextTokens);
    }

    @Test
    void generate_emptyPrompt_storyFromBos() {
        RecordingListener listener = run(request("", 20, 0, 1));

        assertThat(listener.await().usage().promptTokens()).isZero();
        assertThat(listener.await().usage().completionTokens()).isEqualTo(20);
        assertThat(listener.text()).isNotBlank();
    }

    @Test
    void submit_twoSlotsBusy_thirdWaitsThenRuns() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        RecordingListener first = new RecordingListener(gate);
        RecordingListener second = new RecordingListener(gate);
        RecordingListener third = new RecordingListener();
        try {
            engine.submit(request(STORY, 20, 0, 1), first);
            engine.submit(request("Lily had a dog", 20, 0, 1), second);
            assertThat(first.firstToken.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(second.firstToken.await(30, TimeUnit.SECONDS)).isTrue();
            engine.submit(request(STORY, 5, 0, 1), third);

            assertThat(engine.state().running()).isEqualTo(2);
            assertThat(engine.state().waiting()).isEqualTo(1);
            int kvTokens = engine.countTokens(STORY) + 1 + 1 + engine.countTokens("Lily had a dog") + 1 + 1;
            assertThat(engine.state().kvCacheUsage()).isEqualTo((double) kvTokens / (SLOTS * CTX));
            assertThat(third.tokens()).isEmpty();
        } finally {
            gate.countDown();
        }
        assertThat(first.await().usage().completionTokens()).isEqualTo(20);
        assertThat(second.await().usage().completionTokens()).isEqualTo(20);
        assertThat(third.await().usage().completionTokens()).isEqualTo(5);
    }

    @Test
    void cancel_whileWaiting_neverRuns() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        RecordingListener first = new RecordingListener(gate);
        RecordingListener second = new RecordingListener(gate);
        RecordingListener waiting = new RecordingListener();
        Generation queued;
        try {
            engine.submit(request(STORY, 10, 0, 1), first);
            engine.submit(request(STORY, 10, 0, 2), second);
            assertThat(first.firstToken.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(second.firstToken.await(30, TimeUnit.SECONDS)).isTrue();
            queued = engine.submit(request(STORY, 10, 0, 3), waiting);
            assertThat(engine.state().waiting()).isEqualTo(1);

            queued.cancel();
            queued.cancel();

            assertThat(engine.state().waiting()).isZero();
        } finally {
            gate.countDown();
        }
        first.await();
        second.await();
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.state().running() == 0);
        assertThat(waiting.tokens()).isEmpty();
        assertThat(waiting.finalCallbacks).hasValue(0);
        assertThat(queued.id()).startsWith("req-");
    }

    @Test
    void cancel_midStream_slotFreedNoCallbacksAndEngineStillServes() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        RecordingListener listener = new RecordingListener(gate);
        Generation generation = engine.submit(request(STORY, 0, 0.8, 5), listener);
        assertThat(listener.firstToken.await(30, TimeUnit.SECONDS)).isTrue();

        // cancel waits for the callback in progress, so it runs beside the held listener
        Thread canceller = Thread.ofVirtual().start(generation::cancel);
        await().atMost(Duration.ofSeconds(10)).until(((LlamaGeneration) generation)::cancelled);
        gate.countDown();
        canceller.join(Duration.ofSeconds(30));

        assertThat(canceller.isAlive()).isFalse();
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.state().running() == 0);
        assertThat(listener.tokens()).hasSize(1);
        assertThat(listener.finalCallbacks).hasValue(0);
        assertThat(listener.completed).isNotDone();
        RecordingListener after = run(request(STORY, 10, 0, 1));
        assertThat(after.await().usage().completionTokens()).isEqualTo(10);
    }

    @Test
    void cancel_fromInsideListener_stopsAfterThatToken() {
        AtomicReference<Generation> handle = new AtomicReference<>();
        CountDownLatch submitted = new CountDownLatch(1);
        RecordingListener listener = new RecordingListener() {
            @Override
            public void onToken(String text) {
                super.onToken(text);
                try {
                    submitted.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (tokens().size() == 3) {
                    handle.get().cancel();
                }
            }
        };
        handle.set(engine.submit(request(STORY, 50, 0, 1), listener));
        submitted.countDown();

        await().atMost(Duration.ofSeconds(30)).until(() -> engine.state().running() == 0);
        assertThat(listener.tokens()).hasSize(3);
        assertThat(listener.finalCallbacks).hasValue(0);
    }

    @Test
    void submit_promptLongerThanSlot_rejectedBeforeQueueAndEngineStillServes() {
        String prompt = (STORY + " there was a big dog.").repeat(60);
        int tokens = engine.countTokens(prompt);
        assertThat(tokens).isGreaterThan(CTX);
        RecordingListener rejected = new RecordingListener();

        assertThatThrownBy(() -> engine.submit(request(prompt, 10, 0, 1), rejected))
                .isInstanceOfSatisfying(PromptTooLongException.class, e -> {
                    assertThat(e.promptTokens()).isEqualTo(tokens + 1);
                    assertThat(e.contextTokens()).isEqualTo(CTX);
                });
        assertThat(engine.state().waiting()).isZero();
        assertThat(rejected.finalCallbacks).hasValue(0);
        assertThat(run(request(STORY, 10, 0, 1)).await().usage().completionTokens()).isEqualTo(10);
    }

    @Test
    void submit_promptFillingAllButOneToken_generatesExactlyOne() {
        StringBuilder prompt = new StringBuilder();
        while (engine.countTokens(prompt + " a") + 1 <= CTX - 1) {
            prompt.append(" a");
        }
        int contextTokens = engine.countTokens(prompt.toString()) + 1;
        assertThat(contextTokens).isEqualTo(CTX - 1);

        RecordingListener listener = run(request(prompt.toString(), 50, 0, 1));

        assertThat(listener.await().usage().completionTokens()).isEqualTo(1);
        assertThat(listener.await().reason()).isEqualTo(FinishReason.LENGTH);
        assertThatThrownBy(() -> engine.submit(request(prompt + " a", 50, 0, 1), new RecordingListener()))
                .isInstanceOf(PromptTooLongException.class);
    }

    @Test
    void state_tokensPerSecond_fromInjectedClock() {
        clock.advance(Duration.ofMinutes(1));
        assertThat(engine.state().tokensPerSecond()).isZero();

        run(request(STORY, 10, 0, 1));

        assertThat(engine.state().tokensPerSecond()).isEqualTo(10 / TokenRate.WINDOW_SECONDS);
        clock.advance(Duration.ofMinutes(1));
        assertThat(engine.state().tokensPerSecond()).isZero();
        assertThat(engine.state().kvCacheUsage()).isZero();
    }

    @Test
    void load_contextBeyondTrainedLength_rejectedBeforeLoading() {
        LlamaConfig config = LlamaConfig.of(SharedModel.stories260K()).withSlots(1).withCtxPerSlot(4096);

        assertThatThrownBy(() -> LlamaEngine.load(config, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ctxPerSlot: 4096")
                .hasMessageContaining("2048");
    }

    @Test
    void load_headerOnlyGguf_llamaCppFailureNamesPathAndChecks(@TempDir Path dir) throws Exception {
        Path path = Files.write(dir.resolve("empty.gguf"), GgufBytes.header(3, 0, 1)
                .kvString("general.architecture", "llama").bytes());

        assertThatThrownBy(() -> LlamaEngine.load(LlamaConfig.of(path).withSlots(1).withCtxPerSlot(64), clock))
                .isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(path + ": llama.cpp could not load it")
                .hasMessageContaining("GGUF v3 file with 0 tensors, architecture llama");
    }

    @Test
    void load_notGguf_rejectedBeforeLlamaCpp(@TempDir Path dir) throws Exception {
        Path path = Files.writeString(dir.resolve("notes.gguf"), "hello, this is no model at all");

        assertThatThrownBy(() -> LlamaEngine.load(LlamaConfig.of(path), clock))
                .isInstanceOf(ModelFileException.class)
                .hasMessage(path + ": not a GGUF file (first bytes 0x68 0x65 0x6c 0x6c, expected 0x47 0x47 0x55 0x46 \"GGUF\")");
    }

}
