package io.duet.rehearsal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The fault schedule: each fault at a fraction of the load's duration, injected by PID (SIGKILL) or by
 * the service's own control (pg_ctl, the SMTP gate), and restored by itself. Each leaves a window
 * (injected, restored) that the report uses to tell fault windows from steady ones and to measure the
 * time to recover.
 */
final class Faults {
    static final List<String> ALL = List.of("worker", "smtp", "redis-kill", "redis-loss", "gateway", "postgres", "api");

    /** One injected fault: when it hit and when the service was given back (for-good faults: injected). */
    record Window(String name, String what, long injectedAt, long restoredAt) {}

    interface Ops {
        void call(String method, String path, String body);
    }

    private final Stack stack;
    private final MailSink mail;
    private final Ops ops;
    private final double scale;
    final List<Window> windows = new CopyOnWriteArrayList<>();
    final List<String> notes = new CopyOnWriteArrayList<>();

    /** @param scale seconds of outage per nominal second (1 for the full run, less for the short ones) */
    Faults(Stack stack, MailSink mail, Ops ops, double scale) {
        this.stack = stack;
        this.mail = mail;
        this.ops = ops;
        this.scale = scale;
    }

    /** Where in the load (0..1) each fault starts: spread over the spike and the calm after it. */
    static double at(String fault) {
        return switch (fault) {
            case "worker" -> 0.24;
            case "smtp" -> 0.32;
            case "redis-kill" -> 0.44;
            case "redis-loss" -> 0.53;
            case "gateway" -> 0.62;
            case "postgres" -> 0.70;
            case "api" -> 0.78;
            default ->
                throw new IllegalArgumentException(
                        "unknown fault '" + fault + "' (known: " + String.join(",", ALL) + ")");
        };
    }

    private long seconds(double nominal) {
        return Math.max(2000, Math.round(nominal * scale * 1000));
    }

    void inject(String fault) throws Exception {
        long start = System.currentTimeMillis();
        switch (fault) {
            case "worker" -> {
                Stack.Node worker = stack.nodes.get("worker-1");
                String pid = Long.toString(worker.pid());
                worker.kill();
                Thread.sleep(seconds(5));
                worker.start();
                worker.awaitReady(java.time.Duration.ofSeconds(90));
                windows.add(new Window(
                        fault, "SIGKILL worker-1 (pid " + pid + "), restarted", start, System.currentTimeMillis()));
            }
            case "smtp" -> {
                mail.mode(MailSink.Mode.REFUSE);
                Thread.sleep(seconds(15));
                mail.mode(MailSink.Mode.HANG);
                Thread.sleep(seconds(15));
                mail.mode(MailSink.Mode.PASS);
                windows.add(new Window(
                        fault,
                        String.format(
                                Locale.ROOT,
                                "SMTP refusing %ds, hanging %ds, back",
                                seconds(15) / 1000,
                                seconds(15) / 1000),
                        start,
                        System.currentTimeMillis()));
            }
            case "redis-kill" -> {
                String pid = Long.toString(stack.redisPid());
                stack.killRedis();
                Thread.sleep(seconds(8));
                stack.startRedis();
                windows.add(new Window(
                        fault,
                        "SIGKILL redis (pid " + pid + "), restarted from its AOF",
                        start,
                        System.currentTimeMillis()));
            }
            case "redis-loss" -> {
                // Hold emails in Redis first, so the loss has jobs to lose (as in the finding).
                ops.call("POST", "/ops/queues/email/pause", null);
                Thread.sleep(seconds(6));
                String pid = Long.toString(stack.redisPid());
                stack.killRedis();
                stack.wipeRedisData();
                Thread.sleep(seconds(2));
                stack.startRedis();
                ops.call("POST", "/ops/queues/email/resume", null);
                ops.call("PUT", "/ops/queues/email/concurrency", "{\"concurrency\":16}");
                windows.add(new Window(
                        fault,
                        "email paused, redis (pid " + pid + ") SIGKILLed and restarted EMPTY",
                        start,
                        System.currentTimeMillis()));
            }
            case "gateway" -> {
                Stack.Node gateway = stack.nodes.get("gateway-2");
                String pid = Long.toString(gateway.pid());
                gateway.kill();
                gateway.killedForGood = true;
                windows.add(new Window(
                        fault, "SIGKILL gateway-2 (pid " + pid + ") for good", start, System.currentTimeMillis()));
            }
            case "postgres" -> {
                stack.pgCtl("stop-immediate");
                Thread.sleep(seconds(5));
                stack.pgCtl("start");
                windows.add(new Window(
                        fault,
                        "private PostgreSQL stopped (immediate) and started",
                        start,
                        System.currentTimeMillis()));
            }
            case "api" -> {
                Stack.Node api = stack.nodes.get("api-2");
                String pid = Long.toString(api.pid());
                api.kill();
                Thread.sleep(seconds(10));
                api.start();
                api.awaitReady(java.time.Duration.ofSeconds(90));
                windows.add(new Window(
                        fault, "SIGKILL api-2 (pid " + pid + "), restarted", start, System.currentTimeMillis()));
            }
            default -> throw new IllegalArgumentException(fault);
        }
    }

    static List<String> parse(String list) {
        if (list == null || list.equals("all")) {
            return ALL;
        }
        if (list.equals("none") || list.isBlank()) {
            return List.of();
        }
        List<String> faults = new ArrayList<>();
        for (String f : list.split(",")) {
            at(f.trim());
            faults.add(f.trim());
        }
        return faults;
    }
}
