import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'fs';
import { hydrated, login, proofOfWork, signedRequest, today } from './helpers';

// A person asks what is stored about them (Art. 15), then to be erased (Art. 17).
async function visit(page: Page, name: string, email: string, phone: string): Promise<string> {
  const form = await (await page.request.get('/api/v1/forms/contact-tracing')).json();
  const body = {
    ...signedRequest('contact-tracing', form.version, {
      name, email, phone, address: 'Musterstraße 1\n10115 Berlin', visit_date: today(), visit_time: `${today()}T18:30`,
    }),
    proof: await proofOfWork(page.request, 'contact-tracing'),
  };
  const res = await page.request.post('/api/v1/forms/contact-tracing/submissions', { data: body });
  expect(res.status()).toBe(201);
  return (await res.json()).receipt.submission;
}

async function erasedCount(page: Page): Promise<number> {
  await page.goto('/admin/retention');
  return Number(await page.getByTestId('erased-contact-tracing').innerText());
}

test('a DPO registers a request, finds the person, reviews, reports, and erases', async ({ page, browser }) => {
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const email = `erika-${stamp}@example.org`;
  const first = await visit(page, `Erika Mustermann ${stamp}`, email, '+4915112345678');
  const second = await visit(page, `Erika M. ${stamp}`, email.toUpperCase(), '+4915112345679');
  await visit(page, `Someone Else ${stamp}`, `other-${stamp}@example.org`, '+4915112345670');

  // The owner invites a data protection officer, who sets a password and logs in.
  await login(page);
  await page.getByRole('link', { name: 'People' }).click();
  const user = `dpo-${stamp}`;
  await page.getByLabel('User name').fill(user);
  await page.locator('#invite-role').selectOption('dpo');
  await page.getByRole('button', { name: 'Create invitation link' }).click();
  const link = await page.getByLabel('Invitation link').inputValue();
  const context = await browser.newContext({ acceptDownloads: true });
  const dpo = await context.newPage();
  await dpo.goto(link);
  await hydrated(dpo);
  const password = 'amber lantern drifts over quiet fjords';
  await dpo.getByLabel('Password', { exact: true }).fill(password);
  await dpo.getByLabel('Password again').fill(password);
  await dpo.getByRole('button', { name: 'Set password' }).click();
  await expect(dpo).toHaveURL(/\/admin\/login/);
  await hydrated(dpo);
  await dpo.getByLabel('User name').fill(user);
  await dpo.getByLabel('Password').fill(password);
  await dpo.getByRole('button', { name: 'Log in' }).click();
  await expect(dpo.getByRole('heading', { name: 'Forms' })).toBeVisible();
  const before = await erasedCount(dpo);

  // Register the request: due one month after it arrived.
  await dpo.getByRole('link', { name: 'Requests' }).click();
  await expect(dpo.getByRole('heading', { name: 'Data-subject requests' })).toBeVisible();
  await hydrated(dpo);
  await dpo.getByLabel('Who asked').fill(`Erika, letter ${stamp}`);
  await dpo.getByLabel('Received on').fill(today());
  await dpo.getByLabel('Identity check').fill('Copy of ID card seen, then destroyed');
  await dpo.getByRole('button', { name: 'Register' }).click();
  await expect(dpo).toHaveURL(/\/admin\/requests\/[0-9a-f-]+$/);
  await expect(dpo.getByRole('heading', { name: `Request of Erika, letter ${stamp}` })).toBeVisible();
  await expect(dpo.getByTestId('request-status')).toHaveText('Received');
  await hydrated(dpo);

  // Search by e-mail: both visits, not the other guest.
  await dpo.getByLabel('E-mail').fill(email);
  await dpo.getByRole('button', { name: 'Search' }).click();
  await expect(dpo.getByRole('status').first()).toHaveText('2 submissions listed for review.');
  const hits = dpo.locator('article.hit');
  await expect(hits).toHaveCount(2);
  await expect(dpo.getByText(`Someone Else ${stamp}`)).toHaveCount(0);
  await expect(dpo.getByTestId('request-status')).toHaveText('In review');
  // The review screen works with assistive technology (labels, names, contrast).
  const axe = await new AxeBuilder({ page: dpo }).include('main').analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);

  // Exclude the second visit, with a note.
  const secondHit = dpo.locator(`article.hit[data-submission="${second}"]`);
  await secondHit.getByLabel('Note').fill('Reported separately');
  await secondHit.getByRole('button', { name: 'Exclude' }).click();
  await expect(secondHit.getByRole('heading')).toContainText('excluded');

  // The report: JSON download and the printable page hold the included visit only.
  const download = dpo.waitForEvent('download');
  await dpo.getByRole('link', { name: 'Download JSON' }).click();
  const report = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
  expect(report.entries.map((e: { submission: string }) => e.submission)).toEqual([first]);
  expect(JSON.stringify(report)).toContain(`Erika Mustermann ${stamp}`);
  expect(JSON.stringify(report)).not.toContain(`Erika M. ${stamp}`);
  const printable = await context.newPage();
  await printable.goto(dpo.url() + '/report.html?lang=de');
  await expect(printable.getByRole('heading', { name: 'Auskunft über Ihre personenbezogenen Daten' })).toBeVisible();
  await expect(printable.getByText(`Erika Mustermann ${stamp}`)).toBeVisible();
  await expect(printable.getByText(`Erika M. ${stamp}`)).toHaveCount(0);
  await printable.close();

  // Erase the included visit; the excluded one stays.
  await dpo.getByLabel('No law requires keeping these answers (Art. 17 (3))').check();
  await dpo.getByRole('button', { name: 'Erase the included answers' }).click();
  await expect(dpo.getByText('Erased 1; 0 were deleted before.')).toBeVisible();
  const firstHit = dpo.locator(`article.hit[data-submission="${first}"]`);
  await expect(firstHit.getByText(/answers deleted .* \(erasure\)/)).toBeVisible();
  await expect(dpo.getByText(`Erika Mustermann ${stamp}`)).toHaveCount(0);
  await dpo.getByLabel('Status', { exact: true }).selectOption('answered');
  await dpo.getByRole('button', { name: 'Save status' }).click();
  await expect(dpo.getByTestId('request-status')).toHaveText('Answered');

  // The retention overview counts the erasure.
  expect(await erasedCount(dpo)).toBe(before + 1);
  await context.close();
});
