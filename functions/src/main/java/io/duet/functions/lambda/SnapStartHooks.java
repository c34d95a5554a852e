package io.duet.functions.lambda;

import io.duet.api.snapshot.SnapshotRandom;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lambda SnapStart (and any CRaC runtime) calls these around a snapshot through {@code org.crac}; on a JVM
 * without CRaC they are never called. Before the snapshot: no open sockets may be captured, because one
 * snapshot is restored into many environments. After the restore: connections are reopened before the
 * first request, and the secure random generators get fresh entropy so that no two restored copies hand
 * out the same codes, tokens or ids.
 */
@Context
@Requires(env = "lambda")
class SnapStartHooks implements Resource {
    private static final Logger LOG = LoggerFactory.getLogger(SnapStartHooks.class);
    private final Connections connections;

    SnapStartHooks(Connections connections) {
        this.connections = connections;
        // The global context may hold resources weakly; this bean lives as long as the application context.
        Core.getGlobalContext().register(this);
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        connections.close();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        int reseeded = SnapshotRandom.reseedAll();
        LOG.atInfo().addKeyValue("generators", reseeded).log("secure random generators reseeded after the restore");
        connections.reopen();
    }
}
