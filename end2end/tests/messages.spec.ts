import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import {
  OWNER_PASSWORD, OwnServer, SmtpSink, firstOwnerLogin, hydrated, startOwnServer, startSmtpSink,
} from './helpers';

// Its own server, sending mail to a real SMTP server on 127.0.0.1 (aiosmtpd, the
// same script the Rust tests use), so a password reset can be followed end to end.
let own: OwnServer;
let smtp: SmtpSink;
let base = '';
let log = '';
let mails: SmtpSink['mails'] = [];

async function mailCount(n: number) {
  await expect.poll(() => mails.length, { timeout: 20_000 }).toBe(n);
}

test.beforeAll(async () => {
  smtp = await startSmtpSink();
  mails = smtp.mails;
  own = await startOwnServer('mail', ['--smtp-url', `smtp://127.0.0.1:${smtp.port}`, '--mail-from', 'Forms <forms@example.org>']);
  base = own.base;
  log = own.log();
});

test.afterAll(async () => {
  own?.stop();
  smtp?.stop();
});

test('forgot password: a link by mail sets a new one once; a stranger gets the same answer and no mail', async ({ page }) => {
  test.setTimeout(120_000);
  // The owner sets a mail address on their account page.
  await firstOwnerLogin(page, base, log);
  await page.goto(`${base}/admin/account`);
  await hydrated(page);
  await page.getByLabel('Your mail address').fill('owner@example.org');
  await page.getByRole('button', { name: 'Save' }).first().click();
  await expect(page.getByText('Saved.')).toBeVisible();

  // The outbox shows where mail goes, and a test message arrives.
  await page.goto(`${base}/admin/messages`);
  await hydrated(page);
  await expect(page.getByText('Sending through')).toBeVisible();
  await page.getByLabel('Send a test message to').fill('ops@example.org');
  await page.getByRole('button', { name: 'Send' }).click();
  await mailCount(1);
  await page.reload();
  await expect(page.locator('tr[data-status="sent"]')).toHaveCount(1);
  expect((await new AxeBuilder({ page }).include('main').analyze()).violations).toEqual([]);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/admin\/login/);

  // A stranger's address: the same words, no mail.
  await page.goto(`${base}/admin/login`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await hydrated(page);
  expect((await new AxeBuilder({ page }).include('main').analyze()).violations).toEqual([]);
  await page.getByLabel('User name or mail address').fill('someone@example.org');
  await page.getByRole('button', { name: 'Send the link' }).click();
  const answer = await page.getByRole('status').innerText();
  expect(answer).toContain('a link to choose a new password is on its way');

  // The owner's own address: the same words, and the mail.
  await page.goto(`${base}/admin/forgot`);
  await hydrated(page);
  await page.getByLabel('User name or mail address').fill('owner@example.org');
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByRole('status')).toHaveText(answer);
  await mailCount(2);
  const mail = mails[1];
  expect(mail.to).toEqual(['owner@example.org']);
  const link = mail.text.match(/https?:\/\/\S+\/admin\/reset\/[A-Za-z0-9_-]+/)?.[0];
  expect(link).toBeTruthy();

  await page.goto(link!);
  await hydrated(page);
  await expect(page.getByText('For the account')).toContainText('owner');
  expect((await new AxeBuilder({ page }).include('main').analyze()).violations).toEqual([]);
  const fresh = 'amber lantern drifts past noon';
  await page.getByLabel('New password', { exact: true }).fill(fresh);
  await page.getByLabel('New password again').fill(fresh);
  await page.getByRole('button', { name: 'Set the password' }).click();
  await expect(page).toHaveURL(/\/admin\/login\?reset=done$/);
  await expect(page.getByRole('status')).toContainText('Your new password is set');

  // The old password is gone, the new one works.
  await hydrated(page);
  await page.getByLabel('User name').fill('owner');
  await page.getByLabel('Password').fill(OWNER_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await page.getByLabel('Password').fill(fresh);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Forms' })).toBeVisible();

  // The link worked once.
  await page.goto(link!);
  await expect(page.getByRole('alert')).toContainText('used or has expired');
  expect(mails.length).toBe(2);
});
