package dev.flotilla.bench.trace;

import java.nio.charset.StandardCharsets;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Turns a {@link TraceRecord}'s prompt into the text that is sent. A literal prompt is sent as it
 * is. A prompt given by its length becomes lowercase common English words, one word per token
 * (each is a single token in the usual BPE vocabularies and in the simulated engine), so about
 * {@code tokens} tokens, chosen by a generator seeded from ids:
 * <ul>
 *   <li>the first {@code prefixTokens} words come from the prefix group's own stream, so every record
 *       of a group starts with the same text (a shared system prompt);</li>
 *   <li>the rest comes from the session's stream when the record belongs to a session, so each turn's
 *       prompt starts with the whole previous turn's prompt (a conversation growing turn by turn);</li>
 *   <li>otherwise from a stream seeded by the record's id, so no two requests share text by chance.</li>
 * </ul>
 * The same record gives the same text on any machine and Java version (SplitMix64 from Commons
 * RNG, seeded by a 64-bit FNV-1a hash of the id).
 */
public final class PromptText {
    /** Common short English words; each with its leading space is one token in GPT and Llama vocabularies. */
    private static final String[] WORDS = {
        "the", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are", "as", "with",
        "his", "they", "at", "be", "this", "have", "from", "or", "one", "had", "by", "word", "but", "not", "what",
        "all", "were", "we", "when", "your", "can", "said", "there", "use", "an", "each", "which", "she", "do",
        "how", "their", "if", "will", "up", "other", "about", "out", "many", "then", "them", "these", "so", "some",
        "her", "would", "make", "like", "him", "into", "time", "has", "look", "two", "more", "write", "go", "see",
        "number", "no", "way", "could", "people", "my", "than", "first", "water", "been", "call", "who", "oil",
        "its", "now", "find", "long", "down", "day", "did", "get", "come", "made", "may", "part", "over", "new",
        "sound", "take", "only", "little", "work", "know", "place", "year", "live", "me", "back", "give", "most",
        "very", "after", "thing", "our", "just", "name", "good", "sentence", "man", "think", "say", "great",
        "where", "help", "through", "much", "before", "line", "right", "too", "mean", "old", "any", "same", "tell",
        "boy", "follow", "came", "want", "show", "also", "around", "form", "three", "small", "set", "put", "end",
        "does", "another", "well", "large", "must", "big", "even", "such", "because", "turn", "here", "why",
        "ask", "went", "men", "read", "need", "land", "different", "home", "us", "move", "try", "kind", "hand",
        "picture", "again", "change", "off", "play", "spell", "air", "away", "animal", "house", "point", "page",
        "letter", "mother", "answer", "found", "study", "still", "learn", "should", "world", "high", "every",
        "near", "add", "food", "between", "own", "below", "country", "plant", "last", "school", "father", "keep",
        "tree", "never", "start", "city", "earth", "eye", "light", "thought", "head", "under", "story", "saw",
        "left", "few", "while", "along", "might", "close", "something", "seem", "next", "hard", "open", "example",
        "begin", "life", "always", "those", "both", "paper", "together", "got", "group", "often", "run",
    };

    private PromptText() {
    }

    /** The text to send for the record's prompt. */
    public static String of(TraceRecord record) {
        return switch (record.prompt()) {
            case TraceRecord.Text t -> t.text();
            case TraceRecord.Synthetic s -> synthetic(record, s);
        };
    }

    private static String synthetic(TraceRecord record, TraceRecord.Synthetic s) {
        StringBuilder text = new StringBuilder(s.tokens() * 6);
        if (s.prefixGroup() != null && s.prefixTokens() > 0) {
            appendWords(text, stream("prefix", s.prefixGroup()), s.prefixTokens());
        }
        int rest = s.tokens() - s.prefixTokens();
        if (rest > 0) {
            UniformRandomProvider own = record.session() != null
                    ? stream("session", record.session())
                    : stream("request", record.id());
            appendWords(text, own, rest);
        }
        return text.toString();
    }

    /** {@code count} words from the stream named {@code kind:id}, space-separated. */
    public static String words(String kind, String id, int count) {
        StringBuilder text = new StringBuilder(count * 6);
        appendWords(text, stream(kind, id), count);
        return text.toString();
    }

    private static void appendWords(StringBuilder text, UniformRandomProvider random, int count) {
        for (int i = 0; i < count; i++) {
            if (!text.isEmpty()) {
                text.append(' ');
            }
            text.append(WORDS[random.nextInt(WORDS.length)]);
        }
    }

    private static UniformRandomProvider stream(String kind, String id) {
        return RandomSource.SPLIT_MIX_64.create(fnv1a64(kind + ":" + id));
    }

    static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
