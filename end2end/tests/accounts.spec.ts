import { test, expect } from '@playwright/test';
import { fillDemo, hydrated, login } from './helpers';

test('an invited partner sets a password, sees only its form, and no personal answers', async ({ page, browser }) => {
  // A visitor submits the demo form, so there is something to see.
  await page.goto('/demo');
  const person = await fillDemo(page);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.locator('formseal-form').getByText('Thank you, your visit is registered.')).toBeVisible();

  // The owner invites a partner agency for the demo form only.
  await login(page);
  await page.getByRole('link', { name: 'People' }).click();
  await expect(page.getByRole('heading', { name: 'People' })).toBeVisible();
  const user = `agency-${Date.now()}`;
  await page.getByLabel('User name').fill(user);
  await page.locator('#invite-role').selectOption('partner');
  await page.getByLabel('Partners only: forms (ids, comma-separated)').fill('contact-tracing');
  await page.getByRole('button', { name: 'Create invitation link' }).click();
  const link = await page.getByLabel('Invitation link').inputValue();
  expect(link).toContain('/admin/invite/');

  // The partner opens the link in their own browser and chooses a password.
  const context = await browser.newContext();
  const partner = await context.newPage();
  await partner.goto(link);
  await expect(partner.getByRole('heading', { name: `Welcome, ${user}` })).toBeVisible();
  await hydrated(partner);
  await partner.getByLabel('Password', { exact: true }).fill('password12345');
  await partner.getByLabel('Password again').fill('password12345');
  await partner.getByRole('button', { name: 'Set password' }).click();
  await expect(partner.getByRole('alert')).toContainText('too easy to guess');
  const password = 'violet harbour sketches seven kites';
  await partner.getByLabel('Password', { exact: true }).fill(password);
  await partner.getByLabel('Password again').fill(password);
  await partner.getByRole('button', { name: 'Set password' }).click();
  await expect(partner).toHaveURL(/\/admin\/login/);

  await hydrated(partner);
  await partner.getByLabel('User name').fill(user);
  await partner.getByLabel('Password').fill(password);
  await partner.getByRole('button', { name: 'Log in' }).click();
  await expect(partner.getByRole('heading', { name: 'Forms' })).toBeVisible();
  // Only the assigned form is listed (other tests created more).
  await expect(partner.locator('table.list tbody tr')).toHaveCount(1);
  await partner.getByRole('link', { name: 'Guest registration', exact: true }).click();
  await expect(partner.getByText(/submissions/).first()).toBeVisible();
  // Compact view: names and phone numbers are not there, in the list or a submission.
  await expect(partner.getByText(person)).toHaveCount(0);
  await partner.locator('table.submissions a').first().click();
  await expect(partner.getByText('signature valid')).toBeVisible();
  await expect(partner.getByText('Full name')).toHaveCount(0);
  await expect(partner.getByText('+49301234567')).toHaveCount(0);
  // The People page and the audit log are not theirs.
  await partner.goto('/admin/accounts');
  await expect(partner.getByRole('alert')).toHaveText('You are not allowed to do this.');
  await context.close();

  // The owner's audit log shows the partner's view of that submission.
  await page.goto(`/admin/audit?actor=${user}`);
  await expect(page.getByRole('cell', { name: 'submission_viewed' })).toBeVisible();
  // The action filter offers every action the server records, the newest too.
  const actions = page.getByLabel('Action');
  for (const action of ['password_changed', 'password_reset', 'link_qr', 'funnel_switched', 'submissions_exported']) {
    await expect(actions.locator(`option[value="${action}"]`)).toHaveCount(1);
  }
  await page.getByRole('button', { name: 'Check the chain' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Intact' })).toBeVisible();
});
