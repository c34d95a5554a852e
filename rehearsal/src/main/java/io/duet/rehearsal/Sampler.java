package io.duet.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Once a second: the backlog (outbox rows, each queue's waiting + pending + retrying, dead letters), Redis
 * memory, and the CPU seconds of each role's processes (a killed process's CPU is kept: its last reading
 * is added to the role's total), for the report's backlog and the capacity plan's unit costs.
 */
final class Sampler {
    record Sample(
            long at,
            long outbox,
            long emailBacklog,
            long mediaBacklog,
            long dead,
            long redisBytes,
            Map<String, Double> cpu,
            boolean queuesKnown,
            long streamBytes,
            long streamEntries) {
        long backlog() {
            return Math.max(0, outbox) + emailBacklog + mediaBacklog;
        }
    }

    private final Stack stack;
    private final HttpClient http;
    private final RealtimeProbe probe;
    final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Map<Long, Double> lastCpu = new HashMap<>();
    private final Map<Long, String> roleOf = new HashMap<>();
    private volatile boolean running = true;
    private Thread thread;

    Sampler(Stack stack, HttpClient http, RealtimeProbe probe) {
        this.stack = stack;
        this.http = http;
        this.probe = probe;
    }

    void start() {
        thread = Thread.ofVirtual().name("sampler").start(() -> {
            while (running) {
                try {
                    samples.add(sample());
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // one sample missed
                }
            }
        });
    }

    void stop() {
        running = false;
        thread.interrupt();
    }

    private synchronized Sample sample() {
        long outbox = Rehearse.scalar(stack.jdbcUrl(), "SELECT count(*) FROM outbox_job");
        JsonNode queues = Rehearse.queues(http, stack);
        long email = 0;
        long media = 0;
        long dead = 0;
        if (queues != null) {
            for (JsonNode q : queues) {
                long backlog = q.path("waiting").asLong()
                        + q.path("pending").asLong()
                        + q.path("retrying").asLong();
                dead += q.path("dead").asLong();
                if (q.path("name").asText().equals("email")) {
                    email = backlog;
                } else if (q.path("name").asText().equals("media")) {
                    media = backlog;
                }
            }
        }
        for (Stack.Node node : stack.nodes.values()) {
            if (node.alive()) {
                double cpu = Stack.cpuSeconds(node.pid());
                if (cpu >= 0) {
                    lastCpu.put(node.pid(), cpu);
                    roleOf.put(node.pid(), node.role.name());
                }
            }
        }
        double pg = stack.postgresPids().stream()
                .mapToDouble(Stack::cpuSeconds)
                .filter(c -> c >= 0)
                .sum();
        Map<String, Double> cpu = new HashMap<>();
        lastCpu.forEach((pid, seconds) -> cpu.merge(roleOf.get(pid), seconds, Double::sum));
        cpu.put("POSTGRES", pg);
        long[] stream = stack.keyUsage("duet:q:email");
        return new Sample(
                System.currentTimeMillis(),
                outbox,
                email,
                media,
                dead,
                stack.redisUsedMemory(),
                cpu,
                queues != null,
                stream[0],
                stream[1]);
    }

    volatile boolean clientsHeld;

    /**
     * Waits until the outbox and every queue are empty, the mail stopped arriving and every sent probe
     * message arrived; once the backlog is empty, clients get 15 s more (what has not arrived by then is
     * the checker's to judge). Returns the wait in ms, or -1 when the backlog did not drain within the cap.
     */
    long awaitDrained(int capSeconds, MailSink mail) throws InterruptedException {
        long start = System.currentTimeMillis();
        long deadline = start + capSeconds * 1000L;
        int lastMail = -1;
        int stable = 0;
        long emptySince = -1;
        while (System.currentTimeMillis() < deadline) {
            Sample s = samples.isEmpty() ? null : samples.getLast();
            int mails = mail.messages().size();
            stable = mails == lastMail ? stable + 1 : 0;
            lastMail = mails;
            boolean clientsHold = probe.sentAt.keySet().stream().allMatch(probe.deliveries::containsKey);
            boolean empty = s != null && s.queuesKnown() && s.at() > start && s.backlog() == 0 && stable >= 3;
            if (empty && emptySince < 0) {
                emptySince = System.currentTimeMillis();
            } else if (!empty) {
                emptySince = -1;
            }
            if (empty && (clientsHold || System.currentTimeMillis() - emptySince > 15_000)) {
                clientsHeld = clientsHold;
                return emptySince - start;
            }
            Thread.sleep(1000);
        }
        return -1;
    }
}
