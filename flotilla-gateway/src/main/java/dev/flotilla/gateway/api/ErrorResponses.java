package dev.flotilla.gateway.api;

import dev.flotilla.gateway.dispatch.NodeBadAnswerException;
import dev.flotilla.gateway.dispatch.NodeTimeoutException;
import dev.flotilla.gateway.dispatch.NodeUnreachableException;
import dev.flotilla.gateway.request.ClientCancelledException;
import dev.flotilla.protocol.ApiException;
import dev.flotilla.protocol.ErrorBody;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * Maps a request's failure to the OpenAI error body and status the client gets, in one place:
 * client mistakes 4xx naming the field, no node up 503 with Retry-After, an unreachable node or a
 * malformed answer 502,
 * a silent node 504, anything else 500.
 */
public final class ErrorResponses {
    private final long retryAfterSeconds;

    /** @param retryAfterSeconds the Retry-After of 503 answers (about one health check interval) */
    public ErrorResponses(long retryAfterSeconds) {
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The error the client sees, or null when there is nobody to tell (the client went away). */
    public static ApiException toApi(Throwable failure) {
        if (failure instanceof ApiException api) {
            return api;
        }
        if (failure instanceof ClientCancelledException) {
            return null;
        }
        if (failure instanceof NodeUnreachableException e) {
            return new ApiException(502, new ErrorBody("The node could not be reached: " + e.getMessage(),
                    ErrorBody.SERVER_ERROR, null, "node_unreachable"));
        }
        if (failure instanceof NodeBadAnswerException e) {
            return new ApiException(502, new ErrorBody("The node's answer was malformed: " + e.getMessage(),
                    ErrorBody.SERVER_ERROR, null, "node_bad_answer"));
        }
        if (failure instanceof NodeTimeoutException e) {
            return new ApiException(504, new ErrorBody("The node did not answer in time: " + e.getMessage(),
                    ErrorBody.SERVER_ERROR, null, "node_timeout"));
        }
        return ApiException.internal("Internal gateway error (" + failure.getClass().getSimpleName() + ")");
    }

    /**
     * Answers with the error body; when the response has already started (a stream broke
     * midway) the connection is reset instead, since a status can no longer be sent.
     */
    public void send(HttpServerResponse response, Throwable failure) {
        ApiException api = toApi(failure);
        if (api == null || response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            response.reset();
            return;
        }
        send(response, api);
    }

    public void send(HttpServerResponse response, ApiException api) {
        if (api.status() == 503) {
            response.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        response.setStatusCode(api.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(api.body().toJson());
    }
}
