package dev.flotilla.protocol;

/**
 * An error that reaches the client as an OpenAI-style error body with an HTTP status. Thrown where
 * the problem is found (parsing, validation, routing) and mapped once at the HTTP edge.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ErrorBody body;
    private final int status;

    public ApiException(int status, ErrorBody body) {
        super(body.message());
        this.status = status;
        this.body = body;
    }

    public static ApiException invalidRequest(String param, String message) {
        return new ApiException(400, new ErrorBody(message, ErrorBody.INVALID_REQUEST, param, null));
    }

    public static ApiException invalidRequest(String param, String code, String message) {
        return new ApiException(400, new ErrorBody(message, ErrorBody.INVALID_REQUEST, param, code));
    }

    public static ApiException modelNotFound(String model) {
        return new ApiException(404, new ErrorBody(
                "The model '" + model + "' does not exist or no node serves it",
                ErrorBody.INVALID_REQUEST, "model", "model_not_found"));
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, new ErrorBody(message, ErrorBody.INVALID_REQUEST, null, "not_found"));
    }

    public static ApiException unavailable(String message) {
        return new ApiException(503, new ErrorBody(message, ErrorBody.SERVICE_UNAVAILABLE, null, "no_healthy_node"));
    }

    public static ApiException internal(String message) {
        return new ApiException(500, new ErrorBody(message, ErrorBody.SERVER_ERROR, null, null));
    }

    public int status() {
        return status;
    }

    public ErrorBody body() {
        return body;
    }
}
