// Duet resize benchmark, the sharp (libvips) peer. Usage: node sharp-resize.js MODE OUTDIR QUALITY PASSES FILE...
// MODE usual: three pipelines per image, as sharp is usually written; cascade: decode once at 2048,
// derive 1080 and 320 from it. Prints one "RESULT images=... cpu_s=... rss_mb=..." line.
const sharp = require('sharp');
const fs = require('fs');
const path = require('path');

sharp.concurrency(1);
sharp.cache(false);
const [mode, outDir, quality, passes, ...files] = process.argv.slice(2);
const q = Math.round(parseFloat(quality) * 100);
const sizes = [2048, 1080, 320];

async function usual(file, keep) {
  for (const size of sizes) {
    const out = await sharp(file).rotate().resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: q }).toBuffer();
    if (keep && size === 320) fs.writeFileSync(path.join(outDir, path.basename(file) + '.320.jpg'), out);
  }
}

async function cascade(file, keep) {
  const large = await sharp(file).rotate().resize(2048, 2048, { fit: 'inside', withoutEnlargement: true })
    .raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: large.info };
  await sharp(large.data, raw).jpeg({ quality: q }).toBuffer();
  const medium = await sharp(large.data, raw).resize(1080, 1080, { fit: 'inside', withoutEnlargement: true })
    .raw().toBuffer({ resolveWithObject: true });
  await sharp(medium.data, { raw: medium.info }).jpeg({ quality: q }).toBuffer();
  const out = await sharp(medium.data, { raw: medium.info }).resize(320, 320, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: q }).toBuffer();
  if (keep) fs.writeFileSync(path.join(outDir, path.basename(file) + '.320.jpg'), out);
}

(async () => {
  const run = mode === 'cascade' ? cascade : usual;
  for (const file of files) await run(file, true);   // warm-up pass, keeps the 320 px outputs
  const start = process.cpuUsage();
  const wall = process.hrtime.bigint();
  let images = 0;
  for (let p = 0; p < parseInt(passes, 10); p++) {
    for (const file of files) { await run(file, false); images++; }
  }
  const cpu = process.cpuUsage(start);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const wallS = Number(process.hrtime.bigint() - wall) / 1e9;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`RESULT images=${images} cpu_s=${cpuS.toFixed(3)} wall_s=${wallS.toFixed(3)} rss_mb=${rssMb.toFixed(0)}`);
})().catch(e => { console.error(e); process.exit(1); });
