package dev.flotilla.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses and validates OpenAI completion request bodies in one streaming pass: no tree, no
 * re-serialisation, so the gateway can check a request and forward the original bytes. Every
 * problem becomes a 400 {@link ApiException} that names the field and the value.
 */
public final class InferenceRequests {
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
    private static final int MAX_STOP = 4;

    private InferenceRequests() {
    }

    public static InferenceRequest parse(Endpoint endpoint, byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.invalidRequest(null, "invalid_json",
                    "The request body is empty; expected a JSON object.");
        }
        try (JsonParser p = JSON.createParser(body)) {
            return parse(endpoint, p);
        } catch (IOException e) {
            throw ApiException.invalidRequest(null, "invalid_json",
                    "We could not parse the JSON body of your request: " + firstLine(e.getMessage()));
        }
    }

    private static InferenceRequest parse(Endpoint endpoint, JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw ApiException.invalidRequest(null, "invalid_json",
                    "The request body must be a JSON object.");
        }
        String model = null;
        List<ChatMessage> messages = null;
        String prompt = null;
        boolean stream = false;
        boolean includeUsage = false;
        Integer maxTokens = null;
        double temperature = InferenceRequest.DEFAULT_TEMPERATURE;
        double topP = InferenceRequest.DEFAULT_TOP_P;
        Long seed = null;
        List<String> stop = List.of();
        String user = null;
        boolean promptSeen = false;

        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (field) {
                case "model" -> model = string(p, "model");
                case "messages" -> {
                    if (endpoint != Endpoint.CHAT) {
                        p.skipChildren();
                    } else {
                        messages = messages(p);
                    }
                }
                case "prompt" -> {
                    if (endpoint != Endpoint.COMPLETIONS) {
                        p.skipChildren();
                    } else {
                        prompt = prompt(p);
                        promptSeen = true;
                    }
                }
                case "stream" -> stream = bool(p, "stream");
                case "stream_options" -> includeUsage = streamOptions(p);
                case "max_tokens", "max_completion_tokens" -> {
                    int v = integer(p, field);
                    if (v < 1) {
                        throw ApiException.invalidRequest(field, "integer_below_min_value",
                                "Invalid '" + field + "': integer below minimum value. Expected a value >= 1, but got "
                                        + v + " instead.");
                    }
                    maxTokens = v;
                }
                case "temperature" -> temperature = number(p, "temperature", 0, 2);
                case "top_p" -> topP = number(p, "top_p", 0, 1);
                case "seed" -> seed = longValue(p, "seed");
                case "stop" -> stop = stop(p);
                case "user" -> user = string(p, "user");
                case "n" -> {
                    int n = integer(p, "n");
                    if (n != 1) {
                        throw ApiException.invalidRequest("n", "unsupported_value",
                                "Invalid 'n': " + n + " (only n = 1 is supported)");
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
            throw ApiException.invalidRequest(null, "invalid_json",
                    "We could not parse the JSON body of your request: trailing content after the object.");
        }
        if (model == null || model.isBlank()) {
            throw missing("model");
        }
        if (endpoint == Endpoint.CHAT) {
            if (messages == null) {
                throw missing("messages");
            }
            if (messages.isEmpty()) {
                throw ApiException.invalidRequest("messages", "empty_array",
                        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.");
            }
        } else if (!promptSeen) {
            throw missing("prompt");
        }
        return new InferenceRequest(endpoint, model, messages, prompt, stream, stream && includeUsage, maxTokens,
                temperature, topP, seed, stop, user);
    }

    private static ApiException missing(String field) {
        return ApiException.invalidRequest(field, "missing_required_parameter",
                "Missing required parameter: '" + field + "'.");
    }

    private static List<ChatMessage> messages(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw wrongType(p, "messages", "an array");
        }
        List<ChatMessage> out = new ArrayList<>();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String path = "messages[" + i + "]";
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw wrongType(p, path, "an object");
            }
            String role = null;
            String content = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                if ("role".equals(f)) {
                    role = string(p, path + ".role");
                } else if ("content".equals(f)) {
                    content = t == JsonToken.VALUE_NULL ? "" : content(p, path + ".content");
                } else {
                    p.skipChildren();
                }
            }
            if (role == null) {
                throw missing(path + ".role");
            }
            if (!ROLES.contains(role)) {
                throw ApiException.invalidRequest(path + ".role", "invalid_value",
                        "Invalid value for '" + path + ".role': '" + role + "'. Supported values are: "
                                + "'system', 'developer', 'user', 'assistant', 'tool' and 'function'.");
            }
            if (content == null) {
                throw missing(path + ".content");
            }
            out.add(new ChatMessage(role, content));
            i++;
        }
        return out;
    }

    /** Content is a string or an array of parts; the text parts are joined. */
    private static String content(JsonParser p, String path) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw wrongType(p, path, "a string or an array of content parts");
        }
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String partPath = path + "[" + i + "]";
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw wrongType(p, partPath, "an object");
            }
            String type = null;
            String partText = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                if ("type".equals(f)) {
                    type = string(p, partPath + ".type");
                } else if ("text".equals(f)) {
                    partText = string(p, partPath + ".text");
                } else {
                    p.skipChildren();
                }
            }
            if (!"text".equals(type) || partText == null) {
                throw ApiException.invalidRequest(partPath + ".type", "unsupported_value",
                        "Invalid '" + partPath + ".type': " + (type == null ? "missing" : "'" + type + "'")
                                + " (only text parts with a 'text' field are supported)");
            }
            text.append(partText);
            i++;
        }
        return text.toString();
    }

    private static String prompt(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (p.currentToken() == JsonToken.START_ARRAY) {
            String only = null;
            int count = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    throw ApiException.invalidRequest("prompt", "unsupported_value",
                            "Invalid 'prompt': token arrays are not supported; send the prompt as a string.");
                }
                only = p.getText();
                count++;
            }
            if (count != 1) {
                throw ApiException.invalidRequest("prompt", "unsupported_value",
                        "Invalid 'prompt': an array of " + count + " prompts (exactly one prompt per request is supported)");
            }
            return only;
        }
        throw wrongType(p, "prompt", "a string");
    }

    private static boolean streamOptions(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw wrongType(p, "stream_options", "an object");
        }
        boolean includeUsage = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            if ("include_usage".equals(f)) {
                includeUsage = bool(p, "stream_options.include_usage");
            } else {
                p.skipChildren();
            }
        }
        return includeUsage;
    }

    private static List<String> stop(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return List.of(p.getText());
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw wrongType(p, "stop", "a string or an array of strings");
        }
        List<String> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            out.add(string(p, "stop[" + out.size() + "]"));
        }
        if (out.size() > MAX_STOP) {
            throw ApiException.invalidRequest("stop", "array_above_max_length",
                    "Invalid 'stop': array of " + out.size() + " strings (at most " + MAX_STOP + ")");
        }
        return out;
    }

    private static String string(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw wrongType(p, field, "a string");
        }
        return p.getText();
    }

    private static boolean bool(JsonParser p, String field) throws IOException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw wrongType(p, field, "a boolean");
        }
        return t == JsonToken.VALUE_TRUE;
    }

    private static int integer(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType(p, field, "an integer");
        }
        long v = p.getLongValue();
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw ApiException.invalidRequest(field, "invalid_value", "Invalid '" + field + "': " + v + " is out of range.");
        }
        return (int) v;
    }

    private static long longValue(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType(p, field, "an integer");
        }
        return p.getLongValue();
    }

    private static double number(JsonParser p, String field, double min, double max) throws IOException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw wrongType(p, field, "a number");
        }
        double v = p.getDoubleValue();
        if (!(v >= min && v <= max)) {
            throw ApiException.invalidRequest(field, "invalid_value",
                    "Invalid '" + field + "': " + p.getText() + " (expected a number from " + min + " to " + max + ")");
        }
        return v;
    }

    private static ApiException wrongType(JsonParser p, String field, String expected) throws IOException {
        JsonToken t = p.currentToken();
        String got = switch (t) {
            case VALUE_STRING -> "a string (\"" + abbreviate(p.getText()) + "\")";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number (" + p.getText() + ")";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean (" + p.getText() + ")";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> String.valueOf(t);
        };
        return ApiException.invalidRequest(field, "invalid_type",
                "Invalid type for '" + field + "': expected " + expected + ", but got " + got + " instead.");
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed JSON";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
