import { test, expect, APIRequestContext } from '@playwright/test';
import { fillDemo, login, signedRequest, solveChallenge as solve, storedFor, today } from './helpers';

// What a client written from docs/protocol.md alone sends (helpers.ts: RFC 8785
// bytes, ed25519 from Node, the proof-of-work solver).
const demoRequest = (api: APIRequestContext, name: string) => api.get('/api/v1/forms/contact-tracing')
  .then((r) => r.json())
  .then((form) => signedRequest('contact-tracing', form.version, {
    name, address: 'Musterstraße 1\n10115 Berlin', phone: '+49301234567', visit_date: today(), visit_time: `${today()}T18:30`,
  }));

async function challenge(request: APIRequestContext) {
  const res = await request.get('/api/v1/forms/contact-tracing/challenge');
  expect(res.status()).toBe(200);
  return res.json();
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
  const request = await demoRequest(api, person);

  expect(await refused(request, 400, 'proof_required')).toContain('proof of work');
  const signed = await challenge(api);
  // Work is on for the suite: the server asks for real work.
  expect(signed.challenge.difficulty).toBeGreaterThanOrEqual(16);
  await refused({ ...request, proof: { ...signed, solution: Buffer.from('lazy').toString('base64url') } }, 400, 'proof_insufficient');
  const forged = solve({ ...signed, challenge: { ...signed.challenge, difficulty: 1 } });
  await refused({ ...request, proof: forged }, 400, 'proof_invalid');

  const proof = solve(signed);
  const ok = await post({ ...request, proof });
  expect(ok.status()).toBe(201);
  const other = await demoRequest(api, `${person} again`);
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

test('the honeypot: people never meet it; filled, the form says why, keeps the answers, and sends them again on request', async ({ page }) => {
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

  // A robot (or a browser's automatic filling) fills every input it finds.
  const person = await fillDemo(page);
  await trap.fill('https://cheap-pills.example', { force: true });
  await page.getByRole('button', { name: 'Submit' }).click();
  const told = page.getByRole('alert').filter({ hasText: 'filled in a field that is hidden on this form' });
  await expect(told).toBeVisible();
  await expect(told).toContainText('Your answers are kept');
  expect(events).toHaveLength(1);
  expect(events[0]).toContain('password manager');
  // Nothing was stored, and what the person typed is still in the form.
  await expect(page.getByLabel('Full name')).toHaveValue(person);
  await expect(trap).toHaveValue('');
  const demo = page.url();
  await login(page);
  expect(await storedFor(page, person)).toBe(0);

  // A person sends again as they are told: the trap is empty now, the same answers go.
  await page.goto(demo);
  const again = await fillDemo(page);
  await trap.fill('autofilled by a password manager', { force: true });
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'hidden on this form' })).toBeVisible();
  await page.getByRole('button', { name: 'Send again' }).click();
  await expect(page.getByText('Thank you, your visit is registered.')).toBeVisible();
  expect(await storedFor(page, again)).toBe(1);
});
