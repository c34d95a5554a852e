package io.duet.capacity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The capacity model's inputs, read from {@code capacity-inputs.json} (the file documents each value's source).
 *
 * @param cpuMsPerSignup CPU milliseconds one signup takes in the signup function (argon2id dominates)
 * @param ioMsPerSignup milliseconds a signup waits on PostgreSQL
 * @param functionMemoryMb the signup function's memory; Lambda gives one full vCPU at 1,769 MB
 * @param headroom factor over the average concurrency, for bursts inside a minute
 * @param baselineProvisionedConcurrency the signup alias's provisioned concurrency outside promotions
 * @param emailsPerSignup verification emails one signup sends
 * @param emailsPerSecondPerWorker what one worker task sends, measured
 * @param emailTargetUtilization share of that measured rate planned for
 * @param memoryKbPerConnection RSS per idle WebSocket on a gateway node, measured
 * @param gatewayTaskMemoryMb a gateway task's memory
 * @param connectionMemoryShare share of that memory planned for connections (the rest: heap headroom, buffers, JIT)
 * @param minutesConnectedPerNewUser how long a new user stays connected (Little's law: connections = rate x time)
 * @param baselineConnections connections a region holds outside promotions
 * @param baselineWorkers worker tasks outside promotions (two: one per availability zone)
 * @param maxWorkers the worker service's scaling ceiling
 * @param baselineGateways gateway tasks outside promotions
 * @param maxGateways the gateway service's scaling ceiling
 * @param leadMinutes how long before a promotion's start the capacity is raised
 * @param tailMinutes how long after its end the capacity goes back
 * @param lambdaConcurrencyPerRegion the account's concurrent-execution quota per region
 * @param lambdaUnreservedMinimum what Lambda requires to stay unreserved
 * @param apiReservedConcurrency concurrency reserved for the API function (0: it draws from the pool)
 * @param sesSendRatePerSecond the account's SES sending rate per region
 */
public record CapacityInputs(
        double cpuMsPerSignup,
        double ioMsPerSignup,
        int functionMemoryMb,
        double headroom,
        int baselineProvisionedConcurrency,
        double emailsPerSignup,
        double emailsPerSecondPerWorker,
        double emailTargetUtilization,
        double memoryKbPerConnection,
        int gatewayTaskMemoryMb,
        double connectionMemoryShare,
        double minutesConnectedPerNewUser,
        int baselineConnections,
        int baselineWorkers,
        int maxWorkers,
        int baselineGateways,
        int maxGateways,
        int leadMinutes,
        int tailMinutes,
        int lambdaConcurrencyPerRegion,
        int lambdaUnreservedMinimum,
        int apiReservedConcurrency,
        double sesSendRatePerSecond) {

    /** The classpath resource this module carries, the one copy the CDK app (by path) and the ops page read. */
    static final String RESOURCE = "capacity-inputs.json";

    /** The inputs kept in this module ({@code io/duet/capacity/capacity-inputs.json}). */
    public static CapacityInputs standard() {
        try (InputStream json = CapacityInputs.class.getResourceAsStream(RESOURCE)) {
            if (json == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return parse(new ObjectMapper().readTree(json), Path.of(RESOURCE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the capacity inputs " + RESOURCE, e);
        }
    }

    public static CapacityInputs read(Path file) {
        try {
            return parse(new ObjectMapper().readTree(file.toFile()), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the capacity inputs " + file, e);
        }
    }

    private static CapacityInputs parse(JsonNode root, Path file) {
        JsonNode signup = section(root, "signup", file);
        JsonNode email = section(root, "email", file);
        JsonNode gateway = section(root, "gateway", file);
        JsonNode services = section(root, "services", file);
        JsonNode schedule = section(root, "schedule", file);
        JsonNode limits = section(root, "limits", file);
        return new CapacityInputs(
                positive(signup, "cpuMsPerSignup", file),
                positive(signup, "ioMsPerSignup", file),
                (int) positive(signup, "functionMemoryMb", file),
                positive(signup, "headroom", file),
                (int) positive(signup, "baselineProvisionedConcurrency", file),
                positive(signup, "emailsPerSignup", file),
                positive(email, "emailsPerSecondPerWorker", file),
                positive(email, "targetUtilization", file),
                positive(gateway, "memoryKbPerConnection", file),
                (int) positive(gateway, "taskMemoryMb", file),
                positive(gateway, "connectionMemoryShare", file),
                positive(gateway, "minutesConnectedPerNewUser", file),
                (int) positive(gateway, "baselineConnections", file),
                (int) positive(services, "baselineWorkers", file),
                (int) positive(services, "maxWorkers", file),
                (int) positive(services, "baselineGateways", file),
                (int) positive(services, "maxGateways", file),
                (int) positive(schedule, "leadMinutes", file),
                (int) positive(schedule, "tailMinutes", file),
                (int) positive(limits, "lambdaConcurrencyPerRegion", file),
                (int) positive(limits, "lambdaUnreservedMinimum", file),
                (int) number(limits, "apiReservedConcurrency", file),
                positive(limits, "sesSendRatePerSecond", file));
    }

    private static JsonNode section(JsonNode root, String name, Path file) {
        JsonNode node = root.get(name);
        if (node == null || !node.isObject()) {
            throw new InvalidPromotionException(file.getFileName() + ": section '" + name + "' is missing");
        }
        return node;
    }

    private static double number(JsonNode section, String name, Path file) {
        JsonNode node = section.get(name);
        if (node == null || !node.isNumber()) {
            throw new InvalidPromotionException(file.getFileName() + ": '" + name + "' must be a number");
        }
        return node.asDouble();
    }

    private static double positive(JsonNode section, String name, Path file) {
        double value = number(section, name, file);
        if (value <= 0) {
            throw new InvalidPromotionException(file.getFileName() + ": '" + name + "' must be positive, was " + value);
        }
        return value;
    }
}
