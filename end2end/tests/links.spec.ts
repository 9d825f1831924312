import { test, expect, devices, Page } from '@playwright/test';
import { readFileSync } from 'fs';
import { createHash, createPublicKey, verify } from 'crypto';
import AxeBuilder from '@axe-core/playwright';
import { canonical, hydrated, login } from './helpers';

const BASE = process.env.FORMSEAL_URL ?? 'http://127.0.0.1:3000';

/// A published form with a signature field (the customer questionnaire template).
async function publishAgreement(page: Page): Promise<string> {
  const id = `agreement-${Date.now()}`;
  let res = await page.request.post('/admin/fn/create-form', {
    form: { start: 'customer_questionnaire', id, title: 'Customer agreement' },
  });
  expect(res.status()).toBe(200);
  const data = await (await page.request.post('/admin/fn/designer', { form: { id } })).json();
  data.definition.notice.controller = {
    name: 'Example GmbH',
    address: 'Musterstraße 1, 10115 Berlin',
    contact: 'privacy@example.com',
  };
  res = await page.request.post('/admin/fn/save-draft', { data: { id, definition: data.definition, origins: [] } });
  expect(res.status()).toBe(200);
  const published = await (await page.request.post('/admin/fn/publish', { form: { id } })).json();
  expect(published.version, JSON.stringify(published)).toBeTruthy();
  return id;
}

