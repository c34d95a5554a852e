package io.duet.api.media;

/** Image types the intake recognises by their magic bytes; only the first three are accepted. */
public enum ImageFormat {
    JPEG("image/jpeg"),
    PNG("image/png"),
    WEBP("image/webp"),
    GIF("image/gif"),
    HEIF("image/heif"),
    UNKNOWN("application/octet-stream");

    private final String contentType;

    ImageFormat(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    public boolean accepted() {
        return this == JPEG || this == PNG || this == WEBP;
    }
}
