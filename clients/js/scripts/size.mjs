// ./duet bench client: this client's bundle beside socket.io-client's, both built by the same esbuild
// with the same settings (bundled for browsers, minified, ES2020), then gzipped at level 9.
import { build, version as esbuildVersion } from "esbuild";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const peerVersion = JSON.parse(readFileSync(path.join(root, "node_modules/socket.io-client/package.json"))).version;

async function measure(contents) {
    const result = await build({
        stdin: { contents, resolveDir: root, loader: "ts" },
        bundle: true,
        minify: true,
        format: "esm",
        platform: "browser",
        target: "es2020",
        write: false,
        logLevel: "error",
    });
    const bytes = result.outputFiles[0].contents;
    return { minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length };
}

// Each entry keeps the whole client alive (exported), as an app importing it would.
const duet = await measure('export { RealtimeClient } from "./src/index.ts";');
const peer = await measure('export { io, Manager, Socket } from "socket.io-client";');
const ratio = duet.gzipped / peer.gzipped;
console.log(`esbuild ${esbuildVersion}, minified, gzip -9`);
console.log(`@duet/realtime        ${String(duet.minified).padStart(7)} B min  ${String(duet.gzipped).padStart(6)} B gz`);
console.log(`socket.io-client ${peerVersion.padEnd(6)}${String(peer.minified).padStart(7)} B min  ${String(peer.gzipped).padStart(6)} B gz`);
console.log(`ratio (gz) ${ratio.toFixed(3)} (goal <= 0.5)`);
console.log(
    `RESULT bench=client duet_gzip_bytes=${duet.gzipped} peer=socket.io-client peer_version=${peerVersion} ` +
        `peer_gzip_bytes=${peer.gzipped} ratio=${ratio.toFixed(3)} goal_max=0.5 pass=${ratio <= 0.5}`,
);
