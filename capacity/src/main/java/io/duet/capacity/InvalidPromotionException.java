package io.duet.capacity;

/** The promotions file or the capacity inputs cannot be turned into a deployment; the message names the line. */
public final class InvalidPromotionException extends RuntimeException {
    public InvalidPromotionException(String message) {
        super(message);
    }
}
