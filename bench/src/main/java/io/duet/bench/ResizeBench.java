package io.duet.bench;

import io.duet.api.testing.TestImages;
import io.duet.media.ImageIoJpegCodec;
import io.duet.media.LibPngDecoder;
import io.duet.media.Pipeline;
import io.duet.media.TurboJpegCodec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import net.coobird.thumbnailator.Thumbnails;

/**
 * {@code ./duet bench resize}: images per CPU-second for the three photo variants, side by side in each
 * round: the worker pipeline on native decoders (libjpeg-turbo, libpng), the same pipeline on pure Java (ImageIO), naive
 * Thumbnailator, and sharp (libvips) written the usual way and as a cascade. Each contender runs in its
 * own process (Java with the heap of {@link #heap}), so its CPU time and peak RSS are its own. Quality: exact
 * sizes are asserted by the tests; here the SSIM of our 320 px output against sharp's.
 */
public final class ResizeBench {
    private static final Pattern RESULT =
            Pattern.compile("RESULT images=(\\d+) cpu_s=([\\d.]+) wall_s=([\\d.]+) rss_mb=([\\d.]+)");
    private static final float QUALITY = 0.82f;

    private ResizeBench() {}

    record Measured(double imagesPerCpuSecond, double rssMb) {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--run")) {
            run(
                    args[1],
                    Path.of(args[2]),
                    Integer.parseInt(args[3]),
                    Arrays.stream(args, 4, args.length).map(Path::of).toList());
            return;
        }
        int rounds = args.length >= 2 && args[0].equals("--rounds") ? Integer.parseInt(args[1]) : 3;
        Path root = Path.of(System.getProperty("bench.dir", ".duet/bench")).toAbsolutePath();
        Path corpus = root.resolve("resize-corpus");
        List<Path> photos = corpus(corpus);
        List<Path> others = others(corpus);
        Path node = root.resolve("node");
        ensureSharp(node);

        System.out.printf(
                "machine: %d cores, %d MB memory, JDK %s, libjpeg-turbo %s, libpng %s%n",
                Runtime.getRuntime().availableProcessors(),
                memoryMb(),
                Runtime.version(),
                TurboJpegCodec.load().isPresent() ? "loaded" : "absent",
                LibPngDecoder.load().isPresent() ? "loaded" : "absent");
        System.out.println("peer: " + sharpVersions(node));
        System.out.printf(
                "corpus: %d photos 4000x3000 (half with EXIF orientation 6), %d rounds; Java heaps: pipeline-native %s, "
                        + "pipeline-java %s, naive %s%n",
                photos.size(), rounds, heap("pipeline-native"), heap("pipeline-java"), heap("naive"));

        String[] contenders = {"pipeline-native", "pipeline-java", "naive-thumbnailator", "sharp-usual", "sharp-cascade"
        };
        Map<String, List<Measured>> results = rounds(rounds, contenders, root.resolve("out"), 3, photos, node, "");
        Map<String, Double> median = medians(results);
        Map<String, Double> rss = new LinkedHashMap<>();
        results.forEach((name, list) ->
                rss.put(name, list.stream().mapToDouble(Measured::rssMb).max().orElse(0)));
        double[] ssim = ssim(root.resolve("out/pipeline-native"), root.resolve("out/sharp-usual"), photos);

        // The rest of the corpus (4000x3000 PNG screenshots, 800x600 photos), side by side in the same way.
        String[] otherContenders = {"pipeline-native", "pipeline-java", "naive-thumbnailator", "sharp-usual"};
        Map<String, Double> otherMedian = medians(rounds(
                rounds,
                otherContenders,
                root.resolve("out-others"),
                2,
                others,
                node,
                "  (screenshots and small images)"));

