package io.duet.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.util.List;

/**
 * Idle WebSocket clients in a process of their own, for the benchmark's three-node run: {@code PORT FROM_ADDRESS
 * COUNT}. First warms the node up (half as many connections from other loopback addresses, opened and dropped)
 * and prints {@code WARM}; on the line {@code more} opens its COUNT connections from FROM_ADDRESS and prints
 * {@code OPEN n}; then holds them (the JDK client answers the node's pings) until its standard input closes.
 */
public final class IdleClients {
    private IdleClients() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        InetAddress from = InetAddress.getByName(args[1]);
        int count = Integer.parseInt(args[2]);
        RealtimeBench.connectAll(port, count / 2, null, null).forEach(RealtimeBench.Client::close);
        System.out.println("WARM");
        System.out.flush();
        List<RealtimeBench.Client> clients = List.of();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("more") && clients.isEmpty()) {
                    clients = RealtimeBench.connectAll(port, count, null, from);
                    System.out.println("OPEN "
                            + clients.stream()
                                    .filter(client -> client.open.get())
                                    .count());
                    System.out.flush();
                }
            }
        }
        System.exit(0);
    }
}
