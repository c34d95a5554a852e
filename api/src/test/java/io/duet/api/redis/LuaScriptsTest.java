package io.duet.api.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.TestRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.config.Config;

class LuaScriptsTest {

    @Test
    void givenEveryScriptOfTheApi_whenLoadedIntoRedis_thenEachCompiles() throws Exception {
        List<Path> scripts;
        try (var files = Files.walk(Path.of("target/classes/io/duet"))) {
            scripts = files.filter(file -> file.toString().endsWith(".lua"))
                    .sorted()
                    .toList();
        }
        assertTrue(scripts.size() >= 13, "the API's scripts were not found: " + scripts);
        Config config = new Config();
        config.useSingleServer().setAddress(TestRedis.uri());
        RedissonClient redis = Redisson.create(config);
        try {
            for (Path script : scripts) {
                String sha = redis.getScript().scriptLoad(Files.readString(script));
                assertEquals(40, sha.length(), script.toString());
            }
            // The check can fail: Redis refuses a script that does not compile.
            assertThrows(RedisException.class, () -> redis.getScript().scriptLoad("return {"));
        } finally {
            redis.shutdown();
        }
    }

    @Test
    void givenAMissingScript_whenLoaded_thenTheErrorNamesItsPath() {
        IllegalStateException missing =
                assertThrows(IllegalStateException.class, () -> LuaScripts.load(LuaScripts.class, "no-such-script"));
        assertEquals(
                "Lua script io/duet/api/redis/no-such-script.lua is missing from the class path", missing.getMessage());
    }
}
