// Builds the published layout: dist/index.js (ES module), dist/index.cjs (CommonJS), dist/index.d.ts
// (types, and the type check) and dist/duet-realtime.min.js (a script tag's global DuetRealtime, which
// the gateway's demo page serves).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const common = { entryPoints: [path.join(root, "src/index.ts")], bundle: true, target: "es2020", logLevel: "warning" };

execFileSync(path.join(root, "node_modules/.bin/tsc"), ["-p", root], { stdio: "inherit" });
await Promise.all([
    build({ ...common, format: "esm", outfile: path.join(root, "dist/index.js") }),
    build({ ...common, format: "cjs", platform: "neutral", outfile: path.join(root, "dist/index.cjs") }),
    build({
        ...common,
        format: "iife",
        globalName: "DuetRealtime",
        minify: true,
        outfile: path.join(root, "dist/duet-realtime.min.js"),
    }),
]);
