package dev.flotilla.bench.report;

import java.util.Locale;

/** Why a benchmark request failed; the label is the key in reports. */
public enum ErrorKind {
    /** The server answered 4xx (bad request, unknown model, rate limited, ...). */
    HTTP_4XX,
    /** The server answered 5xx (overloaded, no node available, ...). */
    HTTP_5XX,
    /** Any other status but 200 (1xx, 3xx). */
    HTTP_OTHER,
    /** No complete answer within the request timeout (connecting included). */
    TIMEOUT,
    /** Nobody listened at the address. */
    CONNECTION_REFUSED,
    /** The connection closed or was reset before the stream ended. */
    CONNECTION_RESET,
    /** The stream was not what OpenAI servers send: an event that is not JSON, or no {@code [DONE]}. */
    MALFORMED_STREAM,
    /** The server sent an {@code {"error": ...}} event in the stream. */
    STREAM_ERROR,
    /** Not sent: the bench's own bound on requests in flight was reached (the client fell behind). */
    CLIENT_BACKLOG,
    /** Anything else (the detail says what). */
    OTHER;

    /** The report key, e.g. {@code http_5xx}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind for an HTTP status other than 200. */
    public static ErrorKind ofStatus(int status) {
        if (status >= 400 && status < 500) {
            return HTTP_4XX;
        }
        return status >= 500 && status < 600 ? HTTP_5XX : HTTP_OTHER;
    }
}
