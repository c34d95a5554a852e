// The client against real gateway nodes (started by ClientLibraryTest in the realtime module): node 1 in
// the test's JVM, node 2 in its own process, which the last test kills. Each test has a couple of its own.
import { describe, it, after as afterAll } from "node:test";
import assert from "node:assert/strict";
import { RealtimeClient } from "../dist/index.js";
import { env, couple, token, send, trimLog, until, record, proxy, sleep } from "./harness.mjs";

const clients = [];
const proxies = [];
afterAll(async () => {
    clients.forEach((c) => c.close());
    await Promise.all(proxies.map((p) => p.close()));
});

/** A client of `user` with the test's short timeouts; `after: 0` reads the couple's log from its start. */
function connect(url, user, { ttlSeconds = 900, ...options } = {}) {
    const asked = [];
    const client = new RealtimeClient({
        url,
        token: (reason) => {
            asked.push(reason);
            return token(user, ttlSeconds);
        },
        after: 0,
        openTimeoutMs: 1_500,
        upgradeIntervalMs: 1_000,
        backoff: { minMs: 100, maxMs: 1_000 },
        ...options,
    });
    const seen = record(client);
    seen.asked = asked;
    clients.push(client);
    client.connect();
    return { client, seen };
}

async function gateway(options) {
    const p = await proxy(options);
    proxies.push(p);
    return p;
}

const direct = () => `http://127.0.0.1:${env.node1}`;

function isOpenOn(client, transport) {
    return client.state.status === "open" && client.state.transport === transport;
}

/** Every logged event once, in seq order, and the messages' texts exactly as sent. */
function assertDelivered(seen, texts) {
    const seqs = seen.logged().map((e) => e.seq);
    for (let i = 1; i < seqs.length; i++) {
        assert.equal(seqs[i], seqs[i - 1] + 1, `seqs not consecutive: ${seqs}`);
    }
    assert.deepEqual(seen.texts, texts);
}

async function sendAll(from, prefix, count) {
    const texts = [];
    for (let i = 1; i <= count; i++) {
        texts.push(await send(from, `${prefix} ${i}`));
    }
    return texts;
}

describe("(a) WebSocket", () => {
    it("delivers in order once, and carries acks, read markers and typing to the partner", async () => {
        const { a, b } = couple();
        const ana = connect(direct(), a);
        const ben = connect(direct(), b);
        await until("both open on websocket", () => isOpenOn(ana.client, "websocket") && isOpenOn(ben.client, "websocket"));

        const texts = await sendAll(a, "hello", 5);
        await until("5 messages", () => ben.seen.texts.length === 5);
        assertDelivered(ben.seen, texts);
        assert.equal(ben.client.position, ben.seen.logged().at(-1).seq);

        // Ben's client acknowledged on its own: Ana sees "delivered" up to her last message.
        const lastMessageSeq = ben.seen.events.filter((e) => e.type === "message.created").at(-1).data.seq;
        await until("delivered", () =>
            ana.seen.events.some((e) => e.type === "message.delivered" && e.data.upToSeq === lastMessageSeq),
        );
        ben.client.read(lastMessageSeq);
        await until("read marker", () => ana.seen.events.some((e) => e.type === "message.read"));
        ben.client.typing();
        await until("typing", () => ana.seen.events.some((e) => e.type === "typing" && e.seq === 0));
        assert.ok(ben.seen.states.every((s) => s.transport !== "polling"), JSON.stringify(ben.seen.states));
    });
});

describe("(b) WebSocket blocked: long-polling, then back to the WebSocket", () => {
    const blocked = {
        "a proxy refuses the upgrade": async () => {
            const p = await gateway({ upgrades: "refuse" });
            return { url: p.url, unblock: () => (p.upgrades = "pass") };
        },
        "a proxy silently eats the upgrade": async () => {
            const p = await gateway({ upgrades: "eat" });
            return { url: p.url, unblock: () => (p.upgrades = "pass") };
        },
        "a proxy completes the upgrade, then drops every WebSocket before a frame": async () => {
            const p = await gateway({ upgrades: "drop" });
            return { url: p.url, unblock: () => (p.upgrades = "pass") };
        },
        "constructing a WebSocket throws (a CSP without ws:)": async () => {
            let allowed = false;
            class PolicedWebSocket extends WebSocket {
                constructor(url, protocols) {
                    if (!allowed) {
                        throw new DOMException("Refused to connect: Content Security Policy", "SecurityError");
                    }
                    super(url, protocols);
                }
            }
            return { url: direct(), WebSocket: PolicedWebSocket, unblock: () => (allowed = true) };
        },
    };
    for (const [name, setUp] of Object.entries(blocked)) {
        it(name, async () => {
            const { a, b } = couple();
            const { url, WebSocket: PolicedWebSocket, unblock } = await setUp();
            const started = Date.now();
            const ben = connect(url, b, PolicedWebSocket ? { WebSocket: PolicedWebSocket } : {});
            await until("open on polling", () => isOpenOn(ben.client, "polling"));
            const fallbackMs = Date.now() - started;
            assert.ok(fallbackMs < 1_500 + 1_500, `fell back after ${fallbackMs} ms`); // open timeout + slack

            const texts = await sendAll(a, "polled", 4);
            await until("4 messages", () => ben.seen.texts.length === 4);

            unblock();
            await until("upgraded to websocket", () => isOpenOn(ben.client, "websocket"));
            texts.push(...(await sendAll(a, "upgraded", 3)));
            await until("7 messages", () => ben.seen.texts.length === 7);
            await sleep(300);
            assertDelivered(ben.seen, texts);
        });
    }
});

