// One Socket.IO v4 node with the Redis adapter: each client joins the room of its user; "send" goes to
// the room of the partner (through Redis when the partner is on another node). On stdin, "heap" prints
// the heap used after a GC.
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");

(async () => {
  const pub = createClient({ url: process.env.REDIS_URL });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const io = new Server({ adapter: createAdapter(pub, sub, { key: process.env.ADAPTER_KEY }), pingInterval: 25000, pingTimeout: 20000 });
  io.on("connection", socket => {
    socket.join(String(socket.handshake.query.user));
    socket.on("send", message => io.to(String(message.to)).emit("event", message));
  });
  const server = io.listen(0);
  const port = io.httpServer.address().port;
  console.log("PORT " + port);
  process.stdin.on("data", data => {
    if (String(data).trim() === "heap") {
      global.gc();
      console.log("HEAP " + process.memoryUsage().heapUsed);
    }
  });
})();
