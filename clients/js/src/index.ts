/**
 * Duet's realtime client: one connection to the gateway that keeps the app's position in the user's
 * event log across reconnects, nodes and transports, and hands the app every event once, in order.
 *
 * It speaks the protocol of docs/realtime-protocol.md: WebSocket first, long-polling when a WebSocket
 * cannot open (refused, eaten by a proxy, or not allowed to be constructed), and back to the WebSocket
 * when a background try opens one. It needs only the `WebSocket` and `fetch` that browsers, React Native
 * and Node provide, or ones the app passes in.
 */

/** An event of the user's log (`seq` > 0) or an ephemeral one (`seq` 0: typing, presence snapshot). */
export interface DuetEvent<T = Record<string, unknown>> {
    seq: number;
    type: string;
    data: T;
}

export type TransportName = "websocket" | "polling";

/** Where the connection stands; `state` events carry every change. */
export type ConnectionState =
    | { status: "idle" }
    | { status: "connecting"; transport: TransportName }
    | { status: "open"; transport: TransportName }
    | { status: "offline"; reason: string; retryInMs: number }
    | { status: "closed"; reason: string };

/**
 * Why the client asks for a token: `initial` (first connect), `expired` (the server said the last one
 * expired: refresh it) or `refused` (the server refused it: sign in again, or throw to stop).
 */
export type TokenReason = "initial" | "expired" | "refused";

export interface RealtimeOptions {
    /** The gateway's base URL, e.g. `https://rt.example.com` (a path prefix is kept). */
    url: string;
    /** Returns the current access token; called again when the server says it expired or refused it. */
    token: (reason: TokenReason) => string | Promise<string>;
    /**
     * The position to resume from: the highest `seq` the app has stored (0 for "everything the log
     * holds"). Leave it out to start from now; the app should then store `position` as events arrive.
     */
    after?: number | null;
    /** The transports to use, in order of preference. Default: both. */
    transports?: TransportName[];
    /** A WebSocket that has not opened by then counts as blocked. Default 5,000 ms. */
    openTimeoutMs?: number;
    /** While on long-polling, how often to try the WebSocket again. Default 30,000 ms. */
    upgradeIntervalMs?: number;
    /** Acknowledge delivered events after the app's listeners ran. Default true. */
    autoAck?: boolean;
    /** Own backoff (when the server names no delay): from `minMs` doubling to `maxMs`, fully jittered. */
    backoff?: { minMs: number; maxMs: number };
    /** Overrides of the platform's globals (tests, or platforms without them). */
    WebSocket?: WebSocketLike;
    fetch?: typeof fetch;
    random?: () => number;
}

/** The part of the WebSocket constructor the client uses. */
export type WebSocketLike = new (url: string, protocols: string[]) => SocketLike;

interface SocketLike {
    onopen: ((event: unknown) => void) | null;
    onmessage: ((event: { data: unknown }) => void) | null;
    onclose: ((event: { code: number; reason: string }) => void) | null;
    onerror: ((event: unknown) => void) | null;
    send(data: string): void;
    close(code?: number, reason?: string): void;
}

export interface ResetInfo {
    /** Reload the couple and its messages from the API; the client continues from here. */
    lastSeq: number;
}

export interface ClientError {
    code: string;
    detail?: string;
}

type Listeners = {
    event: (event: DuetEvent) => void;
    reset: (reset: ResetInfo) => void;
    state: (state: ConnectionState) => void;
    error: (error: ClientError) => void;
};

type Frame = { type: "ack" | "read"; upToSeq: number } | { type: "typing" };

/** An open or opening connection of one transport. */
interface Link {
    readonly transport: TransportName;
    send(frame: Frame): void;
    stop(): void;
}

const PROTOCOL = "duet";
const TOKEN_PROTOCOL = "duet.token.";

/** Raised inside the polling loop for an answer the loop handles by reconnecting. */
class Refusal extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
        readonly retryMs: number | null,
    ) {
        super(code);
    }
}