for (const transport of ["websocket", "polling"]) {
    describe(`(d) token expiry on ${transport}`, () => {
        it("asks the app for a new token and misses nothing", async () => {
            const { a, b } = couple();
            const ben = connect(direct(), b, { ttlSeconds: 2, transports: [transport] });
            await until("open", () => isOpenOn(ben.client, transport));
            const texts = [];
            const until7s = Date.now() + 7_000;
            for (let i = 1; Date.now() < until7s; i++) {
                texts.push(await send(a, `tick ${i}`));
                await sleep(400);
            }
            await until(`${texts.length} messages`, () => ben.seen.texts.length === texts.length);
            assertDelivered(ben.seen, texts);
            const renewals = ben.seen.asked.filter((reason) => reason === "expired").length;
            assert.ok(renewals >= 2, `token renewed ${renewals} times: ${ben.seen.asked}`);
            assert.equal(ben.client.state.status, "open");
        });
    });

    describe(`(e) offline on ${transport}`, () => {
        it("catches up from the log after the gap, and resets when the log no longer holds it", async () => {
            // A few seconds stand in for ten minutes: the log keeps at least a day, so what matters is
            // only whether it still holds the client's position.
            const { a, b } = couple();
            const network = await gateway();
            const ben = connect(network.url, b, { transports: [transport] });
            await until("open", () => isOpenOn(ben.client, transport));
            const texts = await sendAll(a, "before", 2);
            await until("2 messages", () => ben.seen.texts.length === 2);

            network.cut();
            await until("offline", () => ben.client.state.status === "offline");
            texts.push(...(await sendAll(a, "while away", 5)));
            await sleep(1_500);
            network.restore();
            await until("caught up", () => ben.seen.texts.length === 7);
            await sleep(300);
            assertDelivered(ben.seen, texts);
            assert.equal(ben.seen.resets.length, 0);

            network.cut();
            await until("offline again", () => ben.client.state.status === "offline");
            await sendAll(a, "aged out", 3);
            trimLog(b, 1);
            network.restore();
            await until("reset", () => ben.seen.resets.length === 1);
            const { lastSeq } = ben.seen.resets[0];
            assert.equal(ben.client.position, lastSeq);
            await send(a, "after the reset");
            await until("the next message", () => ben.seen.texts.at(-1) === "after the reset");
            assert.deepEqual(ben.seen.texts.slice(0, 7), texts);
            assert.ok(!ben.seen.texts.includes("aged out 1"), "an event the log had lost was delivered");
            assert.equal(ben.seen.logged().at(-1).seq, lastSeq + 1);
        });
    });
}

describe("(c) the node a client is on is killed", () => {
    it("both transports reconnect to another node and miss nothing", async () => {
        const { a, b } = couple();
        const balancer = await gateway({ targets: () => [env.node2, env.node1] });
        const onWs = connect(balancer.url, b, { transports: ["websocket"] });
        const onPoll = connect(balancer.url, b, { transports: ["polling"] });
        await until("both open", () => isOpenOn(onWs.client, "websocket") && isOpenOn(onPoll.client, "polling"));
        const texts = await sendAll(a, "before the kill", 3);
        await until("3 each", () => onWs.seen.texts.length === 3 && onPoll.seen.texts.length === 3);

        process.kill(env.node2Pid, "SIGKILL");
        texts.push(...(await sendAll(a, "after the kill", 5)));
        await until("8 each", () => onWs.seen.texts.length === 8 && onPoll.seen.texts.length === 8, 30_000);
        await sleep(300);
        assertDelivered(onWs.seen, texts);
        assertDelivered(onPoll.seen, texts);
        assert.ok(onWs.seen.states.some((s) => s.status === "offline"), "the WebSocket client never saw the node go");
    });
});
