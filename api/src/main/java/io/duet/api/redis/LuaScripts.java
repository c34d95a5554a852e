package io.duet.api.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The Lua scripts Duet runs in Redis, kept as resources beside the class that runs them:
 * {@code load(Presence.class, "presence-join")} reads {@code io/duet/realtime/session/presence-join.lua}.
 * Classes load their scripts into constants, so a missing script fails the node at startup, not a request.
 */
public final class LuaScripts {
    private LuaScripts() {}

    public static String load(Class<?> owner, String name) {
        String resource = name + ".lua";
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "Lua script " + owner.getPackageName().replace('.', '/') + "/" + resource
                                + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