export class RealtimeClient {
    private readonly options: Required<
        Pick<RealtimeOptions, "url" | "token" | "transports" | "openTimeoutMs" | "upgradeIntervalMs" | "autoAck">
    > & { backoff: { minMs: number; maxMs: number } };
    private readonly WebSocketClass: WebSocketLike | undefined;
    private readonly fetchImpl: typeof fetch;
    private readonly random: () => number;
    private readonly listeners: { [K in keyof Listeners]: Set<Listeners[K]> } = {
        event: new Set(),
        reset: new Set(),
        state: new Set(),
        error: new Set(),
    };

    private currentPosition: number | null;
    private currentState: ConnectionState = { status: "idle" };
    private link: Link | null = null;
    /** Bumped by every reconnect and by close: callbacks of an older generation do nothing. */
    private generation = 0;
    private started = false;
    private stopped = false;
    private token: string | null = null;
    private tokenReason: TokenReason = "initial";
    /** Refusals of a fresh token in a row: the second one stops the client. */
    private refusedInARow = 0;
    private attempt = 0;
    private preferPolling = false;
    private retryTimer: ReturnType<typeof setTimeout> | null = null;
    private upgradeTimer: ReturnType<typeof setTimeout> | null = null;
    private probing = false;
    /** WebSockets in a row that opened, then dropped before a frame came (a proxy killing them): 3 fall back. */
    private silentDrops = 0;
    private serverDelayMs: number | null = null;
    private readonly pending = new Map<Frame["type"], Frame>();

