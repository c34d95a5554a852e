package io.duet.api.redis;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.Supplier;
import org.redisson.api.RedissonClient;

/**
 * The process's Redisson client behind a facade that stays the same while the client behind it is
 * replaced. Beans hold the facade (the {@code RedissonClient} bean); {@link #disconnect()} shuts the
 * current client down, closing its sockets, and the next call builds a new one. A Lambda SnapStart hook
 * needs that (a snapshot must not capture open sockets), and so does a function thawed with a dead
 * socket. Objects a client hands out ({@code RStream}, {@code RMap}) belong to that client: callers ask
 * for them per operation, as every Duet feature does, and never keep them in fields.
 */
public final class ReconnectableRedis {
    private final Supplier<RedissonClient> factory;
    private final RedissonClient facade;
    private volatile RedissonClient current;

    ReconnectableRedis(Supplier<RedissonClient> factory) {
        this.factory = factory;
        InvocationHandler forward = (proxy, method, args) -> {
            switch (method.getName()) {
                case "shutdown" -> {
                    disconnect();
                    return null;
                }
                case "equals" -> {
                    return args != null && args.length == 1 && proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "toString" -> {
                    return "ReconnectableRedis";
                }
                default -> {
                    try {
                        return method.invoke(current(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }
            }
        };
        this.facade = (RedissonClient) Proxy.newProxyInstance(
                RedissonClient.class.getClassLoader(), new Class<?>[] {RedissonClient.class}, forward);
    }

    /** The client every bean uses. */
    RedissonClient facade() {
        return facade;
    }

    /** Shuts the current client down (closing its connections); the next call through the facade builds a new one. */
    public synchronized void disconnect() {
        RedissonClient open = current;
        current = null;
        if (open != null) {
            open.shutdown();
        }
    }

    /** Replaces the client with a new one and connects it now. */
    public void reconnect() {
        disconnect();
        current();
    }

    private RedissonClient current() {
        RedissonClient client = current;
        if (client == null) {
            synchronized (this) {
                client = current;
                if (client == null) {
                    client = factory.get();
                    current = client;
                }
            }
        }
        return client;
    }
}
