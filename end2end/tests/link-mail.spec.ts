import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { OwnServer, SmtpSink, firstOwnerLogin, hydrated, startOwnServer, startSmtpSink } from './helpers';

// Personal links by mail in the console, through its own server sending to the
// real SMTP server of the Rust tests: the check shows the mails first, nothing goes
// out until "Send N messages", and the list shows each link's mail.
let own: OwnServer;
let smtp: SmtpSink;

test.beforeAll(async () => {
  smtp = await startSmtpSink();
  own = await startOwnServer('link-mail', ['--smtp-url', `smtp://127.0.0.1:${smtp.port}`, '--mail-from', 'Forms <forms@example.org>']);
});

test.afterAll(async () => {
  own?.stop();
  smtp?.stop();
});

test('links from a CSV by mail: checked first, sent on confirmation, each with its own link; the template refuses unknown variables', async ({ page }) => {
  test.setTimeout(120_000);
  await firstOwnerLogin(page, own.base, own.log());

  await page.goto(`${own.base}/admin/forms/contact-tracing/links`);
  await hydrated(page);
  await expect(page.getByText('Links can also go by mail')).toBeVisible();

  // The template: an unknown variable is refused, naming the part.
  const english = page.locator('fieldset[data-lang="en"]');
  await english.getByLabel('Subject').fill('Your link, {kunde}');
  await english.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '{kunde} is not a variable' })).toBeVisible();
  await english.getByLabel('Subject').fill('Your link for {form}, {recipient}');
  await english.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('The template was saved.')).toBeVisible();

  await page.getByLabel('or paste the CSV').fill(
    'label,email,name\nK-1,ada@example.org,Ada Lovelace\nK-2,bea@example.org,Bea Berg\nK-3,carl@example.org,Carl Benz\n');
  await page.getByLabel(/Send each link by mail/).check();
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  const check = page.locator('.mail-check');
  await expect(check).toContainText('3 messages to send');
  await expect(check.locator('.mail-preview')).toHaveCount(3);
  await expect(check.locator('.mail-preview').first()).toContainText('Your link for Guest registration, K-1');
  await expect(check.locator('.mail-preview').first()).toContainText('ada@example.org');
  expect((await new AxeBuilder({ page }).include('main').analyze()).violations).toEqual([]);
  await page.waitForTimeout(500);
  expect(smtp.mails.length).toBe(0);

  await check.getByRole('button', { name: 'Send 3 messages' }).click();
  await expect(page.getByText('3 messages queued')).toBeVisible();
  await expect.poll(() => smtp.mails.length, { timeout: 20_000 }).toBe(3);
  for (const [label, to] of [['K-1', 'ada@example.org'], ['K-2', 'bea@example.org'], ['K-3', 'carl@example.org']]) {
    const mail = smtp.mails.find((m) => m.to[0] === to)!;
    expect(mail.text).toContain(`Hello ${label},`);
    const id = mail.text.match(/\/f\/([A-Za-z0-9_-]+)#/)?.[1];
    await expect(page.locator(`tr[data-link="${id}"]`)).toContainText(label);
  }
  await expect.poll(async () => {
    await page.reload();
    return page.locator('td[data-mail="sent"]').count();
  }, { timeout: 20_000 }).toBe(3);
});
