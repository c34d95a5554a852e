package io.duet.realtime;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.util.List;

/**
 * Idle WebSocket clients in a process of their own, for the benchmark's three-node run: {@code PORT FROM_ADDRESS
 * COUNT}. Prints {@code OPEN n} once every connect has ended one way or the other, then holds the connections
 * (the JDK client answers the node's pings) until its standard input closes.
 */
public final class IdleClients {
    private IdleClients() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        InetAddress from = InetAddress.getByName(args[1]);
        int count = Integer.parseInt(args[2]);
        List<RealtimeBench.Client> clients = RealtimeBench.connectAll(port, count, null, from);
        System.out.println("OPEN " + clients.stream().filter(client -> client.open.get()).count());
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in))) {
            while (in.readLine() != null) {
                // nothing to do: the bench ends this process
            }
        }
        System.exit(0);
    }
}
