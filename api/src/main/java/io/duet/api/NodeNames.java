package io.duet.api;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.UUID;

/** Names of this process among its peers, as Redis sees them (queue consumers, the fleet's lines). */
public final class NodeNames {
    private NodeNames() {}

    /** {@code host-pid-random}: readable in Redis, and new for every start even on a reused host and pid. */
    public static String fresh() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "node";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }
}
