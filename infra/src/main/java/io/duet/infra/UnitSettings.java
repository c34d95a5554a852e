package io.duet.infra;

import io.duet.infra.data.DataStack;
import io.duet.infra.media.MediaStack;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.constructs.Construct;

/**
 * The settings every Duet unit of a region gets in its environment, by the names DESIGN.md and the README
 * fix. Secrets are not here: each unit takes them from Secrets Manager its own way.
 */
public final class UnitSettings {
    private UnitSettings() {}

    /**
     * {@code DUET_REDIS_REGIONS_<REGION>} of every other region: the replica here of that region's Redis URI secret,
     * so that a call served here sends the events of a couple homed there to its Redis (the application's
     * RegionalRedis). The replicas exist once every region's data stack is deployed, which the deploy order puts
     * before any unit (infra/README.md, "Deploy order").
     */
    public static Map<String, ISecret> otherRegionsRedis(Construct scope, DeploymentConfig config, String region) {
        var secrets = new LinkedHashMap<String, ISecret>();
        for (String other : config.regionsInDeployOrder()) {
            if (!other.equals(region)) {
                secrets.put(
                        "DUET_REDIS_REGIONS_" + other.toUpperCase(Locale.ROOT).replace('-', '_'),
                        Secret.fromSecretNameV2(scope, "RedisOf-" + other, DataStack.redisUriName(config, other)));
            }
        }
        return secrets;
    }

    public static Map<String, String> common(DeploymentConfig config, String region, DataStack data) {
        var hosts = new Hostnames(config.zoneName());
        var env = new LinkedHashMap<String, String>();
        // Every region writes to the one Aurora writer: through its own proxy in the primary region, through
        // the primary's proxy over the peered VPCs elsewhere (infra/README.md, "Cross-region writes and events").
        String writer = config.isPrimary(region) ? data.proxy().getEndpoint() : config.writerEndpoint();
        env.put(
                "DATASOURCES_DEFAULT_URL",
                "jdbc:postgresql://" + writer + ":5432/" + DataStack.DATABASE + "?sslmode=require");
        env.put("DUET_COUPLES_REGION", region);
        for (String r : config.regionsInDeployOrder()) {
            env.put("DUET_COUPLES_GATEWAY_URLS_" + r.toUpperCase(Locale.ROOT).replace('-', '_'), hosts.gatewayUrl(r));
        }
        env.put("DUET_ACCOUNTS_PUBLIC_BASE_URL", "https://" + hosts.api());
        env.put("DUET_MEDIA_STORE", "s3");
        env.put("DUET_MEDIA_S3_BUCKET", MediaStack.bucketName(config, region));
        env.put("DUET_MEDIA_S3_REGION", region);
        env.put("DUET_LOG_FORMAT", "json");
        return env;
    }
}
