package io.duet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;

/**
 * The primary region's stacks and the edge stack against their reviewed snapshots in
 * {@code src/test/resources/snapshots}, with asset hashes scrubbed (they change with every build of the
 * functions). A change to a template shows up here as a diff to review; after reviewing it, rewrite the
 * snapshots with {@code mvn -pl infra verify -Dsnapshots.update=true} and commit them with the change.
 */
class SnapshotTest {
    private static final Path SNAPSHOTS = Fixture.INFRA.resolve("src/test/resources/snapshots");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    @Test
    void givenThePrimaryRegionAndTheEdge_whenSynthesized_thenTheTemplatesEqualTheirSnapshots() throws IOException {
        var primary = Fixture.primary();
        var stacks = List.<Stack>of(
                primary.foundation(),
                primary.data(),
                primary.media(),
                primary.api(),
                primary.services(),
                Fixture.STACKS.edge());
        boolean update = Boolean.getBoolean("snapshots.update");
        var differing = new ArrayList<String>();

        for (Stack stack : stacks) {
            String actual = scrub(JSON.writeValueAsString(Fixture.templateJson(stack)));
            Path file = SNAPSHOTS.resolve(stack.getStackName() + ".json");
            if (update) {
                Files.createDirectories(SNAPSHOTS);
                Files.writeString(file, actual);
            } else if (!Files.exists(file) || !Files.readString(file).equals(actual)) {
                differing.add(stack.getStackName());
                Path written = Fixture.INFRA.resolve("target/snapshots/" + file.getFileName());
                Files.createDirectories(written.getParent());
                Files.writeString(written, actual);
            }
        }

        assertTrue(
                differing.isEmpty(),
                "templates differ from their snapshots: " + differing
                        + "; compare with target/snapshots, review the change, then run mvn -pl infra verify -Dsnapshots.update=true");
    }

    @Test
    void givenAnAssetHash_whenScrubbed_thenOnlyTheHashIsReplaced() {
        String hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        assertEquals(
                "{\"S3Key\": \"<asset-hash>.zip\", \"Handler\": \"x\"}",
                scrub("{\"S3Key\": \"" + hash + ".zip\", \"Handler\": \"x\"}"));
    }

    static String scrub(String template) {
        return template.replaceAll("[0-9a-f]{64}", "<asset-hash>");
    }
}
