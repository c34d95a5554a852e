package io.duet.functions.lambda;

import io.duet.api.testing.RedisAdmin;
import io.duet.api.testing.TestRedis;
import java.io.IOException;
import java.net.URI;

/** Looks at the connections Redis itself sees (CLIENT LIST / CLIENT KILL), by client name on the test database. */
final class RedisClients {
    private RedisClients() {}

    /** Connections named {@code name} on the test database. */
    static long count(String name) throws IOException {
        String list = RedisAdmin.command("CLIENT", "LIST");
        int db = database();
        return list.lines()
                .filter(line -> line.contains(" name=" + name + " ") && line.contains(" db=" + db + " "))
                .count();
    }

    /** Kills every connection named {@code name} on the test database; returns how many. */
    static int kill(String name) throws IOException {
        int db = database();
        int killed = 0;
        for (String line : RedisAdmin.command("CLIENT", "LIST").lines().toList()) {
            if (line.contains(" name=" + name + " ") && line.contains(" db=" + db + " ")) {
                String id = line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id=")));
                RedisAdmin.command("CLIENT", "KILL", "ID", id);
                killed++;
            }
        }
        return killed;
    }

    private static int database() {
        String path = URI.create(TestRedis.uri()).getPath();
        return path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
    }
}
