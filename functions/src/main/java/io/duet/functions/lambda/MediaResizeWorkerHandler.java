package io.duet.functions.lambda;

import io.duet.api.media.ResizeJob;
import io.micronaut.context.ApplicationContext;

/**
 * Resizes uploaded images (queue {@code media}). Handler:
 * {@code io.duet.functions.lambda.MediaResizeWorkerHandler::handleRequest}. Needs the media store's
 * settings (S3 in AWS) and, for the native decoders, libturbojpeg and libpng in a layer (docs/architecture.md, "Media").
 */
public class MediaResizeWorkerHandler extends QueueDrainHandler {
    public MediaResizeWorkerHandler() {
        super(ResizeJob.QUEUE);
    }

    MediaResizeWorkerHandler(ApplicationContext context) {
        super(ResizeJob.QUEUE, context);
    }
}
