// Widget measurements, run on demand (not a test): proof-of-work solve time in
// Chromium, unthrottled and with CPU throttling (CDP Emulation.setCPUThrottlingRate,
// rate 4, as a stand-in for a mid-range phone), and the time until the demo page's
// form is on screen compared with the same page carrying a plain HTML form.
//
//   FORMSEAL_URL=http://127.0.0.1:3000 node end2end/bench/widget-bench.mjs [runs]
//
// The server must run with the difficulty to measure (formseal serve
// --pow-difficulty N) and a rate-limit burst that allows the runs.
import { chromium } from '@playwright/test';
import { createServer } from 'http';

const server = process.env.FORMSEAL_URL ?? 'http://127.0.0.1:3000';
const runs = Number(process.argv[2] ?? 15);
const launch = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => `${x.toFixed(0)} ms`;

// Records when a frame is about to be painted with the form's first input present
// (in the page, or inside the widget's shadow root), relative to navigation start.
const watchForm = () => {
  const find = () => document.querySelector('input') ||
    document.querySelector('formseal-form')?.shadowRoot?.querySelector('input');
  const tick = () => {
    if (find()) window.__formShown = performance.now();
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

async function withPage(browser, rate, fn, context) {
  const ctx = context ?? (await browser.newContext());
  const page = await ctx.newPage();
  if (rate > 1) {
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  }
  try {
    return await fn(page);
  } finally {
    await page.close();
    if (!context) await ctx.close();
  }
}

async function powRuns(browser, rate) {
  const times = [];
  let hashes = 0;
  let difficulty = 0;
  for (let i = 0; i < runs; i++) {
    const entry = await withPage(browser, rate, async (page) => {
      await page.goto(`${server}/demo`);
      await page.waitForFunction(() => performance.getEntriesByName('formseal:pow').length > 0, null, { timeout: 120_000 });
      return page.evaluate(() => {
        const m = performance.getEntriesByName('formseal:pow')[0];
        return { duration: m.duration, ...m.detail };
      });
    });
    times.push(entry.duration);
    hashes += entry.hashes;
    difficulty = entry.difficulty;
  }
  const total = times.reduce((a, b) => a + b, 0);
  const rate_hs = hashes / (total / 1000);
  return { times, difficulty, rate_hs };
}

// The baseline: the demo page's text and styles, with the same fields as plain HTML.
function plainPage() {
  const field = (label, input) => `<p><label>${label}<br>${input}</label></p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Baseline: a landing page with a plain HTML form</title>
<link rel="icon" href="data:,">
<style>body { font-family: Georgia, serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }</style>
</head>
<body>
<h1>Café Formseal</h1>
<p>This is an ordinary page. The form below is plain HTML:</p>
<form method="post" action="/nowhere">
<h2>Guest registration</h2>
${field('Full name', '<input name="name" required>')}
${field('Address', '<textarea name="address" required></textarea>')}
${field('Phone', '<input name="phone" type="tel" required>')}
${field('E-mail (optional)', '<input name="email" type="email">')}
${field('Date of visit', '<input name="visit_date" type="date" required>')}
${field('Time of arrival', '<input name="visit_time" type="datetime-local" required>')}
<button type="submit">Submit</button>
</form>
</body>
</html>`;
}

async function renderRuns(browser, rate, url, warm) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const ctx = await browser.newContext();
    await ctx.addInitScript(watchForm);
    if (warm) {
      // A first visit fills the HTTP cache; the measured one is the second.
      await withPage(browser, 1, async (page) => {
        await page.goto(url);
        await page.waitForFunction(() => window.__formShown !== undefined);
      }, ctx);
    }
    const t = await withPage(browser, rate, async (page) => {
      await page.goto(url);
      await page.waitForFunction(() => window.__formShown !== undefined, null, { timeout: 60_000 });
      return page.evaluate(() => window.__formShown);
    }, ctx);
    await ctx.close();
    times.push(t);
  }
  return times;
}

const baseline = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(plainPage());
});
await new Promise((resolve) => baseline.listen(0, '127.0.0.1', resolve));
const plainUrl = `http://127.0.0.1:${baseline.address().port}/plain.html`;

const browser = await chromium.launch(launch);
console.log(`Chromium ${browser.version()}, ${runs} runs each, server ${server}`);
try {
  for (const rate of [1, 4]) {
    const pow = await powRuns(browser, rate);
    const expectedMean = 2 ** pow.difficulty / pow.rate_hs * 1000;
    console.log(`pow  cpu x${rate}: difficulty ${pow.difficulty} bits, median ${ms(median(pow.times))} ` +
      `(min ${ms(Math.min(...pow.times))}, max ${ms(Math.max(...pow.times))}); ` +
      `${(pow.rate_hs / 1e6).toFixed(2)} M hashes/s -> expected mean ${ms(expectedMean)}, ` +
      `expected median ${ms(expectedMean * Math.LN2)}`);
  }
  for (const [rate, warm] of (process.env.BENCH_POW_ONLY ? [] : [[1, false], [1, true], [4, false]])) {
    const demo = median(await renderRuns(browser, rate, `${server}/demo`, warm));
    const plain = median(await renderRuns(browser, rate, plainUrl, warm));
    console.log(`render cpu x${rate} ${warm ? 'warm cache' : 'cold cache'}: widget form ${ms(demo)}, ` +
      `plain form ${ms(plain)}, ratio ${(demo / plain).toFixed(1)}`);
  }
} finally {
  await browser.close();
  baseline.close();
}
