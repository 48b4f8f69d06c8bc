package dev.flotilla.bench.sim;

import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** {@link PromptRenderer#compact()}: one punctuation mark per token, from seeded streams. */
final class CompactPrompts implements PromptRenderer {
    /**
     * 16 marks, each a token on its own for the simulated engine; a power of two so that one random
     * long gives 16 of them. Quotes and backslashes are left out so that prompts print plainly.
     */
    private static final char[] MARKS = "!#$%&()*+,-./:;=".toCharArray();

    /** Rendered group prefixes, least recently used first, at most the constructor's count. */
    private final Map<String, String> prefixes;

    CompactPrompts(int cachedPrefixes) {
        this.prefixes = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > cachedPrefixes;
            }
        };
    }

    /**
     * One for synthetic prompts (a mark a token, standing for real text the gateway would estimate
     * at about its token count); the gateway's figure for literal text.
     */
    @Override
    public int charsPerToken(SimRequest request) {
        return request.prompt() instanceof SimPrompt.Synthetic ? 1 : SchedulingRequest.CHARS_PER_TOKEN;
    }

    @Override
    public String render(SimRequest request) {
        return switch (request.prompt()) {
            case SimPrompt.Text t -> t.text();
            case SimPrompt.Synthetic s -> synthetic(request, s);
        };
    }

    private String synthetic(SimRequest request, SimPrompt.Synthetic s) {
        char[] text = new char[s.tokens()];
        int prefix = s.prefixTokens();
        if (prefix > 0) {
            prefixes.computeIfAbsent(prefix + ":" + s.prefixGroup(), k -> marks("prefix", s.prefixGroup(), prefix))
                    .getChars(0, prefix, text, 0);
        }
        if (prefix < text.length) {
            boolean session = request.session() != null;
            fill(text, prefix, stream(session ? "session" : "request", session ? request.session() : request.id()));
        }
        return new String(text);
    }

    private static String marks(String kind, String id, int count) {
        char[] text = new char[count];
        fill(text, 0, stream(kind, id));
        return new String(text);
    }

    /** Fills {@code text} from {@code from} to its end with marks drawn from {@code random}. */
    private static void fill(char[] text, int from, SplittableRandom random) {
        long bits = 0;
        for (int i = from; i < text.length; i++) {
            if (((i - from) & 15) == 0) {
                bits = random.nextLong();
            }
            text[i] = MARKS[(int) (bits & 15)];
            bits >>>= 4;
        }
    }

    private static SplittableRandom stream(String kind, String id) {
        return new SplittableRandom(fnv1a(kind, id));
    }

    /** FNV-1a over the UTF-16 units of {@code kind:id}: a stable seed without encoding the string. */
    private static long fnv1a(String kind, String id) {
        long h = 0xcbf29ce484222325L;
        h = fnv1a(h, kind);
        h = (h ^ ':') * 0x100000001b3L;
        return fnv1a(h, id);
    }

    private static long fnv1a(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }
}
