// What the client's tests need around the real gateway that ClientLibraryTest (realtime module) started:
// tokens, the partner's messages through the API, and proxies that block WebSockets, lose the network
// or fail over to another node.
import { createHash, createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";
import http from "node:http";
import net from "node:net";

export const env = {
    node1: Number(required("DUET_NODE1_PORT")),
    node2: Number(required("DUET_NODE2_PORT")),
    node2Pid: Number(required("DUET_NODE2_PID")),
    secret: required("DUET_JWT_SECRET"),
    couples: JSON.parse(required("DUET_COUPLES")),
    redisPort: Number(process.env.DUET_REDIS_PORT ?? "6379"),
};

function required(name) {
    const value = process.env[name];
    if (!value) {
        throw new Error(`${name} is not set: these tests run from ClientLibraryTest, which starts the gateway`);
    }
    return value;
}

let nextCouple = 0;
/** A couple of its own per test: { a, b } user ids. */
export function couple() {
    if (nextCouple >= env.couples.length) {
        throw new Error("ClientLibraryTest made too few couples for these tests");
    }
    return env.couples[nextCouple++];
}

/** An HS256 access token as the API issues them (signed with the test key). */
export function token(user, ttlSeconds = 900) {
    const now = Math.floor(Date.now() / 1000);
    const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const body = `${encode({ alg: "HS256" })}.${encode({ sub: user, iat: now - 120, exp: now + ttlSeconds })}`;
    return `${body}.${createHmac("sha256", env.secret).update(body).digest("base64url")}`;
}

/** The partner sends a message through the API of node 1; returns its text. */
export async function send(from, text) {
    const response = await fetch(`http://127.0.0.1:${env.node1}/v1/couple/messages`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token(from)}`, "Content-Type": "application/json" },
        body: JSON.stringify({ clientId: crypto.randomUUID(), text }),
    });
    if (response.status !== 201) {
        throw new Error(`send answered ${response.status}: ${await response.text()}`);
    }
    return text;
}

/** Keeps only the last `count` events of a user's log, as if the log had aged out while away. */
export function trimLog(user, count) {
    execFileSync("redis-cli", ["-p", String(env.redisPort), "XTRIM", `duet:ev:{${user}}:log`, "MAXLEN", String(count)]);
}

export function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `check()` is truthy; fails with `what` and the last value seen. */
export async function until(what, check, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
        last = await check();
        if (last) {
            return last;
        }
        await sleep(25);
    }
    throw new Error(`timed out waiting for ${what}`);
}

/** What an app does with the client's events: keeps them, and the states it went through. */
export function record(client) {
    const seen = { events: [], texts: [], resets: [], states: [], errors: [] };
    client.on("event", (event) => {
        seen.events.push(event);
        if (event.type === "message.created") {
            seen.texts.push(event.data.text);
        }
    });
    client.on("reset", (reset) => seen.resets.push(reset));
    client.on("state", (state) => seen.states.push(state));
    client.on("error", (error) => seen.errors.push(error));
    seen.logged = () => seen.events.filter((e) => e.seq > 0);
    return seen;
}

/**
 * An HTTP proxy in front of the gateway, as a corporate proxy or a load balancer would be:
 * - `upgrades`: "pass", "refuse" (answers 403), "eat" (never answers the upgrade) or "drop" (completes the
 *   handshake itself, then drops the connection before a frame, as a proxy that kills WebSockets does);
 * - `targets()`: the node ports to try in order (the first that accepts a connection serves), so killing
 *   a node fails over to the next;
 * - `cut()` / `restore()`: the network goes away (every connection dropped, new ones refused) and back.
 */
export async function proxy({ upgrades = "pass", targets = () => [env.node1] } = {}) {
    const sockets = new Set();
    let down = false;
    const state = { upgrades };
    const connect = (index, onConnected, onFailed) => {
        const ports = targets();
        if (index >= ports.length) {
            onFailed();
            return;
        }
        const upstream = net.connect(ports[index], "127.0.0.1");
        upstream.once("connect", () => onConnected(upstream));
        upstream.once("error", () => connect(index + 1, onConnected, onFailed));
    };
    const server = http.createServer((request, response) => {
        if (down) {
            request.socket.destroy();
            return;
        }
        const body = [];
        request.on("data", (chunk) => body.push(chunk));
        request.on("end", () => forward(request, Buffer.concat(body), response, 0));
    });
    const forward = (request, body, response, index) => {
        const ports = targets();
        if (index >= ports.length) {
            response.destroy();
            return;
        }
        const forwarded = http.request(
            {
                host: "127.0.0.1",
                port: ports[index],
                agent: false,
                method: request.method,
                path: request.url,
                headers: request.headers,
            },
            (answer) => {
                response.writeHead(answer.statusCode, answer.headers);
                answer.pipe(response);
            },
        );
        forwarded.on("socket", track);
        forwarded.on("error", (error) => {
            if (error.code === "ECONNREFUSED") {
                forward(request, body, response, index + 1);
            } else {
                response.destroy();
            }
        });
        forwarded.end(body);
    };
    const track = (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => socket.destroy());
    };
    server.on("connection", track);
    server.on("upgrade", (request, client, head) => {
        if (down) {
            client.destroy();
            return;
        }
        if (state.upgrades === "refuse") {
            client.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }
        if (state.upgrades === "eat") {
            return; // held open, never answered, as some proxies do
        }
        if (state.upgrades === "drop") {
            const accept = createHash("sha1")
                .update(request.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                .digest("base64");
            client.write(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                    `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: duet\r\n\r\n`,
            );
            setTimeout(() => client.destroy(), 50);
            return;
        }
        connect(
            0,
            (upstream) => {
                track(upstream);
                let raw = `${request.method} ${request.url} HTTP/1.1\r\n`;
                for (let i = 0; i < request.rawHeaders.length; i += 2) {
                    raw += `${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}\r\n`;
                }
                upstream.write(raw + "\r\n");
                upstream.write(head);
                upstream.pipe(client);
                client.pipe(upstream);
                const end = () => {
                    upstream.destroy();
                    client.destroy();
                };
                upstream.on("close", end);
                client.on("close", end);
            },
            () => client.destroy(),
        );
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${server.address().port}`,
        set upgrades(value) {
            state.upgrades = value;
        },
        cut() {
            down = true;
            for (const socket of sockets) {
                socket.destroy();
            }
        },
        restore() {
            down = false;
        },
        async close() {
            down = true;
            for (const socket of sockets) {
                socket.destroy();
            }
            await new Promise((resolve) => server.close(resolve));
        },
    };
}
