package io.duet.api.media;

import io.duet.api.web.ProblemException;
import io.micronaut.http.HttpStatus;

/** The ways an upload or a media request is refused. */
final class MediaProblems {
    private MediaProblems() {}

    static final class UploadTooLargeException extends ProblemException {
        UploadTooLargeException(long limit) {
            super(
                    "payload-too-large",
                    "Payload too large",
                    HttpStatus.REQUEST_ENTITY_TOO_LARGE,
                    "Images may be at most " + limit / (1024 * 1024) + " MB.");
        }
    }

    static final class UnsupportedImageException extends ProblemException {
        UnsupportedImageException() {
            super(
                    "unsupported-image-type",
                    "Unsupported image type",
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "Send a JPEG, PNG or WebP image; GIF, HEIC and other types are not accepted.");
        }
    }

    static final class UnreadableImageException extends ProblemException {
        UnreadableImageException() {
            super(
                    "unreadable-image",
                    "Unreadable image",
                    HttpStatus.UNPROCESSABLE_ENTITY,
                    "The image's header is damaged or missing, so its size cannot be read.");
        }
    }

    static final class ImageTooLargeException extends ProblemException {
        ImageTooLargeException(long maxPixels) {
            super(
                    "image-too-large",
                    "Image has too many pixels",
                    HttpStatus.UNPROCESSABLE_ENTITY,
                    "Images may have at most " + maxPixels / 1_000_000 + " megapixels.");
        }
    }

    static final class StorageQuotaExceededException extends ProblemException {
        StorageQuotaExceededException(long quota) {
            super(
                    "storage-quota-exceeded",
                    "Storage quota exceeded",
                    HttpStatus.CONFLICT,
                    "An account may keep at most " + quota / (1024 * 1024) + " MB of images; delete some first.");
        }
    }

    static final class MediaNotReadyException extends ProblemException {
        MediaNotReadyException() {
            super(
                    "media-not-ready",
                    "Media not ready",
                    HttpStatus.CONFLICT,
                    "This image is still being processed or could not be processed; see GET /v1/media/{id}.");
        }
    }
}
