package dev.locald.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.json.Json;

/** Parses a label whose value is JSON, naming the label when the value is broken. */
final class LabelJson {

    private static final ObjectMapper JSON = Json.PLAIN;

    private LabelJson() {}

    static JsonNode parse(String value, String label) {
        try {
            JsonNode node = JSON.readTree(value);
            if (node == null) {
                throw new IllegalArgumentException("label " + label + " is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("label " + label + " is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
