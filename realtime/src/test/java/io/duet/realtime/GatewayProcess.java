package io.duet.realtime;

import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;

/** A gateway node in its own JVM, for the test that kills one abruptly (SIGKILL: no drain, no cleanup). */
public final class GatewayProcess {
    private GatewayProcess() {}

    public static void main(String[] args) throws Exception {
        EmbeddedServer server = Gateways.start(args[0], Map.of("duet.queues.workers-enabled", false));
        System.out.println("PORT " + server.getPort());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
