package io.duet.infra;

/**
 * Duet's public hostnames. The latency-routed names ({@code api.ZONE}, {@code rt.ZONE}) lead a client to the
 * nearest healthy region; the regional names ({@code api.REGION.ZONE}, {@code rt.REGION.ZONE}) reach one
 * region on purpose: a couple's home gateway, a health check, a failover drill.
 */
public record Hostnames(String zoneName) {
    public String api() {
        return "api." + zoneName;
    }

    public String api(String region) {
        return "api." + region + "." + zoneName;
    }

    public String realtime() {
        return "rt." + zoneName;
    }

    public String realtime(String region) {
        return "rt." + region + "." + zoneName;
    }

    public String media(String region) {
        return "media." + region + "." + zoneName;
    }

    /** What {@code DUET_COUPLES_GATEWAY_URLS_<REGION>} hands clients: the home region's gateway. */
    public String gatewayUrl(String region) {
        return "wss://" + realtime(region) + "/v1/realtime";
    }
}
