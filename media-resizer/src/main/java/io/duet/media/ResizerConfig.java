package io.duet.media;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/**
 * The resize worker.
 *
 * @param jpegQuality quality of the JPEG variants, 0-1; default 0.82 (the point where artefacts stop
 *     being visible on phone screens; higher mostly costs bytes)
 * @param jpegCodec {@code auto} (default): libjpeg-turbo through FFM when {@code libturbojpeg} loads,
 *     else the pure-Java ImageIO path; {@code java}: always the pure-Java path
 * @param pngDecoder {@code auto} (default): libpng through FFM when {@code libpng16} loads, else
 *     ImageIO; {@code java}: always ImageIO
 */
@ConfigurationProperties("duet.media.resizer")
public record ResizerConfig(
        @DecimalMin("0.1") @DecimalMax("1.0") float jpegQuality,
        @NotBlank @Pattern(regexp = "auto|java") String jpegCodec,
        @NotBlank @Pattern(regexp = "auto|java") String pngDecoder) {}
