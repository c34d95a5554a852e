package io.duet.media;

import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which decoders the worker uses: libjpeg-turbo and libpng through FFM where they load <em>and</em>
 * their release is at least the configured minimum ({@link ResizerConfig#libjpegTurboMinimum},
 * {@link ResizerConfig#libpngMinimum}), else the pure-Java path. Every upload an attacker sends
 * reaches these parsers, so an old system library with a known memory-safety bug is not used; the
 * slower Java path is. A library whose release cannot be read counts as too old. What was chosen, and
 * why, is in {@link #details()} for the {@code /health} details.
 */
@Singleton
public final class NativeDecoders {
    private static final Logger LOG = LoggerFactory.getLogger(NativeDecoders.class);

    private final JpegCodec jpeg;
    private final Optional<LibPngDecoder> png;
    private final Map<String, Object> details = new LinkedHashMap<>();

    public NativeDecoders(ResizerConfig config) {
        NativeVersion jpegMinimum = NativeVersion.parse(config.libjpegTurboMinimum());
        NativeVersion pngMinimum = NativeVersion.parse(config.libpngMinimum());
        JpegCodec chosenJpeg = new ImageIoJpegCodec();
        if (config.jpegCodec().equals("java")) {
            details.put("jpeg", "imageio (configured)");
        } else {
            Optional<TurboJpegCodec> turbo = TurboJpegCodec.load();
            if (turbo.isEmpty()) {
                details.put("jpeg", "imageio (libturbojpeg not found)");
            } else {
                String version =
                        turbo.get().version().map(NativeVersion::toString).orElse("unknown");
                details.put("libjpegTurboVersion", version);
                if (turbo.get()
                        .version()
                        .filter(v -> v.compareTo(jpegMinimum) >= 0)
                        .isPresent()) {
                    chosenJpeg = turbo.get();
                    details.put("jpeg", "libjpeg-turbo " + version);
                } else {
                    details.put(
                            "jpeg", "imageio (libjpeg-turbo " + version + " is below the minimum " + jpegMinimum + ")");
                    LOG.atWarn()
                            .addKeyValue("version", version)
                            .addKeyValue("minimum", jpegMinimum.toString())
                            .log("libjpeg-turbo below the minimum release: JPEG decoded in Java");
                }
            }
        }
        Optional<LibPngDecoder> chosenPng = Optional.empty();
        if (config.pngDecoder().equals("java")) {
            details.put("png", "imageio (configured)");
        } else {
            Optional<LibPngDecoder> libpng = LibPngDecoder.load();
            if (libpng.isEmpty()) {
                details.put("png", "imageio (libpng16 not found)");
            } else {
                NativeVersion version = libpng.get().version();
                details.put("libpngVersion", version.toString());
                if (version.compareTo(pngMinimum) >= 0) {
                    chosenPng = libpng;
                    details.put("png", "libpng " + version);
                } else {
                    details.put("png", "imageio (libpng " + version + " is below the minimum " + pngMinimum + ")");
                    LOG.atWarn()
                            .addKeyValue("version", version.toString())
                            .addKeyValue("minimum", pngMinimum.toString())
                            .log("libpng below the minimum release: PNG decoded in Java");
                }
            }
        }
        details.put("libjpegTurboMinimum", jpegMinimum.toString());
        details.put("libpngMinimum", pngMinimum.toString());
        this.jpeg = chosenJpeg;
        this.png = chosenPng;
    }

    JpegCodec jpeg() {
        return jpeg;
    }

    Optional<LibPngDecoder> png() {
        return png;
    }

    /** For ops: the decoder in use per format, the native releases found and the minimums. */
    public Map<String, Object> details() {
        return Map.copyOf(details);
    }
}