    constructor(options: RealtimeOptions) {
        if (!options || typeof options.url !== "string" || typeof options.token !== "function") {
            throw new TypeError("RealtimeClient needs { url, token } (token: a function returning the access token)");
        }
        const transports = options.transports ?? ["websocket", "polling"];
        if (transports.length === 0 || transports.some((t) => t !== "websocket" && t !== "polling")) {
            throw new TypeError("transports: 'websocket' and/or 'polling'");
        }
        if (options.after != null && (!Number.isInteger(options.after) || options.after < 0)) {
            throw new TypeError("after: a seq (an integer >= 0) or null");
        }
        this.options = {
            url: options.url.replace(/\/+$/, ""),
            token: options.token,
            transports,
            openTimeoutMs: options.openTimeoutMs ?? 5_000,
            upgradeIntervalMs: options.upgradeIntervalMs ?? 30_000,
            autoAck: options.autoAck ?? true,
            backoff: options.backoff ?? { minMs: 500, maxMs: 30_000 },
        };
        this.currentPosition = options.after ?? null;
        this.WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketLike }).WebSocket;
        const platformFetch = (globalThis as { fetch?: typeof fetch }).fetch;
        this.fetchImpl = options.fetch ?? (platformFetch ? platformFetch.bind(globalThis) : missingFetch);
        this.random = options.random ?? Math.random;
    }

    /** The highest `seq` delivered (or the reset's `lastSeq`); store it to resume after a restart. */
    get position(): number | null {
        return this.currentPosition;
    }

    get state(): ConnectionState {
        return this.currentState;
    }

    on<K extends keyof Listeners>(type: K, listener: Listeners[K]): () => void {
        this.listeners[type].add(listener);
        return () => this.listeners[type].delete(listener);
    }

    /** Connects, and keeps reconnecting until `close()` or a token the app cannot renew. */
    connect(): void {
        if (this.started) {
            return;
        }
        this.started = true;
        this.open(0);
    }

    /** Stops for good: closes the connection and ends the long-polling session. */
    close(): void {
        if (this.stopped) {
            return;
        }
        this.stopped = true;
        this.stopTimers();
        this.generation++;
        this.link?.stop();
        this.link = null;
        this.setState({ status: "closed", reason: "closed-by-app" });
    }

    /** Tells the server (and so the partner's "delivered") that the app has stored events up to `seq`. */
    ack(upToSeq: number): void {
        this.queue({ type: "ack", upToSeq: checkedSeq(upToSeq) });
    }

    /** Moves the couple's read marker to message seq `upToSeq` (as `POST /v1/couple/messages/read`). */
    read(upToSeq: number): void {
        this.queue({ type: "read", upToSeq: checkedSeq(upToSeq) });
    }

    /** The partner sees "typing" (the server passes on at most one per 2 s). */
    typing(): void {
        this.queue({ type: "typing" });
    }

    // ---- connecting

    private open(delayMs: number): void {
        this.stopTimers();
        this.generation++;
        this.link?.stop();
        this.link = null;
        if (this.stopped) {
            return;
        }
        const generation = this.generation;
        const go = () => {
            if (generation !== this.generation) {
                return;
            }
            if (this.useWebSocket()) {
                void this.openWebSocket(generation, false);
            } else {
                void this.openPolling(generation);
            }
        };
        if (delayMs > 0) {
            this.retryTimer = setTimeout(go, delayMs);
        } else {
            go();
        }
    }

    private useWebSocket(): boolean {
        const wanted = this.options.transports;
        if (!wanted.includes("websocket") || !this.WebSocketClass) {
            return false;
        }
        return !(this.preferPolling && wanted.includes("polling"));
    }

    /** Reconnects after the server's delay when it gave one, else after a jittered, growing backoff. */
    private reconnectLater(reason: string, serverDelayMs: number | null): void {
        if (this.stopped) {
            return;
        }
        const delay = serverDelayMs ?? this.backoffMs();
        this.attempt++;
        this.setState({ status: "offline", reason, retryInMs: delay });
        this.open(delay);
    }

    private backoffMs(): number {
        const { minMs, maxMs } = this.options.backoff;
        const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(this.attempt, 16));
        return Math.round(minMs / 2 + this.random() * (ceiling - minMs / 2));
    }

    private async currentToken(): Promise<string> {
        if (this.token === null) {
            this.token = await this.options.token(this.tokenReason);
            if (typeof this.token !== "string" || this.token.length === 0) {
                this.token = null;
                throw new Error("the token callback returned no token");
            }
        }
        return this.token;
    }

    /** The server said the token expired or refused it: ask the app for another before reconnecting. */
    private renewToken(reason: "expired" | "refused"): boolean {
        if (reason === "refused") {
            this.refusedInARow++;
            if (this.refusedInARow > 1) {
                this.stopWith("unauthorized", "the server refused a renewed token: sign in again");
                return false;
            }
        }
        this.token = null;
        this.tokenReason = reason;
        return true;
    }

    private stopWith(code: string, detail: string): void {
        this.emit("error", { code, detail });
        this.stopped = true;
        this.stopTimers();
        this.generation++;
        this.link?.stop();
        this.link = null;
        this.setState({ status: "closed", reason: code });
    }

    private opened(link: Link): void {
        this.link = link;
        this.attempt = 0;
        this.refusedInARow = 0;
        this.serverDelayMs = null;
        this.setState({ status: "open", transport: link.transport });
        this.flushPending(link);
        if (link.transport === "polling") {
            this.scheduleUpgrade();
        }
    }

    private stopTimers(): void {
        if (this.retryTimer) {
            clearTimeout(this.retryTimer);
            this.retryTimer = null;
        }
        if (this.upgradeTimer) {
            clearTimeout(this.upgradeTimer);
            this.upgradeTimer = null;
        }
    }

    // ---- WebSocket

    private webSocketUrl(): string {
        const base = this.options.url.replace(/^http/, "ws") + "/v1/realtime";
        return this.currentPosition === null ? base : `${base}?after=${this.currentPosition}`;
    }

    /**
     * Opens a WebSocket. A probe (`probe`: tried from long-polling) replaces the polling link only once it
     * opens; a failed probe leaves polling alone and is tried again later.
     */
    private async openWebSocket(generation: number, probe: boolean): Promise<void> {
        if (!probe) {
            this.setState({ status: "connecting", transport: "websocket" });
        }
        let token: string;
        try {
            token = await this.currentToken();
        } catch (error) {
            this.tokenFailed(error);
            return;
        }
        if (generation !== this.generation || this.stopped) {
            return;
        }
        let socket: SocketLike;
        try {
            socket = new this.WebSocketClass!(this.webSocketUrl(), [PROTOCOL, TOKEN_PROTOCOL + token]);
        } catch {
            // e.g. a Content-Security-Policy without ws: makes the constructor throw
            this.webSocketBlocked(generation, probe, "websocket-not-allowed");
            return;
        }
        let isOpen = false;
        let settled = false;
        let heard = false;
        const timer = setTimeout(() => {
            if (!isOpen && !settled) {
                settled = true;
                silence(socket);
                closeQuietly(socket);
                this.webSocketBlocked(generation, probe, "websocket-open-timeout");
            }
        }, this.options.openTimeoutMs);
        const current = () => generation === this.generation && !this.stopped;
        socket.onopen = () => {
            if (settled || !current()) {
                closeQuietly(socket);
                return;
            }
            isOpen = true;
            clearTimeout(timer);
            if (probe) {
                this.probing = false;
                // Adopt the socket: the polling link stops; both resumed from positions this client held,
                // so any event both deliver is dropped as a duplicate by its seq.
                this.generation++;
                generation = this.generation;
                this.link?.stop();
            }
            this.preferPolling = false;
            this.opened({
                transport: "websocket",
                send: (frame) => socket.send(JSON.stringify(frame)),
                stop: () => {
                    silence(socket);
                    closeQuietly(socket, 1000);
                },
            });
        };
        socket.onmessage = (message) => {
            if (!current()) {
                return;
            }
            heard = true;
            this.silentDrops = 0;
            let event: DuetEvent;
            try {
                event = JSON.parse(String(message.data)) as DuetEvent;
            } catch {
                return;
            }
            if (!this.deliver([event])) {
                this.open(0); // a gap: resume from the log at the position held
            }
        };
        socket.onerror = () => {
            // a close always follows
        };
        socket.onclose = (close) => {
            clearTimeout(timer);
            if (settled) {
                return;
            }
            settled = true;
            if (!isOpen) {
                this.webSocketBlocked(generation, probe, "websocket-refused");
                return;
            }
            if (!current()) {
                return;
            }
            if (close.code === 1006 && !heard && ++this.silentDrops >= 3 && this.options.transports.includes("polling")) {
                this.silentDrops = 0;
                this.preferPolling = true;
                this.open(0);
                return;
            }
            this.webSocketClosed(close.code, close.reason);
        };
    }

    /** The WebSocket did not open: long-polling takes over, and the WebSocket is tried again later. */
    private webSocketBlocked(generation: number, probe: boolean, reason: string): void {
        if (probe) {
            this.probing = false;
        }
        if (generation !== this.generation || this.stopped) {
            return;
        }
        if (probe) {
            this.scheduleUpgrade();
            return;
        }
        if (this.options.transports.includes("polling")) {
            this.preferPolling = true;
            void this.openPolling(generation);
        } else {
            this.reconnectLater(reason, null);
        }
    }

    private webSocketClosed(code: number, reason: string): void {
        let retryMs: number | null = this.serverDelayMs;
        let why = "closed";
        try {
            const parsed = JSON.parse(reason) as { reason?: string; retryMs?: number };
            if (typeof parsed.retryMs === "number") {
                retryMs = parsed.retryMs;
            }
            why = parsed.reason ?? why;
        } catch {
            // no structured reason (a network close)
        }
        if (code === 4010) {
            if (this.renewToken("expired")) {
                this.open(0);
            }
            return;
        }
        if (code >= 4500) {
            if (this.renewToken("refused")) {
                this.open(0);
            }
            return;
        }
        if (code >= 4000) {
            this.reconnectLater(why, retryMs);
            return;
        }
        this.reconnectLater(code === 1006 ? "connection-lost" : why, retryMs);
    }

    private scheduleUpgrade(): void {
        if (!this.options.transports.includes("websocket") || !this.WebSocketClass || this.upgradeTimer) {
            return;
        }
        this.upgradeTimer = setTimeout(() => {
            this.upgradeTimer = null;
            if (this.stopped || this.probing || this.link?.transport !== "polling") {
                return;
            }
            this.probing = true;
            void this.openWebSocket(this.generation, true);
        }, this.options.upgradeIntervalMs);
    }

    // ---- long-polling

    private async openPolling(generation: number): Promise<void> {
        this.setState({ status: "connecting", transport: "polling" });
        const current = () => generation === this.generation && !this.stopped;
        let sid: string | null = null;
        let holdMs = 25_000;
        let inFlight: AbortController | null = null;
        let isOpen = false;
        const link: Link = {
            transport: "polling",
            send: (frame) => {
                if (sid !== null) {
                    void this.post(sid, frame).catch(() => this.pending.set(frame.type, frame));
                } else {
                    this.pending.set(frame.type, frame);
                }
            },
            stop: () => {
                inFlight?.abort();
                if (sid !== null) {
                    void this.request("DELETE", sessionPath(sid)).catch(() => undefined);
                }
            },
        };
        this.link = link;
        while (current()) {
            try {
                if (sid === null) {
                    const created = (await this.request("POST", "/v1/realtime/sessions")) as {
                        sid: string;
                        holdMs: number;
                    };
                    sid = created.sid;
                    holdMs = created.holdMs;
                    if (!current()) {
                        link.stop();
                        return;
                    }
                    if (!isOpen) {
                        isOpen = true;
                        this.opened(link);
                    }
                }
                inFlight = new AbortController();
                const query = this.currentPosition === null ? "" : `?after=${this.currentPosition}`;
                const answer = (await this.request("GET", sessionPath(sid) + "/events" + query, undefined, {
                    signal: inFlight.signal,
                    timeoutMs: holdMs + 15_000,
                })) as { events: DuetEvent[] };
                inFlight = null;
                if (!current()) {
                    this.deliver(answer.events); // already handed over: duplicates are dropped by seq
                    return;
                }
                if (this.currentState.status !== "open") {
                    this.attempt = 0;
                    this.setState({ status: "open", transport: "polling" });
                }
                this.refusedInARow = 0;
                this.deliver(answer.events);
                this.flushPending(link);
                if (this.serverDelayMs !== null) {
                    const wait = this.serverDelayMs; // a draining node: poll again after its delay
                    this.serverDelayMs = null;
                    await sleep(wait);
                }
            } catch (error) {
                inFlight = null;
                if (!current()) {
                    return;
                }
                if (!(error instanceof Refusal)) {
                    // the network: wait, then go on with the same session (any node serves it)
                    const delay = this.backoffMs();
                    this.attempt++;
                    this.setState({ status: "offline", reason: "connection-lost", retryInMs: delay });
                    await sleep(delay);
                    continue;
                }
                if (error.code === "session-not-found") {
                    sid = null;
                } else if (error.code === "token-expired") {
                    if (!this.renewToken("expired")) {
                        return;
                    }
                } else if (error.status === 401) {
                    if (!this.renewToken("refused")) {
                        return;
                    }
                } else {
                    const delay = error.retryMs ?? this.backoffMs();
                    this.attempt++;
                    this.setState({ status: "offline", reason: error.code, retryInMs: delay });
                    await sleep(delay);
                }
            }
        }
    }

    private post(sid: string, frame: Frame): Promise<unknown> {
        return this.request("POST", sessionPath(sid) + "/events", frame);
    }

    /** One call with the token; a problem document becomes a Refusal, a network failure an Error. */
    private async request(
        method: string,
        path: string,
        body?: unknown,
        options: { signal?: AbortSignal; timeoutMs?: number } = {},
    ): Promise<unknown> {
        const token = await this.currentToken();
        const timeout = new AbortController();
        const timer = setTimeout(() => timeout.abort(), options.timeoutMs ?? 15_000);
        const abort = () => timeout.abort();
        options.signal?.addEventListener("abort", abort);
        try {
            const response = await this.fetchImpl(this.options.url + path, {
                method,
                headers: {
                    Authorization: `Bearer ${token}`,
                    ...(body === undefined ? {} : { "Content-Type": "application/json" }),
                },
                body: body === undefined ? undefined : JSON.stringify(body),
                signal: timeout.signal,
            });
            const text = await response.text();
            if (response.ok) {
                return text.length > 0 ? JSON.parse(text) : null;
            }
            let code = `http-${response.status}`;
            try {
                code = (JSON.parse(text) as { code?: string }).code ?? code;
            } catch {
                // not a problem document (a proxy's page)
            }
            const retryAfter = Number(response.headers.get("Retry-After"));
            throw new Refusal(
                response.status,
                code,
                Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
            );
        } finally {
            clearTimeout(timer);
            options.signal?.removeEventListener("abort", abort);
        }
    }

    // ---- delivery

    /**
     * Hands events to the app once each, in seq order. Returns false on a gap (a seq past the next one),
     * which the caller answers by resuming from the log.
     */
    private deliver(events: DuetEvent[]): boolean {
        let delivered = false;
        let inOrder = true;
        for (const event of events) {
            if (event.type === "reset") {
                const lastSeq = Number((event.data as { lastSeq?: number }).lastSeq ?? event.seq);
                this.currentPosition = lastSeq;
                this.emit("reset", { lastSeq });
                continue;
            }
            if (event.seq > 0) {
                if (this.currentPosition !== null && event.seq <= this.currentPosition) {
                    continue; // already delivered (a resume overlapping a transport switch)
                }
                if (this.currentPosition !== null && event.seq > this.currentPosition + 1) {
                    inOrder = false;
                    break;
                }
                this.currentPosition = event.seq;
                delivered = true;
                this.emit("event", event);
                continue;
            }
            if (event.type === "reconnect") {
                const delayMs = (event.data as { delayMs?: number }).delayMs;
                this.serverDelayMs = typeof delayMs === "number" ? delayMs : null;
            } else if (event.type === "error") {
                this.emit("error", { code: String((event.data as { code?: string }).code ?? "error") });
            } else {
                this.emit("event", event);
            }
        }
        if (delivered && this.options.autoAck && this.currentPosition !== null) {
            this.ack(this.currentPosition);
        }
        return inOrder;
    }

    private flushPending(link: Link): void {
        const frames = [...this.pending.values()];
        this.pending.clear();
        for (const frame of frames) {
            link.send(frame);
        }
    }

    /** Sends a frame now, or keeps it for the next connection (typing is only worth sending now). */
    private queue(frame: Frame): void {
        if (this.stopped) {
            return;
        }
        const link = this.link;
        if (link && this.currentState.status === "open") {
            try {
                link.send(frame);
                return;
            } catch {
                // the socket is closing: kept for the next connection
            }
        }
        if (frame.type === "typing") {
            return;
        }
        const earlier = this.pending.get(frame.type);
        if (!earlier || !("upToSeq" in earlier) || !("upToSeq" in frame) || frame.upToSeq > earlier.upToSeq) {
            this.pending.set(frame.type, frame);
        }
    }

    private tokenFailed(error: unknown): void {
        this.stopWith("token-unavailable", error instanceof Error ? error.message : String(error));
    }

    private setState(state: ConnectionState): void {
        const before = this.currentState;
        if (JSON.stringify(before) === JSON.stringify(state)) {
            return;
        }
        this.currentState = state;
        this.emit("state", state);
    }

    private emit<K extends keyof Listeners>(type: K, value: Parameters<Listeners[K]>[0]): void {
        for (const listener of [...this.listeners[type]]) {
            try {
                (listener as (v: typeof value) => void)(value);
            } catch (error) {
                // an app's listener must not break delivery to the others
                setTimeout(() => {
                    throw error;
                }, 0);
            }
        }
    }
}

function sessionPath(sid: string): string {
    return `/v1/realtime/sessions/${encodeURIComponent(sid)}`;
}

function checkedSeq(seq: number): number {
    if (!Number.isInteger(seq) || seq < 0) {
        throw new TypeError("upToSeq: an integer >= 0");
    }
    return seq;
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function silence(socket: SocketLike): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = () => undefined;
}

function closeQuietly(socket: SocketLike, code?: number): void {
    try {
        socket.close(code);
    } catch {
        // not open yet, or already closed
    }
}

function missingFetch(): Promise<Response> {
    return Promise.reject(new Error("no fetch on this platform: pass options.fetch"));
}
