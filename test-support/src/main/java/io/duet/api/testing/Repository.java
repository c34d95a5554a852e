package io.duet.api.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout the tests run in: the folder of the {@code duet} script, found upwards from the working directory. */
public final class Repository {
    private Repository() {}

    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("duet"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("not inside the Duet repository");
        }
        return dir;
    }
}
