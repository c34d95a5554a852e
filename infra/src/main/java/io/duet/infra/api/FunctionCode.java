package io.duet.infra.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import software.amazon.awscdk.services.lambda.Code;

/**
 * The functions module's packages ({@code functions/target/duet-functions-VERSION-KIND.zip}, docs/deployables.md),
 * or the checked-in placeholder when they have not been built: synthesis and the tests never need a build of
 * the functions. A deploy must not use the placeholder; {@link #isPlaceholder} lets the app say so.
 */
public record FunctionCode(Path functionsDir, Path placeholder) {

    public Path zip(String kind) {
        if (Files.isDirectory(functionsDir)) {
            try (Stream<Path> files = Files.list(functionsDir)) {
                var found = files.filter(
                                f -> f.getFileName().toString().matches("duet-functions-.*-" + kind + "\\.zip"))
                        .sorted()
                        .toList();
                if (!found.isEmpty()) {
                    return found.getLast();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return placeholder;
    }

    public Code code(String kind) {
        return Code.fromAsset(zip(kind).toString());
    }

    public boolean isPlaceholder(String kind) {
        return zip(kind).equals(placeholder);
    }
}
