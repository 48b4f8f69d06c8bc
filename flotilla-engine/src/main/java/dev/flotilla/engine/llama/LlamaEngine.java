package dev.flotilla.engine.llama;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import dev.flotilla.engine.Engine;
import dev.flotilla.engine.EngineInfo;
import dev.flotilla.engine.EngineState;
import dev.flotilla.engine.Generation;
import dev.flotilla.engine.GenerationRequest;
import dev.flotilla.engine.PromptTooLongException;
import dev.flotilla.engine.TokenRate;
import dev.flotilla.engine.TokenListener;
import dev.flotilla.protocol.ChatMessage;
import dev.flotilla.protocol.FinishReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Engine} running one GGUF model in this process with llama.cpp (through {@code de.kherud:llama}).
 *
 * <p>Generations wait first come, first served in a queue of ours and run on a fixed pool of {@code slots}
 * platform threads (JNI calls would pin virtual threads' carriers), one llama.cpp slot each, so llama.cpp
 * itself never queues and {@link #state()} is exact. Only the thread reading a stream cancels it, after the
 * next token: cancelling from another thread can hang the reader.
 *
 * <p>Load a model once per process: {@link #close()} releases the model but llama.cpp does not give all
 * of its native memory back.
 */
public final class LlamaEngine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(LlamaEngine.class);

    /** The binding extracts its native library here; the default, /tmp, is shared by every JVM on the host. */
    static final String NATIVE_TMPDIR_PROPERTY = "de.kherud.llama.tmpdir";

    private final LlamaConfig config;
    private final GgufFile gguf;
    private final LlamaModel model;
    private final boolean chatTemplate;
    private final int bosTokens;
    private final double memoryGb;
    private final TokenRate rate = new TokenRate();
    private final Clock clock;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private final ArrayDeque<LlamaGeneration> waiting = new ArrayDeque<>();
    private final Set<LlamaGeneration> running = new HashSet<>();
    private boolean closed;

    /** Readers of the native model (encode, templates) hold it shared; close() holds it exclusively to free it. */
    private final ReadWriteLock modelUse = new ReentrantReadWriteLock();
    private boolean modelClosed;

    private final List<Thread> readers = new ArrayList<>();

    private LlamaEngine(LlamaConfig config, GgufFile gguf, LlamaModel model, Clock clock) {
        this.config = config;
        this.gguf = gguf;
        this.model = model;
        this.chatTemplate = gguf.chatTemplate().isPresent();
        this.bosTokens = addsBos(gguf) ? 1 : 0;
        this.memoryGb = hostMemoryGb();
        this.clock = clock;
        for (int i = 0; i < config.slots(); i++) {
            Thread reader = Thread.ofPlatform()
                    .name("llama-" + config.modelName() + "-slot-" + i)
                    .daemon(true)
                    .unstarted(this::readLoop);
            readers.add(reader);
        }
        readers.forEach(Thread::start);
    }

    /**
     * Checks the GGUF file, loads it into llama.cpp and starts the slot threads.
     *
     * @param clock the time source for {@link EngineState#tokensPerSecond()}
     * @throws ModelFileException      the file is missing, unreadable, not GGUF, or llama.cpp refused it
     * @throws IllegalArgumentException {@code ctxPerSlot} exceeds the model's trained context length
     */
    public static LlamaEngine load(LlamaConfig config, Clock clock) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        Path path = config.modelPath();
        GgufFile gguf = GgufFile.read(path);
        long trained = gguf.contextLength().orElse(0);
        if (trained > 0 && config.ctxPerSlot() > trained) {
            throw new IllegalArgumentException("ctxPerSlot: " + config.ctxPerSlot() + " (the model " + path
                    + " was trained for a context of " + trained + " tokens)");
        }
        useNativeTmpDir(config.nativeTmpDir());
        ModelParameters parameters = new ModelParameters()
                .setModel(path.toString())
                .setParallel(config.slots())
                .setCtxSize(config.slots() * config.ctxPerSlot())
                .setThreads(config.threads())
                .disableLog();
        if (config.eosTokenOverride() != null) {
            parameters.setOverrideKv("tokenizer.ggml.eos_token_id=int:" + config.eosTokenOverride());
        }
        if (gguf.chatTemplate().isPresent()) {
            parameters.enableJinja();
        }
        LlamaModel model;
        try {
            model = new LlamaModel(parameters);
        } catch (RuntimeException e) {
            throw new ModelFileException(path, "llama.cpp could not load it: " + e.getMessage()
                    + " (our checks passed: a readable GGUF v" + gguf.version() + " file with "
                    + gguf.tensorCount() + " tensors, architecture " + gguf.architecture().orElse("unknown")
                    + "; llama.cpp " + parameters + ")", e);
        }
        return new LlamaEngine(config, gguf, model, clock);
    }

    /** The GGUF header of the loaded model. */
    public GgufFile gguf() {
        return gguf;
    }

    /** The configuration this engine was loaded with. */
    public LlamaConfig config() {
        return config;
    }

    @Override
    public String model() {
        return config.modelName();
    }

    @Override
    public EngineInfo info() {
        return new EngineInfo("llama.cpp", "cpu", memoryGb, 0, 0, config.slots(), config.ctxPerSlot());
    }

    /**
     * With a chat template in the GGUF file, llama.cpp applies it (system and developer messages are joined
     * into one system message; other roles than user and assistant count as user). Without one, the
     * contents become plain paragraphs: see {@link PlainChatTemplate}.
     */
    @Override
    public String chatPrompt(List<ChatMessage> messages) {
        if (!chatTemplate) {
            return PlainChatTemplate.render(messages);
        }
        List<String> system = new ArrayList<>();
        List<Pair<String, String>> turns = new ArrayList<>();
        for (ChatMessage message : messages) {
            switch (message.role()) {
                case "system", "developer" -> system.add(message.content());
                case "assistant" -> turns.add(new Pair<>("assistant", message.content()));
                default -> turns.add(new Pair<>("user", message.content()));
            }
        }
        InferenceParameters parameters = new InferenceParameters("")
                .setMessages(String.join("\n\n", system), turns);
        return withModel(() -> model.applyTemplate(parameters));
    }

    /** Tokens of {@code text} alone; the BOS token llama.cpp puts before a prompt is not counted. */
    @Override
    public int countTokens(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            return 0;
        }
        return withModel(() -> model.encode(text).length);
    }

    /**
     * Queues a generation. Usage reports {@link #countTokens} of the prompt as prompt tokens; the prompt also
     * takes one more token of context for BOS when the model adds one.
     *
     * @throws PromptTooLongException prompt and BOS leave no room for one output token in a slot's context;
     *                                {@link PromptTooLongException#promptTokens()} counts BOS
     * @throws IllegalStateException  the engine is closed
     */
    @Override
    public Generation submit(GenerationRequest request, TokenListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        int promptTokens = countTokens(request.prompt());
        int contextTokens = promptTokens + bosTokens;
        if (contextTokens + 1 > config.ctxPerSlot()) {
            throw new PromptTooLongException(contextTokens, config.ctxPerSlot());
        }
        int room = config.ctxPerSlot() - contextTokens;
        int budget = request.maxTokens() == 0 ? room : Math.min(request.maxTokens(), room);
        LlamaGeneration generation = new LlamaGeneration(request, listener, promptTokens, contextTokens, budget,
                this::cancelled);
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the llama.cpp engine for " + model() + " is closed");
            }
            waiting.addLast(generation);
            workAvailable.signal();
        } finally {
            lock.unlock();
        }
        return generation;
    }

    @Override
    public EngineState state() {
        lock.lock();
        try {
            long kvTokens = 0;
            for (LlamaGeneration generation : running) {
                kvTokens += generation.contextTokens + generation.generated();
            }
            double kvUsage = (double) kvTokens / ((long) config.slots() * config.ctxPerSlot());
            return new EngineState(running.size(), waiting.size(), Math.min(1.0, kvUsage), rate.perSecond(nanos()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends waiting generations with an error at once, stops running ones after their next token (also with an
     * error), waits for the slot threads and closes the model. Native memory is not all returned.
     */
    @Override
    public void close() {
        List<LlamaGeneration> dropped;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            dropped = new ArrayList<>(waiting);
            waiting.clear();
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
        IllegalStateException error = closedError();
        dropped.forEach(generation -> generation.fail(error));
        boolean interrupted = false;
        for (Thread reader : readers) {
            while (true) {
                try {
                    reader.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        modelUse.writeLock().lock();
        try {
            modelClosed = true;
            model.close();
        } finally {
            modelUse.writeLock().unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void cancelled(LlamaGeneration generation) {
        lock.lock();
        try {
            // a waiting generation never reaches llama.cpp; a running one is stopped by its reader
            waiting.remove(generation);
        } finally {
            lock.unlock();
        }
    }

    private void readLoop() {
        while (true) {
            LlamaGeneration generation;
            lock.lock();
            try {
                while (waiting.isEmpty() && !closed) {
                    workAvailable.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                generation = waiting.removeFirst();
                running.add(generation);
            } finally {
                lock.unlock();
            }
            try {
                run(generation);
            } catch (RuntimeException | Error e) {
                log.error("generation {}: unexpected failure in its slot thread", generation.id(), e);
                release(generation);
                generation.fail(e);
            } finally {
                release(generation);
            }
        }
    }

    private void release(LlamaGeneration generation) {
        lock.lock();
        try {
            running.remove(generation);
        } finally {
            lock.unlock();
        }
    }

    private void run(LlamaGeneration generation) {
        GenerationRequest request = generation.request;
        InferenceParameters parameters = new InferenceParameters(request.prompt())
                .setNPredict(generation.tokenBudget)
                .setTemperature((float) request.temperature())
                .setTopP((float) request.topP())
                .setSeed(nativeSeed(request.seed()));
        if (!request.stop().isEmpty()) {
            parameters.setStopStrings(request.stop().toArray(String[]::new));
        }
        LlamaIterator stream;
        try {
            stream = model.generate(parameters).iterator();
        } catch (RuntimeException e) {
            release(generation);
            generation.fail(new IllegalStateException("llama.cpp refused generation " + generation.id()
                    + ": " + e.getMessage(), e));
            return;
        }
        boolean ended = false;
        try {
            while (stream.hasNext()) {
                if (generation.cancelled() || isClosed()) {
                    break;
                }
                LlamaOutput output = stream.next();
                if (!stream.hasNext()) {
                    // llama.cpp's final message carries no token, only the end of the stream
                    ended = true;
                    break;
                }
                rate.record(nanos(), 1);
                if (!generation.token(output.text)) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            release(generation);
            generation.fail(new IllegalStateException("llama.cpp failed during generation " + generation.id()
                    + ": " + e.getMessage(), e));
            return;
        } finally {
            // a stream left neither drained nor cancelled makes the other slots' readers busy-spin
            if (stream.hasNext()) {
                stream.cancel();
            }
        }
        // the slot is free in llama.cpp already: show it in state() before the listener hears the outcome
        release(generation);
        if (ended) {
            // llama.cpp does not pass its stop reason through the binding; reaching the budget means the
            // max_tokens or the slot's context ended the text
            generation.complete(generation.generated() >= generation.tokenBudget
                    ? FinishReason.LENGTH : FinishReason.STOP);
        } else if (!generation.cancelled()) {
            generation.fail(closedError());
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    private IllegalStateException closedError() {
        return new IllegalStateException("the llama.cpp engine for " + model() + " was closed");
    }

    private <T> T withModel(java.util.function.Supplier<T> use) {
        modelUse.readLock().lock();
        try {
            if (modelClosed) {
                throw closedError();
            }
            return use.get();
        } finally {
            modelUse.readLock().unlock();
        }
    }

    /** llama.cpp seeds are 32-bit and -1 means "random": fold the 64 bits into 31 so a seed always repeats. */
    static int nativeSeed(long seed) {
        return (int) (seed ^ (seed >>> 32)) & 0x7FFF_FFFF;
    }

    /** The model's own flag when present; otherwise assume BOS, reserving one token too many at worst. */
    private static boolean addsBos(GgufFile gguf) {
        Object flag = gguf.metadata().get("tokenizer.ggml.add_bos_token");
        return !(flag instanceof Boolean b) || b;
    }

    private static double hostMemoryGb() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / (1024.0 * 1024 * 1024);
        }
        return 0;
    }

    /** Points the binding at a directory of this process's own, unless something set it already. */
    private static void useNativeTmpDir(Path configured) {
        synchronized (LlamaEngine.class) {
            if (System.getProperty(NATIVE_TMPDIR_PROPERTY) != null) {
                return;
            }
            try {
                Path dir;
                if (configured != null) {
                    dir = Files.createDirectories(configured);
                } else {
                    dir = Files.createTempDirectory("flotilla-jllama-");
                    // removed at exit in reverse order: the extracted library, then its directory
                    dir.toFile().deleteOnExit();
                    dir.resolve(System.mapLibraryName("jllama")).toFile().deleteOnExit();
                }
                System.setProperty(NATIVE_TMPDIR_PROPERTY, dir.toAbsolutePath().toString());
            } catch (IOException e) {
                throw new UncheckedIOException("nativeTmpDir: " + configured + " (cannot create it: " + e + ")", e);
            }
        }
    }

    private long nanos() {
        return clock.millis() * 1_000_000L;
    }
}
