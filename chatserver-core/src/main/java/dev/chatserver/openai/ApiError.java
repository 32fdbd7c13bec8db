package dev.chatserver.openai;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;

/**
 * A request that fails, as OpenAI reports it: an HTTP status and {@code {"error": {"message", "type", "param",
 * "code"}}}. Thrown while a request is read and checked, on the request's thread; immutable.
 */
final class ApiError extends RuntimeException {

    private final Status status;
    private final String type;
    private final String param;
    private final String code;

    private ApiError(Status status, String type, String param, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: the request is malformed or asks for something unsupported; {@code param} names the field. */
    static ApiError invalid(String param, String message) {
        return new ApiError(Status.BAD_REQUEST_400, "invalid_request_error", param, null, message);
    }

    /** 400: the conversation does not fit the context window. */
    static ApiError contextLength(String message) {
        return new ApiError(Status.BAD_REQUEST_400, "invalid_request_error", "messages", "context_length_exceeded",
                message);
    }

    /** 401: no or a wrong API key. */
    static ApiError unauthorized() {
        return new ApiError(Status.UNAUTHORIZED_401, "invalid_request_error", null, "invalid_api_key",
                "a valid API key is required: send the header Authorization: Bearer <key>");
    }

    /** 404: no such path or model. */
    static ApiError notFound(String code, String message) {
        return new ApiError(Status.NOT_FOUND_404, "invalid_request_error", null, code, message);
    }

    /** 413: the body is over the limit. */
    static ApiError tooLarge(long limit) {
        return new ApiError(Status.REQUEST_ENTITY_TOO_LARGE_413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than " + limit + " bytes");
    }

    /** 503: the engine's queue is full (the server's capacity, not a rate limit of this client). */
    static ApiError busy(String message) {
        return new ApiError(Status.SERVICE_UNAVAILABLE_503, "server_error", null, "server_busy", message);
    }

    /** 500: the engine failed on this request. */
    static ApiError server(String message) {
        return new ApiError(Status.INTERNAL_SERVER_ERROR_500, "server_error", null, null, message);
    }

    /** @return the error object, {@code {"error": {...}}} */
    String json() {
        JsonObjectBuilder error = Json.createObjectBuilder().add("message", getMessage()).add("type", type);
        if (param == null) error.addNull("param"); else error.add("param", param);
        if (code == null) error.addNull("code"); else error.add("code", code);
        return Json.createObjectBuilder().add("error", error).build().toString();
    }

    /** Sends this error as the whole response. */
    void send(ServerResponse res) {
        res.status(status);
        if (status == Status.SERVICE_UNAVAILABLE_503) res.header(HeaderNames.RETRY_AFTER, "1");
        if (status == Status.UNAUTHORIZED_401) res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
        res.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        res.send(json());
    }
}
