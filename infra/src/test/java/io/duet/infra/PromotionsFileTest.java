package io.duet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.capacity.CapacityInputs;
import io.duet.capacity.CapacityModel;
import io.duet.capacity.InvalidPromotionException;
import io.duet.infra.promotions.PromotionsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A promotions file that cannot be deployed fails synthesis, and the message names the line. */
class PromotionsFileTest {
    private static final Set<String> REGIONS = Set.of("eu-west-1", "us-east-1");
    private static final String HEADER = "# name, region, start, end, signups_per_minute\n\n";

    @TempDir
    Path dir;

    @Test
    void givenAnEndBeforeTheStart_whenRead_thenTheMessageNamesTheLine() throws IOException {
        var file = write(HEADER + "launch, eu-west-1, 2027-03-02T10:00Z, 2027-03-01T10:00Z, 100\n");

        var error = assertThrows(InvalidPromotionException.class, () -> PromotionsFile.read(file, REGIONS));

        assertTrue(
                error.getMessage().startsWith("promotions.csv line 3: end 2027-03-01T10:00:00Z is not after start"),
                error.getMessage());
    }

    @Test
    void givenAnUnknownRegion_whenRead_thenTheMessageNamesTheLineAndTheRegion() throws IOException {
        var file = write(
                HEADER
                        + "ok, us-east-1, 2027-03-01T10:00Z, 2027-03-02T10:00Z, 100\nlaunch, eu-west-9, 2027-03-01T10:00Z, 2027-03-02T10:00Z, 100\n");

        var error = assertThrows(InvalidPromotionException.class, () -> PromotionsFile.read(file, REGIONS));

        assertTrue(
                error.getMessage().startsWith("promotions.csv line 4: unknown region 'eu-west-9'"), error.getMessage());
    }

    @Test
    void givenTwoPromotionsOverlappingInOneRegion_whenRead_thenTheLaterLineIsNamedWithTheOther() throws IOException {
        var file = write(
                HEADER
                        + "a, eu-west-1, 2027-03-01T10:00Z, 2027-03-03T10:00Z, 100\nb, eu-west-1, 2027-03-02T10:00Z, 2027-03-04T10:00Z, 100\n");

        var error = assertThrows(InvalidPromotionException.class, () -> PromotionsFile.read(file, REGIONS));

        assertEquals(
                "promotions.csv line 4: 'b' overlaps 'a' (line 3) in eu-west-1; merge them into one line with the combined rate",
                error.getMessage());
    }

    @Test
    void givenMalformedFields_whenRead_thenEachIsNamed() throws IOException {
        for (var bad : List.of(
                "launch, eu-west-1, 2027-03-01T10:00Z, 2027-03-02T10:00Z",
                "launch, eu-west-1, yesterday, 2027-03-02T10:00Z, 100",
                "launch, eu-west-1, 2027-03-01T10:00Z, 2027-03-02T10:00Z, many",
                "launch, eu-west-1, 2027-03-01T10:00Z, 2027-03-02T10:00Z, 0",
                "Launch Day, eu-west-1, 2027-03-01T10:00Z, 2027-03-02T10:00Z, 10")) {
            var file = write(HEADER + bad + "\n");

            var error = assertThrows(InvalidPromotionException.class, () -> PromotionsFile.read(file, REGIONS), bad);

            assertTrue(error.getMessage().startsWith("promotions.csv line 3: "), error.getMessage());
        }
    }

    @Test
    void givenARateBeyondTheSesLimit_whenPlanned_thenSynthesisFailsNamingTheLineAndTheLimit() throws IOException {
        var model = new CapacityModel(CapacityInputs.read(
                Fixture.INFRA.resolve("../capacity/src/main/resources/io/duet/capacity/capacity-inputs.json")));
        // 200 emails/s is the documented SES rate; 15,000 signups/min is 250 verification emails/s.
        var promotions = PromotionsFile.read(
                write(HEADER + "big, us-east-1, 2027-03-01T10:00Z, 2027-03-02T10:00Z, 15000\n"), REGIONS);

        var error = assertThrows(InvalidPromotionException.class, () -> model.plan(promotions, Instant.EPOCH));

        assertTrue(
                error.getMessage()
                        .startsWith("promotions line 3 ('big', 15000 signups/min): sends 250 verification emails/s, "
                                + "beyond the account's SES rate of 200/s"),
                error.getMessage());
    }

    @Test
    void givenARateBeyondTheLambdaConcurrencyLimit_whenPlanned_thenSynthesisFailsNamingTheLine() throws IOException {
        var inputs = Files.readString(
                        Fixture.INFRA.resolve("../capacity/src/main/resources/io/duet/capacity/capacity-inputs.json"))
                .replace("\"sesSendRatePerSecond\": 200", "\"sesSendRatePerSecond\": 100000");
        var model =
                new CapacityModel(CapacityInputs.read(Files.writeString(dir.resolve("capacity-inputs.json"), inputs)));
        // 300,000 signups/min = 5,000/s x 95 ms x 2 = 950 instances, beyond 1,000 - 100 unreserved.
        var promotions = PromotionsFile.read(
                write(HEADER + "huge, eu-west-1, 2027-03-01T10:00Z, 2027-03-02T10:00Z, 300000\n"), REGIONS);

        var error = assertThrows(InvalidPromotionException.class, () -> model.plan(promotions, Instant.EPOCH));

        assertTrue(
                error.getMessage()
                        .startsWith(
                                "promotions line 3 ('huge', 300000 signups/min): needs 950 provisioned signup instances, "
                                        + "beyond the 900 this account's Lambda concurrency allows"),
                error.getMessage());
    }

    @Test
    void givenTheCheckedInPromotionsFile_whenRead_thenItIsValidForTheDeploymentsRegions() {
        var config = Fixture.STACKS.config();
        var model = new CapacityModel(CapacityInputs.read(config.capacityInputsFile()));

        var promotions = PromotionsFile.read(
                Fixture.INFRA.resolve("promotions.csv"), config.regions().keySet());

        assertTrue(!promotions.isEmpty());
        assertEquals(promotions.size(), model.plan(promotions, Instant.EPOCH).size());
    }

    private Path write(String content) throws IOException {
        return Files.writeString(dir.resolve("promotions.csv"), content);
    }
}