/// Draws one stroke on the canvas with real touch input (Chromium's touch emulation
/// turns it into pointer events of type "touch", with the force as pressure).
async function touchStroke(page: Page, points: [number, number][]) {
  const canvas = page.locator('canvas.fs-signature');
  const box = (await canvas.boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const at = ([x, y]: [number, number]) => [{ x: box.x + x, y: box.y + y, force: 0.5, radiusX: 2, radiusY: 2 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(points[0]) });
  for (const p of points.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(p) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

function rawKey(b64: string) {
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(b64, 'base64url')]);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

test('a customer opens a personal link on a phone, signs with a finger and keeps a copy; the operator sees it', async ({
  page,
  browser,
}) => {
  await login(page);
  const form = await publishAgreement(page);

  // The operator makes a single-use link with a locked name and an editable birth date.
  await page.goto(`/admin/forms/${form}/links`);
  await hydrated(page);
  await page.getByLabel('Recipient label (e.g. customer number)').fill('K-1001');
  await page.locator('#prefill-name').fill('Ada Lovelace');
  await page.getByLabel('lock Full name', { exact: true }).check();
  await page.locator('#prefill-birth_date').fill('1990-12-10');
  await page.getByRole('button', { name: 'Create link', exact: true }).click();
  const urlBox = page.locator('#new-link-url');
  await expect(urlBox).toHaveValue(/\/f\/[A-Za-z0-9_-]+#[A-Za-z0-9_-]{43}$/);
  const url = await urlBox.inputValue();
  await expect(page.locator('.new-link .qr svg')).toBeVisible();
  expect((await new AxeBuilder({ page }).analyze()).violations, 'links page').toEqual([]);
  await expect(page.getByRole('link', { name: 'QR code (PNG)' }).first()).toHaveAttribute('href', /^data:image\/png;base64,/);
  // The PNG is a real image (the browser decodes it).
  const png = await page.locator('.new-link').getByRole('link', { name: 'QR code (PNG)' }).getAttribute('href');
  const width = await page.evaluate(
    (src) =>
      new Promise<number>((resolve, reject) => {
        const image = new Image();
        image.onload = () => resolve(image.naturalWidth);
        image.onerror = () => reject(new Error('the PNG does not decode'));
        image.src = src;
      }),
    png!,
  );
  expect(width).toBeGreaterThan(200);

  // The customer's phone.
  const phone = await browser.newContext({ ...devices['Pixel 7'], baseURL: BASE, acceptDownloads: true });
  const mobile = await phone.newPage();
  await mobile.goto(url);
  await expect(mobile.getByText('Example GmbH').first()).toBeVisible();
  const name = mobile.getByRole('textbox', { name: /^Full name/ });
  await expect(name).toHaveValue('Ada Lovelace');
  await expect(name).toBeDisabled();
  await expect(mobile.getByRole('textbox', { name: /^Date of birth/ })).toHaveValue('1990-12-10');
  expect((await new AxeBuilder({ page: mobile }).analyze()).violations, 'link page').toEqual([]);
  await mobile.getByLabel('Street and number').fill('Musterstraße 1');
  await mobile.getByLabel('Postcode').fill('10115');
  await mobile.getByLabel('City').fill('Berlin');
  await mobile.getByLabel('Letter', { exact: true }).check();

  await touchStroke(mobile, [[20, 40], [45, 60], [70, 35], [95, 65], [120, 40]]);
  await touchStroke(mobile, [[30, 80], [110, 85]]);
  await expect(mobile.getByRole('button', { name: 'Remove last stroke', exact: true })).toBeEnabled();
  await mobile.getByRole('button', { name: 'Submit', exact: true }).click();
  await expect(mobile.getByText('Thank you, your answers were received.')).toBeVisible();

  // The signer's copy: a printable page and the signed JSON.
  const [pageDownload] = await Promise.all([
    mobile.waitForEvent('download'),
    mobile.getByRole('link', { name: 'Download your copy (printable)' }).click(),
  ]);
  const html = readFileSync((await pageDownload.path())!, 'utf8');
  expect(html).toContain('Ada Lovelace');
  expect(html).toContain('<polyline');
  expect(html).toContain('I confirm that the information above is correct.');
  const [jsonDownload] = await Promise.all([
    mobile.waitForEvent('download'),
    mobile.getByRole('link', { name: 'Signed data (JSON)' }).click(),
  ]);
  const proof = JSON.parse(readFileSync((await jsonDownload.path())!, 'utf8'));
  const strokes = proof.envelope.answers.signature.strokes;
  expect(strokes.length).toBe(2);
  expect(strokes[0][0].length, 'touch pressure is recorded').toBe(4);
  expect(proof.envelope.link).toBe(url.split('#')[0].split('/').pop());

  // The copy verifies with the documented protocol, without Formseal code.
  const envelopeBytes = Buffer.from(`formseal/v1/envelope\n${canonical(proof.envelope)}`, 'utf8');
  expect(verify(null, envelopeBytes, rawKey(proof.public_key), Buffer.from(proof.signature, 'base64url'))).toBe(true);
  expect(createHash('sha256').update(envelopeBytes).digest('base64url')).toBe(proof.receipt.receipt.envelope);
  const keys = await (await page.request.get('/.well-known/formseal-keys.json')).json();
  const instance = keys.keys.find((k: { id: string }) => k.id === proof.receipt.key);
  const receiptBytes = Buffer.from(`formseal/v1/receipt\n${canonical(proof.receipt.receipt)}`, 'utf8');
  expect(verify(null, receiptBytes, rawKey(instance.public_key), Buffer.from(proof.receipt.signature, 'base64url'))).toBe(true);

  // Used once: the link now says so, kindly.
  await mobile.reload();
  await expect(mobile.getByRole('heading', { name: 'This link was already used' })).toBeVisible();

  // The operator sees the link as submitted and the signature drawn from its strokes.
  await page.goto(`/admin/forms/${form}/links?status=submitted`);
  await hydrated(page);
  await expect(page.locator('tr[data-status="submitted"]', { hasText: 'K-1001' })).toBeVisible();
  await page.goto(`/admin/forms/${form}`);
  await page.getByRole('link', { name: /T\d/ }).first().click();
  await expect(page.getByRole('heading', { name: 'E-signature' })).toBeVisible();
  await expect(page.locator('.signature-drawing-box svg polyline')).toHaveCount(2);
  await expect(page.getByText('I confirm that the information above is correct.', { exact: true })).toBeVisible();
  await expect(page.getByText('verified: signature and receipt valid')).toBeVisible();
  await expect(page.getByText(/the key of personal link/).first()).toBeVisible();
  await phone.close();
});

test('an expired link shows a friendly page on the phone', async ({ page, browser }) => {
  await login(page);
  const form = await publishAgreement(page);
  await page.goto(`/admin/forms/${form}/links`);
  await hydrated(page);
  await page.getByLabel('Recipient label (e.g. customer number)').fill('K-2002');
  await page.getByRole('button', { name: 'Create link', exact: true }).click();
  const url = await page.locator('#new-link-url').inputValue();
  expect(url).toContain('#');
  const row = page.locator('tr', { hasText: 'K-2002' });
  await row.getByRole('button', { name: 'End now' }).click();
  await expect(page.locator('tr[data-status="expired"]', { hasText: 'K-2002' })).toBeVisible();

  const phone = await browser.newContext({ ...devices['Pixel 7'], baseURL: BASE });
  const mobile = await phone.newPage();
  const response = await mobile.goto(url);
  expect(response?.status()).toBe(410);
  await expect(mobile.getByRole('heading', { name: 'This link has expired' })).toBeVisible();
  await expect(mobile.getByText('please ask the sender for a new link')).toBeVisible();
  await phone.close();
});

test('links from a CSV: a bad row is named and nothing is made until all rows are right', async ({ page }) => {
  await login(page);
  const form = await publishAgreement(page);
  await page.goto(`/admin/forms/${form}/links`);
  await hydrated(page);
  const csv = page.getByLabel('or paste the CSV');
  await csv.fill('label,name,birth_date\nK-1,Ada Lovelace,1990-01-01\nK-2,Bea Berg,31.12.1990\n');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(page.locator('tr[data-row="3"].row-error')).toContainText('birth_date');
  await expect(page.getByText('Fix the rows above, then check again. Nothing was created.')).toBeVisible();
  await expect(page.locator('tr[data-status]')).toHaveCount(0);

  await csv.fill('label,name,birth_date\nK-1,Ada Lovelace,1990-01-01\nK-2,Bea Berg,1990-12-31\n');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByRole('button', { name: 'Create 2 links', exact: true }).click();
  const download = page.getByRole('link', { name: 'Download the links (CSV)' });
  await expect(download).toBeVisible();
  const href = (await download.getAttribute('href'))!;
  const text = Buffer.from(href.split(',')[1], 'base64').toString('utf8');
  const lines = text.trim().split(/\r?\n/);
  expect(lines[0]).toBe('label,link_id,url,expires_at');
  expect(lines).toHaveLength(3);
  expect(lines[1]).toMatch(/^K-1,[^,]+,http[^,]+\/f\/[^,#]+#[A-Za-z0-9_-]{43},/);
  await expect(page.locator('tr[data-status="created"]')).toHaveCount(2);
});
