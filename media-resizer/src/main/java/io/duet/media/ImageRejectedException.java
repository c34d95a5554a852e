package io.duet.media;

/**
 * An image that can never be rendered, with the stable code recorded as the media item's {@code error}
 * (listed in api/PROBLEMS.md). Never retried.
 */
public final class ImageRejectedException extends Exception {
    private final String code;

    public ImageRejectedException(String code, String reason) {
        super(reason, null, false, false);
        this.code = code;
    }

    public ImageRejectedException(String code, String reason, Throwable cause) {
        super(reason, cause, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
