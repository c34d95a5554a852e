// The Socket.IO peer of ./duet bench realtime, same scenarios as Duet's: (a) idle WebSockets on one node,
// RSS and heap per connection; (b) couples on WebSocket, partners on two nodes, messages at rising rates
// through the Redis adapter; (c) the same on long-polling. Prints rows and one "PEER {json}" line.
// Usage: node peer.js IDLE COUPLES POLL_COUPLES SECONDS RATES POLL_RATES [WS_WARMUP_S LP_WARMUP_S] (rates comma-separated;
// the warm-ups are unmeasured, at the first rate, as long as Duet's node needed before its JIT settled)
const { spawn } = require("child_process");
const fs = require("fs");
const { io } = require("socket.io-client");

const [idle, couples, pollCouples, seconds] = process.argv.slice(2, 6).map(Number);
const rates = process.argv[6].split(",").map(Number);
const pollRates = process.argv[7].split(",").map(Number);
const [wsWarmup, lpWarmup] = [process.argv[8], process.argv[9]].map(s => Number(s || seconds));
const key = "duet-bench-sio-" + Math.random().toString(36).slice(2, 8);
const sleep = ms => new Promise(r => setTimeout(r, ms));
const version = name => require(name + "/package.json").version;
console.log(`peer: socket.io ${version("socket.io")}, socket.io-client ${version("socket.io-client")}, `
  + `@socket.io/redis-adapter ${version("@socket.io/redis-adapter")}, redis ${version("redis")}, node ${process.versions.node}`);

