import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { OWNER_PASSWORD, OwnServer, chooseOwnPassword, hydrated, oneTimePassword, startOwnServer, totpCode } from './helpers';

// Its own server with a short idle time (90 s: the page warns after 15 s and locks
// after 30 s without activity), so the lock screen can be seen in a test.
let own: OwnServer;
let base = '';
let log = '';

test.beforeAll(async () => {
  own = await startOwnServer('idle', ['--session-idle-seconds', '90']);
  base = own.base;
  log = own.log();
});

test.afterAll(async () => own?.stop());

test('with a second factor: log in with a code; an idle console warns, locks without losing the page, and unlocks', async ({ page }) => {
  test.setTimeout(180_000);
  const oneTime = oneTimePassword(log);
  await page.goto(`${base}/admin/login`);
  await hydrated(page);
  await page.getByLabel('User name').fill('owner');
  await page.getByLabel('Password').fill(oneTime);
  await page.getByRole('button', { name: 'Log in' }).click();
  // The password from the log must be replaced before anything else: even the forms
  // list sends the person back to the password page.
  await expect(page).toHaveURL(/\/admin\/password$/);
  await page.goto(`${base}/admin`);
  await expect(page).toHaveURL(/\/admin\/password$/);
  await expect(page.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
  expect((await new AxeBuilder({ page }).include('main').analyze()).violations).toEqual([]);
  await chooseOwnPassword(page, oneTime);
  const password = OWNER_PASSWORD;
  await page.goto(`${base}/admin`);
  await expect(page.getByRole('heading', { name: 'Forms' })).toBeVisible();

  // Set up the authenticator app.
  await page.getByRole('link', { name: 'Your sessions' }).click();
  await page.getByRole('button', { name: 'Set up' }).click();
  await expect(page.locator('.qr svg')).toBeVisible();
  const secret = await page.locator('#tf-secret').innerText();
  await page.getByLabel('Code shown by the app').fill(totpCode(secret));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.locator('.recovery-codes li')).toHaveCount(10);
  const recovery = await page.locator('.recovery-codes li').first().innerText();

  // Log out and in again: now the code is asked for.
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/login$/);
  await hydrated(page);
  await page.getByLabel('User name').fill('owner');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toContainText('6-digit code');
  // The code that confirmed the app cannot be used again (it may still be the
  // current one): a recovery code instead.
  await page.getByLabel('Code from your authenticator app, or a recovery code').fill(recovery);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Forms' })).toBeVisible();

  // Some unsaved work on the page: text typed into the new-form panel.
  await page.getByLabel('Title').fill('Half-typed title');

  await expect(page.getByRole('alertdialog')).toContainText('locks in a minute', { timeout: 40_000 });
  await page.getByRole('button', { name: 'Stay logged in' }).click();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);

  // No activity: the screen locks and the page behind it is inert.
  await expect(page.getByRole('dialog', { name: 'Locked' })).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('main')).toHaveAttribute('inert', '');
  await page.getByLabel('Password').fill('not my password');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('dialog', { name: 'Locked' }).getByRole('alert')).toContainText('wrong user name or password');
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Code from your authenticator app').fill(totpCode(secret));
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('dialog', { name: 'Locked' })).toHaveCount(0);
  await expect(page.getByLabel('Title')).toHaveValue('Half-typed title');
  await expect(page.locator('main')).not.toHaveAttribute('inert', '');
});