        System.out.println();
        System.out.printf("%-22s %18s %14s %12s%n", "contender", "images/cpu-s (med)", "vs sharp-usual", "peak RSS MB");
        for (String name : contenders) {
            System.out.printf(
                    "%-22s %18.2f %13.2fx %12.0f%n",
                    name, median.get(name), median.get(name) / median.get("sharp-usual"), rss.get(name));
        }
        System.out.printf("%nscreenshots and small images (%d files):%n", others.size());
        for (String name : otherContenders) {
            System.out.printf(
                    "%-22s %18.2f %13.2fx%n",
                    name, otherMedian.get(name), otherMedian.get(name) / otherMedian.get("sharp-usual"));
        }
        double ours = median.get("pipeline-native");
        System.out.printf(
                "%npipeline-native: %.2fx sharp-usual (target >= 1.0), %.2fx sharp-cascade (stretch >= 0.75), %.1fx naive "
                        + "Thumbnailator (target >= 6); SSIM 320 px vs sharp: min %.4f, mean %.4f (target >= 0.95)%n",
                ours / median.get("sharp-usual"),
                ours / median.get("sharp-cascade"),
                ours / median.get("naive-thumbnailator"),
                ssim[0],
                ssim[1]);
        System.out.printf(
                java.util.Locale.ROOT,
                "RESULT cores=%d pipeline_native_ips=%.2f pipeline_java_ips=%.2f naive_ips=%.2f "
                        + "sharp_usual_ips=%.2f sharp_cascade_ips=%.2f ratio_vs_sharp_usual=%.2f ratio_vs_sharp_cascade=%.2f "
                        + "ratio_vs_naive=%.1f ssim_min=%.4f rss_pipeline_mb=%.0f rss_sharp_mb=%.0f "
                        + "others_pipeline_ips=%.2f others_naive_ips=%.2f others_sharp_usual_ips=%.2f others_ratio_vs_sharp_usual=%.2f "
                        + "others_ratio_vs_naive=%.1f%n",
                Runtime.getRuntime().availableProcessors(),
                ours,
                median.get("pipeline-java"),
                median.get("naive-thumbnailator"),
                median.get("sharp-usual"),
                median.get("sharp-cascade"),
                ours / median.get("sharp-usual"),
                ours / median.get("sharp-cascade"),
                ours / median.get("naive-thumbnailator"),
                ssim[0],
                rss.get("pipeline-native"),
                Math.max(rss.get("sharp-usual"), rss.get("sharp-cascade")),
                otherMedian.get("pipeline-native"),
                otherMedian.get("naive-thumbnailator"),
                otherMedian.get("sharp-usual"),
                otherMedian.get("pipeline-native") / otherMedian.get("sharp-usual"),
                otherMedian.get("pipeline-native") / otherMedian.get("naive-thumbnailator"));
    }

    /**
     * Each contender in its own process, round by round, on {@code files}: {@code passes} measured
     * passes (one for naive Thumbnailator, the slowest); outputs under {@code outDir/contender}.
     */
    private static Map<String, List<Measured>> rounds(
            int rounds, String[] contenders, Path outDir, int passes, List<Path> files, Path node, String label)
            throws Exception {
        Map<String, List<Measured>> results = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (String contender : contenders) {
                Path out = outDir.resolve(contender);
                Files.createDirectories(out);
                int contenderPasses = contender.startsWith("naive") ? 1 : passes;
                Measured measured = contender.startsWith("sharp")
                        ? sharp(node, contender.substring(6), out, contenderPasses, files)
                        : java(contender, out, contenderPasses, files);
                results.computeIfAbsent(contender, name -> new ArrayList<>()).add(measured);
                System.out.printf(
                        "round %d %-20s %6.2f images/cpu-s  peak RSS %4.0f MB%s%n",
                        round, contender, measured.imagesPerCpuSecond(), measured.rssMb(), label);
            }
        }
        return results;
    }

    private static Map<String, Double> medians(Map<String, List<Measured>> results) {
        Map<String, Double> medians = new LinkedHashMap<>();
        results.forEach((name, list) -> medians.put(
                name,
                median(list.stream().mapToDouble(Measured::imagesPerCpuSecond).toArray())));
        return medians;
    }

    /** The screenshots and small images that {@link #corpus} writes beside the photos. */
    static List<Path> others(Path dir) {
        List<Path> others = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            others.add(dir.resolve("screenshot-" + i + ".png"));
        }
        for (int i = 0; i < 4; i++) {
            others.add(dir.resolve("small-" + i + ".jpg"));
        }
        return others;
    }

    /** The benchmark corpus, written once from fixed seeds (12 MP phone-like JPEGs, half rotated by EXIF). */
    static List<Path> corpus(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> photos = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Path file = dir.resolve("photo-" + i + ".jpg");
            if (!Files.exists(file)) {
                byte[] jpeg = TestImages.jpeg(TestImages.photo(4000, 3000, 1000 + i), 0.9f);
                Files.write(file, i % 2 == 1 ? TestImages.withExif(jpeg, 6) : jpeg);
            }
            photos.add(file);
        }
        for (int i = 0; i < 2; i++) {
            Path file = dir.resolve("screenshot-" + i + ".png");
            if (!Files.exists(file)) {
                Files.write(file, TestImages.png(TestImages.screenshot(4000, 3000, 2000 + i)));
            }
        }
        for (int i = 0; i < 4; i++) {
            Path file = dir.resolve("small-" + i + ".jpg");
            if (!Files.exists(file)) {
                Files.write(file, TestImages.jpeg(TestImages.photo(800, 600, 3000 + i), 0.9f));
            }
        }
        return photos;
    }

    private static Measured java(String contender, Path out, int passes, List<Path> photos) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap(contender),
                "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                ResizeBench.class.getName(),
                "--run",
                contender,
                out.toString(),
                Integer.toString(passes)));
        photos.forEach(p -> command.add(p.toString()));
        return parse(exec(new ProcessBuilder(command)));
    }

    /**
     * Peak RSS follows the heap cap, so each Java contender gets the smallest heap that runs this corpus
     * without slowing down: 128 MB holds a 12 MP photo decoded at 5/8 scale or a 12 MP screenshot
     * (4 bytes a pixel) with its variants; the pure-Java path decodes JPEGs at full size and needs 256 MB.
     */
    static String heap(String contender) {
        return contender.equals("pipeline-java") ? "256m" : "128m";
    }

    private static Measured sharp(Path node, String mode, Path out, int passes, List<Path> photos) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "node",
                Path.of("bench/peers/sharp-resize.js").toAbsolutePath().toString(),
                mode,
                out.toString(),
                Float.toString(QUALITY),
                Integer.toString(passes)));
        photos.forEach(p -> command.add(p.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("NODE_PATH", node.resolve("node_modules").toString());
        builder.environment().put("UV_THREADPOOL_SIZE", "1");
        return parse(exec(builder));
    }

    /**
     * The peer at the release the bench was last updated to (sharp's current release on that day: 0.35.5 on
     * 2026-12-03); an older install under the bench folder is replaced. The version run is printed.
     */
    static final String SHARP = "0.35.5";

    private static void ensureSharp(Path node) throws Exception {
        Path manifest = node.resolve("node_modules/sharp/package.json");
        if (Files.exists(manifest) && Files.readString(manifest).contains("\"version\": \"" + SHARP + "\"")) {
            return;
        }
        Files.createDirectories(node);
        System.out.println("installing sharp " + SHARP + " (npm) under " + node);
        exec(new ProcessBuilder(
                "npm", "install", "--no-audit", "--no-fund", "--prefix", node.toString(), "sharp@" + SHARP));
    }

    private static String sharpVersions(Path node) throws Exception {
        Matcher version = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"")
                .matcher(Files.readString(node.resolve("node_modules/sharp/package.json")));
        ProcessBuilder builder = new ProcessBuilder(
                "node",
                "-e",
                "console.log('libvips ' + require('sharp').versions.vips + ', node ' + process.versions.node)");
        builder.environment().put("NODE_PATH", node.resolve("node_modules").toString());
        return "sharp " + (version.find() ? version.group(1) : "?") + " ("
                + exec(builder).trim() + ")";
    }

    private static String exec(ProcessBuilder builder) throws Exception {
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException(
                    "failed: " + String.join(" ", builder.command()).substring(0, 120) + "\n" + output);
        }
        return output;
    }

    private static Measured parse(String output) {
        Matcher m = RESULT.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("no RESULT line in:\n" + output);
        }
        return new Measured(
                Integer.parseInt(m.group(1)) / Double.parseDouble(m.group(2)), Double.parseDouble(m.group(4)));
    }

    /** Child process: one warm-up pass (keeping the 320 px outputs), then {@code passes} measured passes. */
    private static void run(String contender, Path out, int passes, List<Path> photos) throws Exception {
        List<byte[]> originals = new ArrayList<>();
        for (Path photo : photos) {
            originals.add(Files.readAllBytes(photo));
        }
        Pipeline pipeline = switch (contender) {
            case "pipeline-native" ->
                new Pipeline(
                        TurboJpegCodec.load().orElseThrow(),
                        Optional.of(LibPngDecoder.load().orElseThrow()),
                        QUALITY,
                        50_000_000);
            case "pipeline-java" -> new Pipeline(new ImageIoJpegCodec(), Optional.empty(), QUALITY, 50_000_000);
            default -> null;
        };
        for (int i = 0; i < photos.size(); i++) {
            once(pipeline, photos.get(i), originals.get(i), out, true);
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long wall = System.nanoTime();
        int images = 0;
        for (int pass = 0; pass < passes; pass++) {
            for (int i = 0; i < photos.size(); i++) {
                once(pipeline, photos.get(i), originals.get(i), out, false);
                images++;
            }
        }
        double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
        double wallSeconds = (System.nanoTime() - wall) / 1e9;
        System.out.printf(
                java.util.Locale.ROOT,
                "RESULT images=%d cpu_s=%.3f wall_s=%.3f rss_mb=%.0f%n",
                images,
                cpuSeconds,
                wallSeconds,
                peakRssMb());
    }

    private static void once(Pipeline pipeline, Path photo, byte[] original, Path out, boolean keep) throws Exception {
        String base = photo.getFileName().toString();
        if (pipeline == null) {
            for (int size : Pipeline.photoSizes()) {
                Thumbnails.of(photo.toFile())
                        .size(size, size)
                        .outputQuality(QUALITY)
                        .toFile(out.resolve(base + "." + size + ".jpg").toFile());
            }
            return;
        }
        var renditions = pipeline.render(original, "photo");
        if (keep) {
            Files.write(out.resolve(base + ".320.jpg"), renditions.getLast().bytes());
        }
    }

    private static double peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return 0;
    }

    private static long memoryMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return 0;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** SSIM (8x8 windows on luma) of each of our 320 px outputs against sharp's: {min, mean}. */
    static double[] ssim(Path ours, Path theirs, List<Path> photos) throws IOException {
        double min = 1;
        double sum = 0;
        for (Path photo : photos) {
            String name = photo.getFileName() + ".320.jpg";
            BufferedImage a = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(ours.resolve(name))));
            BufferedImage b = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(theirs.resolve(name))));
            if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
                throw new IllegalStateException(
                        name + ": " + a.getWidth() + "x" + a.getHeight() + " vs " + b.getWidth() + "x" + b.getHeight());
            }
            double value = ssim(luma(a), luma(b), a.getWidth(), a.getHeight());
            min = Math.min(min, value);
            sum += value;
        }
        return new double[] {min, sum / photos.size()};
    }

    static double ssim(double[] x, double[] y, int width, int height) {
        double c1 = Math.pow(0.01 * 255, 2);
        double c2 = Math.pow(0.03 * 255, 2);
        double total = 0;
        int windows = 0;
        for (int wy = 0; wy + 8 <= height; wy += 4) {
            for (int wx = 0; wx + 8 <= width; wx += 4) {
                double mx = 0, my = 0;
                for (int j = 0; j < 8; j++) {
                    for (int i = 0; i < 8; i++) {
                        mx += x[(wy + j) * width + wx + i];
                        my += y[(wy + j) * width + wx + i];
                    }
                }
                mx /= 64;
                my /= 64;
                double vx = 0, vy = 0, cov = 0;
                for (int j = 0; j < 8; j++) {
                    for (int i = 0; i < 8; i++) {
                        double dx = x[(wy + j) * width + wx + i] - mx;
                        double dy = y[(wy + j) * width + wx + i] - my;
                        vx += dx * dx;
                        vy += dy * dy;
                        cov += dx * dy;
                    }
                }
                vx /= 63;
                vy /= 63;
                cov /= 63;
                total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                windows++;
            }
        }
        return total / windows;
    }

    private static double[] luma(BufferedImage image) {
        double[] luma = new double[image.getWidth() * image.getHeight()];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                luma[y * image.getWidth() + x] =
                        0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF);
            }
        }
        return luma;
    }
}
