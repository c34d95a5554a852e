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
 * @param libjpegTurboMinimum lowest libjpeg-turbo release (dotted) the worker hands uploads to; below
 *     it, or when the release cannot be read, JPEG goes the pure-Java path. Default {@code 2.1.0}:
 *     CVE-2019-2201 (integer overflows in the TurboJPEG API on huge images, fixed in 2.0.4) and
 *     CVE-2020-17541 (stack buffer overflow, fixed in 2.1.0)
 * @param libpngMinimum lowest libpng release the worker uses; below it PNG goes through ImageIO.
 *     Default {@code 1.6.37}: CVE-2019-7317 (use-after-free in {@code png_image_free}, the simplified
 *     API this worker calls, fixed in 1.6.37). Distributions backport later fixes without changing the
 *     release number, so a higher minimum suits only hosts with upstream builds
 */
@ConfigurationProperties("duet.media.resizer")
public record ResizerConfig(
        @DecimalMin("0.1") @DecimalMax("1.0") float jpegQuality,
        @NotBlank @Pattern(regexp = "auto|java") String jpegCodec,
        @NotBlank @Pattern(regexp = "auto|java") String pngDecoder,

        @NotBlank @Pattern(regexp = "\\d{1,4}(\\.\\d{1,4}){0,2}")
        String libjpegTurboMinimum,

        @NotBlank @Pattern(regexp = "\\d{1,4}(\\.\\d{1,4}){0,2}")
        String libpngMinimum) {}
