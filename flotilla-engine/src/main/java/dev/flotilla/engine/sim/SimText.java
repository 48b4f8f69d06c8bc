package dev.flotilla.engine.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.SplittableRandom;

/**
 * Deterministic, English-looking text in place of a model. A token is one word with its leading
 * space (" cat") or one punctuation mark ("."), so {@link #countTokens} counts generated text
 * exactly. The text is 1 to 6 sentences long, the number drawn from the same seed as the words.
 */
final class SimText {

    private static final String[] SUBJECTS = {
        "the cat", "a small robot", "my neighbour", "the old sailor", "every student", "the river",
        "a quiet engineer", "the little fox", "our team", "the baker", "a tired traveller", "the teacher",
        "her brother", "the new pilot", "a curious child", "the gardener",
    };
    private static final String[] VERBS = {
        "found", "painted", "carried", "watched", "built", "remembered", "followed", "opened", "shared",
        "measured", "fixed", "visited", "cleaned", "described", "borrowed", "noticed",
    };
    private static final String[] OBJECTS = {
        "a red kite", "the blue door", "an old map", "the morning light", "a warm loaf", "the broken clock",
        "some fresh bread", "a paper boat", "the last train", "a bright lamp", "the green hills",
        "a long letter", "the wooden bench", "a quiet song", "the empty street", "a silver key",
    };
    private static final String[] PLACES = {
        "in the park", "after lunch", "near the sea", "before dawn", "with great care", "at the market",
        "under the bridge", "every day", "on the roof", "behind the school", "in the rain", "at night",
    };
    private static final String[] JOINERS = {"and then", "but", "so", "while", "because"};

    private final SplittableRandom random;
    private final ArrayDeque<String> sentence = new ArrayDeque<>();
    private int sentencesLeft;

    SimText(long seed) {
        random = new SplittableRandom(seed);
        sentencesLeft = 1 + random.nextInt(6);
    }

    /**
     * The text for a request: with temperature 0 it depends on the prompt only (greedy decoding),
     * otherwise on the prompt and the seed.
     */
    static SimText forRequest(String prompt, double temperature, long seed) {
        long promptHash = fnv1a(prompt);
        return new SimText(temperature == 0 ? promptHash : promptHash ^ (seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L));
    }

    /** The next token. */
    String next() {
        if (sentence.isEmpty()) {
            writeSentence();
            sentencesLeft = Math.max(0, sentencesLeft - 1);
        }
        return sentence.poll();
    }

    /** True once the token that ends the text has been returned. */
    boolean ended() {
        return sentence.isEmpty() && sentencesLeft == 0;
    }

    private void writeSentence() {
        clause(true);
        if (random.nextInt(2) == 0) {
            words(pick(PLACES));
        }
        if (random.nextInt(4) == 0) {
            sentence.add(",");
            words(pick(JOINERS));
            clause(false);
        }
        sentence.add(random.nextInt(8) == 0 ? "!" : ".");
    }

    private void clause(boolean capitalise) {
        String subject = pick(SUBJECTS);
        if (capitalise) {
            subject = Character.toUpperCase(subject.charAt(0)) + subject.substring(1);
        }
        words(subject);
        words(pick(VERBS));
        words(pick(OBJECTS));
    }

    private void words(String phrase) {
        for (String word : phrase.split(" ")) {
            sentence.add(" " + word);
        }
    }

    private String pick(String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    /**
     * Counts a word (a run of letters, digits and apostrophes) as one token and every other
     * non-space character as one token; non-empty text has at least one.
     */
    static int countTokens(String text) {
        int count = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (Character.isLetterOrDigit(c) || c == '\'') {
                if (!inWord) {
                    count++;
                    inWord = true;
                }
            } else {
                inWord = false;
                if (!Character.isWhitespace(c)) {
                    count++;
                }
            }
        }
        return text.isEmpty() ? 0 : Math.max(1, count);
    }

    private static long fnv1a(String text) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }
}
