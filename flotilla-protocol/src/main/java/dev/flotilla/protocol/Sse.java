package dev.flotilla.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Server-Sent Events as OpenAI uses them: one {@code data:} line per event, a blank line after it,
 * and {@code data: [DONE]} at the end. The {@link Decoder} reassembles events from arbitrary byte
 * chunks, as they arrive from a socket.
 */
public final class Sse {
    public static final String DONE = "[DONE]";
    public static final String CONTENT_TYPE = "text/event-stream";

    private Sse() {
    }

    /** Encodes one event. */
    public static String data(String payload) {
        return "data: " + payload + "\n\n";
    }

    public static String done() {
        return "data: " + DONE + "\n\n";
    }

    public static Decoder decoder() {
        return new Decoder();
    }

    /**
     * Incremental decoder: feed it bytes, take the complete events' data. Multi-line data fields
     * are joined with '\n' as the SSE specification says; comments and other fields are ignored.
     * Not thread-safe: one decoder per stream.
     */
    public static final class Decoder {
        private final StringBuilder line = new StringBuilder();
        private final StringBuilder data = new StringBuilder();
        private boolean hasData;
        private byte[] pending = new byte[0];
        private boolean lastWasCr;

        private Decoder() {
        }

        /** Decodes the bytes and returns the data of each event they complete, in order. */
        public List<String> feed(byte[] bytes) {
            List<String> events = new ArrayList<>(2);
            byte[] all = bytes;
            if (pending.length > 0) {
                all = new byte[pending.length + bytes.length];
                System.arraycopy(pending, 0, all, 0, pending.length);
                System.arraycopy(bytes, 0, all, pending.length, bytes.length);
            }
            // keep an incomplete UTF-8 sequence at the end for the next chunk
            int end = completeUtf8Prefix(all);
            String text = new String(all, 0, end, StandardCharsets.UTF_8);
            pending = end == all.length ? new byte[0] : java.util.Arrays.copyOfRange(all, end, all.length);
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n' && lastWasCr) {
                    lastWasCr = false;
                    continue;
                }
                lastWasCr = c == '\r';
                if (c == '\n' || c == '\r') {
                    endLine(events);
                } else {
                    line.append(c);
                }
            }
            return events;
        }

        private void endLine(List<String> events) {
            if (line.isEmpty()) {
                if (hasData) {
                    events.add(data.toString());
                    data.setLength(0);
                    hasData = false;
                }
                return;
            }
            if (line.length() >= 5 && line.indexOf("data:") == 0) {
                int start = line.length() > 5 && line.charAt(5) == ' ' ? 6 : 5;
                if (hasData) {
                    data.append('\n');
                }
                data.append(line, start, line.length());
                hasData = true;
            }
            line.setLength(0);
        }

        private static int completeUtf8Prefix(byte[] b) {
            int n = b.length;
            // look back at most 3 bytes for the start of a multi-byte sequence
            for (int back = 1; back <= Math.min(3, n); back++) {
                int v = b[n - back] & 0xFF;
                if ((v & 0xC0) == 0x80) {
                    continue; // continuation byte
                }
                int need = v >= 0xF0 ? 4 : v >= 0xE0 ? 3 : v >= 0xC0 ? 2 : 1;
                return need > back ? n - back : n;
            }
            return n;
        }
    }
}
