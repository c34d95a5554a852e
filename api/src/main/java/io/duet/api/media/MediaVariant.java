package io.duet.api.media;

/**
 * One rendition the worker made of a media item.
 *
 * @param name the path segment clients ask for: the size in pixels ({@code 64}, {@code 1080}, ...)
 * @param etag a strong validator of the bytes (their SHA-256, shortened)
 */
public record MediaVariant(String name, String contentType, int width, int height, long bytes, String etag) {}