function startNode() {
  return new Promise(resolve => {
    const child = spawn(process.execPath, ["--expose-gc", __dirname + "/server.js"],
      { env: { ...process.env, ADAPTER_KEY: key }, stdio: ["pipe", "pipe", "inherit"] });
    let buffer = "";
    const waiters = [];
    child.stdout.on("data", data => {
      buffer += data;
      let line;
      while ((line = buffer.indexOf("\n")) >= 0) {
        const text = buffer.slice(0, line); buffer = buffer.slice(line + 1);
        if (text.startsWith("PORT ")) resolve({ child, port: Number(text.slice(5)), waiters });
        if (text.startsWith("HEAP ")) waiters.shift()(Number(text.slice(5)));
      }
    });
  });
}
const heap = node => new Promise(resolve => { node.waiters.push(resolve); node.child.stdin.write("heap\n"); });
const rssKb = node => Number(fs.readFileSync(`/proc/${node.child.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]);
const cpuTicks = node => { const f = fs.readFileSync(`/proc/${node.child.pid}/stat`, "utf8").split(") ")[1].split(" "); return Number(f[11]) + Number(f[12]); };

async function connect(port, user, transports, onEvent) {
  return new Promise(resolve => {
    const socket = io("http://127.0.0.1:" + port, { query: { user }, transports, reconnection: false, forceNew: true });
    socket.on("connect", () => resolve(socket));
    socket.on("connect_error", () => resolve(null));
    if (onEvent) socket.on("event", onEvent);
  });
}
async function connectMany(port, count, transports, userOf, onEvent) {
  const sockets = [];
  for (let i = 0; i < count; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 100); j++) batch.push(connect(port, userOf(j), transports, onEvent));
    sockets.push(...await Promise.all(batch));
  }
  return sockets;
}

async function ladder(label, nodes, pairs, ratesToRun, latencies, warmupSeconds) {
  console.log(`\n${label}\n  rate/s   sent  delivered%   p50 ms   p99 ms  server CPU µs/msg`);
  let best = 0, bestP99 = 0, bestCpu = 0, first = null;
  const cpuByRate = {};
  for (const [index, rate] of [ratesToRun[0], ...ratesToRun].entries()) {
    latencies.length = 0;
    const cpu0 = nodes.reduce((s, n) => s + cpuTicks(n), 0);
    const total = rate * (index === 0 ? warmupSeconds : seconds), start = Date.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor((Date.now() - start) * rate / 1000));
      for (; sent < due; sent++) {
        const [a, b] = pairs[Math.floor(Math.random() * pairs.length)];
        a.emit("send", { to: b, t: Number(process.hrtime.bigint()) });
      }
      await sleep(1);
    }
    await sleep(1500);
    const cpu = nodes.reduce((s, n) => s + cpuTicks(n), 0) - cpu0;
    const sorted = [...latencies].sort((x, y) => x - y);
    const p50 = sorted.length ? sorted[Math.floor(sorted.length / 2)] / 1e6 : NaN;
    const p99 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] / 1e6 : NaN;
    const cpuMicros = cpu * 1e4 / Math.max(1, sorted.length);
    const passes = p99 <= 50 && sorted.length >= total * 0.999;
    if (index === 0) { console.log(`  (unmeasured warm-up: ${warmupSeconds} s at the first rate)`); continue; }
    if (!first) first = { rate, p99, cpu: cpuMicros, delivered: 100 * sorted.length / total };
    cpuByRate[rate] = cpuMicros;
    console.log(`  ${String(rate).padStart(6)} ${String(total).padStart(6)} ${(100 * sorted.length / total).toFixed(2).padStart(10)} ${p50.toFixed(1).padStart(8)} ${p99.toFixed(1).padStart(8)} ${cpuMicros.toFixed(1).padStart(12)}${passes ? "" : "   <- over p99 50 ms or under 99.9 %"}`);
    if (!passes) break;
    best = rate; bestP99 = p99; bestCpu = cpuMicros;
  }
  return { best, bestP99, bestCpu, first, cpuByRate };
}

(async () => {
  const node1 = await startNode(), node2 = await startNode();
  await sleep(1000);
  const rss0 = rssKb(node1), heap0 = await heap(node1);
  const idleSockets = await connectMany(node1.port, idle, ["websocket"], i => "idle" + i);
  await sleep(3000);
  const open = idleSockets.filter(s => s).length;
  const rssPer = (rssKb(node1) - rss0) / open, heapPer = (await heap(node1) - heap0) / 1024 / open;
  console.log(`\n(a) Socket.IO idle WebSockets: ${open} open; ${rssPer.toFixed(1)} KB RSS/conn, ${heapPer.toFixed(1)} KB heap/conn`);
  idleSockets.forEach(s => s && s.close());
  await sleep(2000);

  const latencies = [];
  const record = m => latencies.push(Number(process.hrtime.bigint()) - m.t);
  const run = async (count, transports, label, ratesToRun, warmupSeconds) => {
    const as = await connectMany(node1.port, count, transports, i => "a" + i, record);
    const bs = await connectMany(node2.port, count, transports, i => "b" + i, record);
    const pairs = [];
    for (let i = 0; i < count; i++) if (as[i] && bs[i]) pairs.push([as[i], "b" + i]);
    await sleep(2000);
    const result = await ladder(label, [node1, node2], pairs, ratesToRun, latencies, warmupSeconds);
    as.concat(bs).forEach(s => s && s.close());
    await sleep(2000);
    return result;
  };
  const ws = await run(couples, ["websocket"], `(b) Socket.IO: ${couples} couples on WebSocket, partners on two nodes (Redis adapter)`, rates, wsWarmup);
  const lp = await run(pollCouples, ["polling"], `(c) Socket.IO: ${pollCouples} couples on long-polling`, pollRates, lpWarmup);
  console.log("PEER " + JSON.stringify({ idle: open, rssKbPerConn: rssPer, heapKbPerConn: heapPer, wsMaxRate: ws.best, wsP99: ws.bestP99,
    wsCpuUs: ws.bestCpu, lpMaxRate: lp.best, lpP99: lp.bestP99, wsFirstRate: ws.first.rate, wsFirstP99: ws.first.p99,
    wsFirstCpuUs: ws.first.cpu, wsFirstDelivered: ws.first.delivered, lpFirstRate: lp.first.rate, lpFirstP99: lp.first.p99,
    lpFirstCpuUs: lp.first.cpu, lpFirstDelivered: lp.first.delivered,
    // server CPU per message at every rate run, as flat keys (wsCpu1000, lpCpu250, ...) for the side-by-side ratios
    ...Object.fromEntries(Object.entries(ws.cpuByRate).map(([rate, cpu]) => ["wsCpu" + rate, cpu])),
    ...Object.fromEntries(Object.entries(lp.cpuByRate).map(([rate, cpu]) => ["lpCpu" + rate, cpu])) }));
  node1.child.kill(); node2.child.kill();
  process.exit(0);
})();
