import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createServer, IncomingHttpHeaders, Server } from 'http';
import { AddressInfo } from 'net';
import { readFileSync } from 'fs';
import { OwnServer, firstOwnerLogin, hydrated, startOwnServer } from './helpers';

// Its own server, allowed to deliver to 127.0.0.1, and a receiver here that keeps
// every delivery. Each is verified with the JavaScript of docs/messages.md itself,
// so the documented code is tested against what the server really sends.
let own: OwnServer;
let receiver: Server;
let receiverUrl = '';
const deliveries: { headers: IncomingHttpHeaders; body: Buffer }[] = [];

type Verifiers = {
  hmacOk: (secret: string, headers: IncomingHttpHeaders, body: Buffer) => boolean;
  ed25519Ok: (keys: { public_key: string }[], headers: IncomingHttpHeaders, body: Buffer) => boolean;
};

function documentedVerifiers(): Verifiers {
  const doc = readFileSync('../docs/messages.md', 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!code) throw new Error('docs/messages.md has no JavaScript verification snippet');
  // The snippet is an ES module: its one import becomes a require, its exports
  // plain functions (a changed snippet that no longer fits fails here, loudly).
  const body = code
    .replace(/^import \{([^}]*)\} from "node:crypto";$/m, 'const {$1} = require("node:crypto");')
    .replace(/^export function/gm, 'function');
  return new Function('require', `${body}\nreturn { hmacOk, ed25519Ok };`)(require);
}

test.beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  own = await startOwnServer('webhooks', ['--allow-private-webhooks']);
});

test.afterAll(async () => {
  own?.stop();
  receiver?.close();
});

test('an owner adds a webhook, sends a test event, and the delivery verifies with the documented code', async ({ page }) => {
  test.setTimeout(120_000);
  const { hmacOk, ed25519Ok } = documentedVerifiers();
  await firstOwnerLogin(page, own.base, own.log());

  await page.goto(`${own.base}/admin/forms/contact-tracing/design`);
  await hydrated(page);
  const panel = page.locator('section', { has: page.getByRole('heading', { name: 'Webhooks' }) });
  await expect(panel.getByText('No webhooks yet.')).toBeVisible();
  // Choosing the answers shows what that means before anything is saved.
  await panel.getByLabel('Include the answers').check();
  await expect(panel.getByRole('note')).toContainText('personal data');
  await panel.getByLabel('Include the answers').uncheck();
  await panel.getByLabel('Receiver address (URL)').fill(receiverUrl);
  await panel.getByRole('button', { name: 'Add webhook' }).click();
  const secret = (await panel.locator('code.webhook-secret').textContent()) ?? '';
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  await expect(panel.getByRole('listitem')).toContainText(receiverUrl);
  expect((await new AxeBuilder({ page }).include('section[aria-labelledby="webhooks-title"]').analyze()).violations).toEqual([]);

  await panel.getByRole('button', { name: 'Send test event' }).click();
  await expect(panel.getByText('Test event queued')).toBeVisible();
  await expect.poll(() => deliveries.length, { timeout: 20_000 }).toBe(1);
  const [delivery] = deliveries;
  const keys = (await (await fetch(`${own.base}/.well-known/formseal-keys.json`)).json()).keys;
  expect(hmacOk(secret, delivery.headers, delivery.body)).toBe(true);
  expect(ed25519Ok(keys, delivery.headers, delivery.body)).toBe(true);
  // A body changed on the way verifies with neither.
  const altered = Buffer.concat([delivery.body, Buffer.from(' ')]);
  expect(hmacOk(secret, delivery.headers, altered)).toBe(false);
  expect(ed25519Ok(keys, delivery.headers, altered)).toBe(false);
  expect(JSON.parse(delivery.body.toString()).type).toBe('webhook.test');

  // The outbox shows the delivery with the receiver's answer.
  await page.goto(`${own.base}/admin/messages?form=contact-tracing`);
  await hydrated(page);
  await expect(page.locator('tr[data-status="sent"]')).toHaveCount(1);
  await expect(page.locator('tr[data-status="sent"]')).toContainText('Webhook: test event');
});
