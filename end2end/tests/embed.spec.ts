import { test, expect, Page } from '@playwright/test';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { fillDemo } from './helpers';

const server = process.env.FORMSEAL_URL ?? 'http://127.0.0.1:3000';

// A customer's landing page: a real HTTP server on another loopback port, so the
// widget is embedded cross-origin as it is in production.
let landing: Server;
let landingHtml = '';
let landingCsp = '';
test.beforeAll(async () => {
  landing = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...(landingCsp ? { 'content-security-policy': landingCsp } : {}) });
    res.end(landingHtml);
  });
  await new Promise<void>((resolve) => landing.listen(0, '127.0.0.1', resolve));
});
test.afterAll(async () => {
  await new Promise((resolve) => landing.close(resolve));
});

async function hostPage(page: Page, body: string, head = '', csp = '') {
  landingCsp = csp;
  landingHtml = `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;
  const port = (landing.address() as AddressInfo).port;
  await page.goto(`http://127.0.0.1:${port}/landing.html`);
}

const tag = (attrs: string) => `<script src="${server}/embed.js" data-form="contact-tracing" ${attrs} async></script>`;

test('hostile host CSS cannot break it, and two forms on one page both work', async ({ page }) => {
  const hostile = `<style>
    * { all: unset !important; } div, section, form, input, button { display: none !important; }
    html { font-size: 40px !important; } *, *::before, *::after { box-sizing: content-box !important; }
  </style>`;
  await hostPage(page, `<p>Our shop</p><section id="slot"></section>${tag('data-target="#slot"')}${tag('data-lang="de"')}`, hostile);

  // The second form loads when it comes near the viewport.
  await page.locator('formseal-form').scrollIntoViewIfNeeded();
  await expect(page.getByLabel('Vor- und Nachname')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Absenden' })).toBeVisible();
  const name = page.getByLabel('Full name');
  await expect(name).toBeVisible();
  const size = await name.evaluate((el) => getComputedStyle(el).fontSize);
  expect(size).toBe('16px');

  await fillDemo(page);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByText('Thank you, your visit is registered.')).toBeVisible();
  // The other form is untouched.
  await expect(page.getByRole('button', { name: 'Absenden' })).toBeVisible();
});

test('the host page can theme the form through custom properties', async ({ page }) => {
  await hostPage(page, tag(''), '<style>formseal-form { --fs-accent: rgb(200, 0, 100); --fs-radius: 0px; }</style>');
  const submit = page.getByRole('button', { name: 'Submit' });
  await expect(submit).toBeVisible();
  expect(await submit.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(200, 0, 100)');
  expect(await page.getByLabel('Full name').evaluate((el) => getComputedStyle(el).borderTopLeftRadius)).toBe('0px');
});

test('popup mode opens the form in a dialog', async ({ page }) => {
  await hostPage(page, `<h1>Welcome</h1>${tag('data-mode="popup" data-label="Register your visit"')}`);
  await page.getByRole('button', { name: 'Register your visit' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Full name')).toBeVisible();
  await fillDemo(page);
  await dialog.getByRole('button', { name: 'Submit' }).click();
  await expect(dialog.getByText('Thank you, your visit is registered.')).toBeVisible();
});

test('the widget loads only when the form comes near the viewport', async ({ page }) => {
  let wasm = 0;
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm++; });
  await hostPage(page, `<div style="height: 4000px">Long page</div>${tag('')}`);
  await page.waitForTimeout(1000);
  expect(wasm).toBe(0);
  await page.mouse.wheel(0, 4000);
  await expect(page.getByLabel('Full name')).toBeVisible();
  expect(wasm).toBe(1);
});

test('a draft survives a reload and is gone after submit', async ({ page }) => {
  await page.goto('/demo');
  await page.getByLabel('Full name').fill('Draft Person');
  await page.getByLabel('Phone').fill('+49 30 7654321');
  await page.reload();
  await expect(page.getByLabel('Full name')).toHaveValue('Draft Person');
  await expect(page.getByLabel('Phone')).toHaveValue('+49 30 7654321');

  await page.getByRole('button', { name: 'Clear form' }).click();
  await expect(page.getByLabel('Full name')).toHaveValue('');
  await page.reload();
  await expect(page.getByLabel('Full name')).toHaveValue('');

  await fillDemo(page);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByText('Thank you, your visit is registered.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Full name')).toHaveValue('');
});

test('a strict Content-Security-Policy on the host page needs only our origin and wasm', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  // What docs/embedding.md tells site owners to allow; no 'unsafe-inline' anywhere.
  const csp = `default-src 'none'; script-src ${server} 'wasm-unsafe-eval'; connect-src ${server}; style-src 'none'`;
  await hostPage(page, `<h1>Strict shop</h1>${tag('')}`, '', csp);
  await expect(page.getByLabel('Full name')).toBeVisible();
  const border = await page.getByLabel('Full name').evaluate((el) => getComputedStyle(el).borderTopStyle);
  expect(border).toBe('solid'); // our stylesheet applied
  await fillDemo(page);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByText('Thank you, your visit is registered.')).toBeVisible();
  expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
});
