package io.duet.media;

import io.duet.api.media.Media;
import io.duet.api.media.MediaConfig;
import io.duet.api.media.MediaService;
import io.duet.api.media.MediaStore;
import io.duet.api.media.MediaVariant;
import io.duet.api.media.ResizeJob;
import io.duet.api.queue.Job;
import io.duet.api.queue.JobHandler;
import io.duet.api.queue.QueueDefaults;
import io.micronaut.serde.ObjectMapper;
import jakarta.inject.Singleton;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code media} queue: renders one uploaded image into its variants. An image that cannot be
 * rendered ends as {@code failed} with its code and the job completes (no retry can fix a file);
 * storage or database trouble is retried with the queue's backoff, and on the last attempt the item is
 * marked {@code processing-failed} so that no one waits for it forever.
 */
@Singleton
public class ResizeHandler implements JobHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ResizeHandler.class);

    private final MediaService media;
    private final MediaStore store;
    private final Pipeline pipeline;
    private final ObjectMapper json;
    private final int maxAttempts;

    ResizeHandler(
            MediaService media,
            MediaStore store,
            ResizerConfig config,
            NativeDecoders decoders,
            MediaConfig mediaConfig,
            QueueDefaults queueDefaults,
            ObjectMapper json) {
        this.media = media;
        this.store = store;
        this.json = json;
        this.maxAttempts = queueDefaults.maxAttempts();
        this.pipeline = new Pipeline(decoders.jpeg(), decoders.png(), config.jpegQuality(), mediaConfig.maxPixels());
        LOG.atInfo()
                .addKeyValue("decoders", pipeline.decoders())
                .addKeyValue("native", decoders.details())
                .log("resize worker ready");
    }

    @Override
    public String queue() {
        return ResizeJob.QUEUE;
    }

    /** Rendering takes long enough that it must not hold a database connection. */
    @Override
    public boolean transactional() {
        return false;
    }

    @Override
    public void handle(Job job) throws Exception {
        ResizeJob payload = job.payload(json, ResizeJob.class, resize -> resize.v() == 1 && resize.mediaId() != null);
        Optional<Media> found = media.find(payload.mediaId());
        if (found.isEmpty() || !found.get().status().equals(Media.PROCESSING)) {
            return;
        }
        Media item = found.get();
        try {
            render(item);
        } catch (ImageRejectedException e) {
            media.markFailed(item, e.code());
        } catch (Exception e) {
            if (job.attempt() >= maxAttempts) {
                media.markFailed(item, "processing-failed");
            }
            throw e;
        }
    }

    private void render(Media item) throws Exception {
        byte[] original;
        try {
            original = store.read(MediaStore.originalKey(item.id()));
        } catch (NoSuchFileException e) {
            throw new ImageRejectedException("original-missing", "the original is not in the store");
        }
        long started = System.nanoTime();
        List<Pipeline.Rendition> renditions;
        try {
            renditions = pipeline.render(original, item.kind());
        } catch (ImageRejectedException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            // A valid image under the pixel limit that this worker's heap cannot hold: a sizing fault
            // for ops (docs/architecture.md, "Media"), not a property of the file, and no retry would fit it.
            LOG.atError()
                    .addKeyValue("mediaId", item.id())
                    .addKeyValue("maxHeapMb", Runtime.getRuntime().maxMemory() >> 20)
                    .log("worker heap too small for this image: give it about 6 bytes a pixel of the pixel limit");
            throw new ImageRejectedException(
                    "too-large-to-render", "the worker's memory cannot hold the decoded image", e);
        } catch (RuntimeException e) {
            // A decoder that throws something unexpected on hostile input has still met a bad file.
            LOG.atWarn()
                    .addKeyValue("mediaId", item.id())
                    .addKeyValue("cause", e.getClass().getSimpleName())
                    .log("decoder failed unexpectedly");
            throw new ImageRejectedException("corrupt-image", "the decoder failed", e);
        }
        List<MediaVariant> variants = new ArrayList<>(renditions.size());
        for (Pipeline.Rendition rendition : renditions) {
            store.put(MediaStore.variantKey(item.id(), rendition.name()), rendition.bytes(), rendition.contentType());
            variants.add(new MediaVariant(
                    rendition.name(),
                    rendition.contentType(),
                    rendition.width(),
                    rendition.height(),
                    rendition.bytes().length,
                    etag(rendition.bytes())));
        }
        if (!media.markReady(item, variants)) {
            // Purged or already finished meanwhile: what was just written belongs to no one.
            if (media.find(item.id()).isEmpty()) {
                store.deleteAll(item.id());
            }
            return;
        }
        LOG.atInfo()
                .addKeyValue("mediaId", item.id())
                .addKeyValue("decoders", pipeline.decoders())
                .addKeyValue("ms", (System.nanoTime() - started) / 1_000_000)
                .log("media rendered");
    }

    private static String etag(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
    }
}
