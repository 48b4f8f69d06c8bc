package dev.flotilla.protocol;

/** One entry of {@code /v1/models}. */
public record ModelCard(String id, long created, String ownedBy) {
}
