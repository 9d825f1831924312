import { test, expect, APIRequestContext } from '@playwright/test';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'crypto';
import { fillDemo, login, storedFor, today } from './helpers';

// A client written from docs/protocol.md alone: RFC 8785 bytes (enough for these
// objects), ed25519 from Node, and a proof-of-work solver.
const b64 = (b: Buffer) => b.toString('base64url');
function jcs(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${jcs(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
const canonical = (kind: string, v: unknown) => Buffer.from(`formseal/v1/${kind}\n${jcs(v)}`);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();
const zeroBits = (h: Buffer) => {
  let bits = 0;
  for (const byte of h) {
    if (byte === 0) { bits += 8; continue; }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
};

async function signedRequest(request: APIRequestContext, name: string) {
  const form = await (await request.get('/api/v1/forms/contact-tracing')).json();
  const envelope = {
    v: 1, form: 'contact-tracing', version: form.version, nonce: b64(randomBytes(16)), client_time: new Date().toISOString(),
    answers: { name, address: 'Musterstraße 1\n10115 Berlin', phone: '+49301234567', visit_date: today(), visit_time: `${today()}T18:30` },
  };
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const signature = b64(sign(null, canonical('envelope', envelope), privateKey));
  return { envelope, public_key: publicKey.export({ format: 'jwk' }).x as string, signature };
}

async function challenge(request: APIRequestContext) {
  const res = await request.get('/api/v1/forms/contact-tracing/challenge');
  expect(res.status()).toBe(200);
  return res.json();
}

function solve(signed: { challenge: { difficulty: number } }) {
  const id = sha256(canonical('challenge', signed.challenge));
  const counter = Buffer.alloc(8);
  for (let n = 0n; ; n++) {
    counter.writeBigUInt64BE(n);
    if (zeroBits(sha256(Buffer.concat([id, counter]))) >= signed.challenge.difficulty) {
      return { ...signed, solution: b64(counter) };
    }
  }
}

test('a post without a valid proof of work is refused; the widget solves one by itself', async ({ page }) => {
  const api = page.request;
  const post = (body: unknown) => api.post('/api/v1/forms/contact-tracing/submissions', { data: body });
  const refused = async (body: unknown, status: number, code: string) => {
    const res = await post(body);
    expect(res.status()).toBe(status);
    const json = await res.json();
    expect(json.error).toBe(code);
    expect(json.message).toMatch(/^[A-Z].+\.$/);
    return json.message as string;
  };
  const person = `Proof Tester ${Date.now()}`;
  const request = await signedRequest(api, person);

  expect(await refused(request, 400, 'proof_required')).toContain('proof of work');
  const signed = await challenge(api);
  // Work is on for the suite: the server asks for real work.
  expect(signed.challenge.difficulty).toBeGreaterThanOrEqual(16);
  await refused({ ...request, proof: { ...signed, solution: b64(Buffer.from('lazy')) } }, 400, 'proof_insufficient');
  const forged = solve({ ...signed, challenge: { ...signed.challenge, difficulty: 1 } });
  await refused({ ...request, proof: forged }, 400, 'proof_invalid');

  const proof = solve(signed);
  const ok = await post({ ...request, proof });
  expect(ok.status()).toBe(201);
  const other = await signedRequest(api, `${person} again`);
  expect(await refused({ ...other, proof }, 409, 'proof_spent')).toContain('already used');
  // Retrying the stored one still gets its receipt.
  const again = await post({ ...request, proof });
  expect(again.status()).toBe(200);
  expect((await again.json()).receipt.submission).toBe((await ok.json()).receipt.submission);

  // The widget: its post carries a solved proof and an empty honeypot.
  const posted: any[] = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/submissions')) posted.push(r.postDataJSON()); });
  await page.goto('/demo');
  await fillDemo(page);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByText('Thank you, your visit is registered.')).toBeVisible();
  expect(posted).toHaveLength(1);
  expect(posted[0].proof.challenge.difficulty).toBe(signed.challenge.difficulty);
  expect(posted[0].hp).toBeUndefined();
  const work = await page.evaluate(() => performance.getEntriesByName('formseal:pow').map((e) => (e as PerformanceMeasure).detail));
  expect(work).toHaveLength(1);
  expect(work[0].hashes).toBeGreaterThan(0);
});

test('the honeypot: people never meet it, robots that fill it are refused', async ({ page }) => {
  const events: string[] = [];
  await page.exposeFunction('formsealError', (detail: string) => events.push(detail));
  await page.addInitScript(() => document.addEventListener('formseal:error', (e) => (window as any).formsealError((e as CustomEvent).detail)));
  await page.goto('/demo');
  const trap = page.locator('formseal-form input[name=website]');
  await expect(page.getByLabel('Full name')).toBeVisible();
  // Not in the accessibility tree, not in the tab order, not on screen.
  await expect(page.getByRole('textbox', { name: 'Website' })).toHaveCount(0);
  await expect(trap).toHaveAttribute('tabindex', '-1');
  const box = await trap.boundingBox();
  expect(box!.x + box!.width).toBeLessThan(0);
  // It sits between these two buttons in the page; Tab goes from one to the other.
  await page.getByRole('button', { name: 'Submit' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Clear form' })).toBeFocused();

  // A robot fills every input it finds.
  const person = await fillDemo(page);
  await trap.fill('https://cheap-pills.example', { force: true });
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The submission was refused.' })).toBeVisible();
  expect(events).toEqual(['The submission was refused.']);
  await login(page);
  expect(await storedFor(page, person)).toBe(0);
});
