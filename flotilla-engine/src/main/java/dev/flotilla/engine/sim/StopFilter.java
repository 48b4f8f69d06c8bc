package dev.flotilla.engine.sim;

import java.util.List;

/**
 * Cuts streamed text before the first stop sequence. Text that could be the start of a stop
 * sequence is held back until the next token shows whether it is, so no part of a stop sequence
 * is ever released.
 */
final class StopFilter {

    /** The text a token releases, and whether a stop sequence was reached. */
    record Released(String text, boolean stopped) {
    }

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();

    StopFilter(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    Released accept(String piece) {
        held.append(piece);
        int stopAt = -1;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (stopAt < 0 || at < stopAt)) {
                stopAt = at;
            }
        }
        if (stopAt >= 0) {
            String text = held.substring(0, stopAt);
            held.setLength(0);
            return new Released(text, true);
        }
        int release = held.length() - heldBackLength();
        String text = held.substring(0, release);
        held.delete(0, release);
        return new Released(text, false);
    }

    /** Releases whatever was held back, at the end of the text. */
    String flush() {
        String text = held.toString();
        held.setLength(0);
        return text;
    }

    /** The longest suffix of the held text that is a proper prefix of some stop sequence. */
    private int heldBackLength() {
        String text = held.toString();
        int longest = 0;
        for (String stop : stops) {
            for (int length = Math.min(stop.length() - 1, text.length()); length > longest; length--) {
                if (text.regionMatches(text.length() - length, stop, 0, length)) {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }
}
