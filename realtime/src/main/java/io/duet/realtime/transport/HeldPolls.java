package io.duet.realtime.transport;

import io.duet.realtime.RealtimeConfig;
import io.duet.realtime.protocol.RealtimeProblems;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Caps on the long-polls this node holds at once, so that one client cannot tie up the node's held
 * requests (each is a socket and a registration): one per session (a newer poll of a session answers the
 * older one at once, as a client that lost its connection would want), {@link RealtimeConfig#maxHeldPollsPerUser()}
 * per user and {@link RealtimeConfig#maxHeldPollsPerAddress()} per client address.
 */
final class HeldPolls {
    private final RealtimeConfig config;
    private final Map<String, PollAnswer> bySession = new HashMap<>();
    private final Map<UUID, Integer> byUser = new HashMap<>();
    private final Map<String, Integer> byAddress = new HashMap<>();

    HeldPolls(RealtimeConfig config) {
        this.config = config;
    }

    /** Admits a poll to be held, or throws {@link RealtimeProblems.TooManyPollsException}. */
    void admit(String sid, UUID user, String address, PollAnswer waiter) {
        PollAnswer older;
        synchronized (this) {
            older = bySession.get(sid);
            int users = byUser.getOrDefault(user, 0) - (older != null ? 1 : 0);
            int addresses = byAddress.getOrDefault(address, 0) - (older != null ? 1 : 0);
            if (users >= config.maxHeldPollsPerUser() || addresses >= config.maxHeldPollsPerAddress()) {
                throw new RealtimeProblems.TooManyPollsException();
            }
            bySession.put(sid, waiter);
            byUser.merge(user, 1, Integer::sum);
            byAddress.merge(address, 1, Integer::sum);
        }
        if (older != null) {
            older.finish();
        }
    }

    /** The poll admitted with these values answered or went away. */
    synchronized void release(String sid, UUID user, String address, PollAnswer waiter) {
        bySession.remove(sid, waiter);
        byUser.computeIfPresent(user, (key, count) -> count > 1 ? count - 1 : null);
        byAddress.computeIfPresent(address, (key, count) -> count > 1 ? count - 1 : null);
    }
}
