import { test, expect } from '@playwright/test';
import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { fillDemo, hydrated, login } from './helpers';

test('an operator downloads an encrypted export, sees the password once, and 7z opens it with that password', async ({ page }) => {
  // A visitor submits the demo form, so the export has a person in it.
  await page.goto('/demo');
  const person = await fillDemo(page);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.locator('formseal-form').getByText('Thank you, your visit is registered.')).toBeVisible();

  await login(page);
  await page.goto('/admin/forms/contact-tracing');
  await hydrated(page);
  const panel = page.locator('section.export-panel');
  await expect(panel.getByRole('heading', { name: 'Export' })).toBeVisible();
  await panel.getByLabel('CSV (Excel, ; separated)').check();
  await panel.getByLabel('Full').check();
  await panel.getByLabel('Encrypt (AES-256 ZIP; the password is shown once)').check();

  const download = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Download export' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^contact-tracing-.*\.zip$/);

  // The password is on screen now: 28 unambiguous characters in groups of four.
  const shown = panel.getByLabel('Export password');
  await expect(shown).toBeVisible();
  const password = (await shown.textContent())?.trim() ?? '';
  expect(password).toMatch(/^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){6}$/);

  const dir = mkdtempSync(join(tmpdir(), 'formseal-export-'));
  const zip = join(dir, file.suggestedFilename());
  await file.saveAs(zip);
  // Encrypted: nothing readable without the password, and a wrong one fails.
  expect(readFileSync(zip).includes(Buffer.from(person))).toBe(false);
  expect(spawnSync('7z', ['x', '-so', '-pWRONG-PASSWORD-1234567890', zip]).status).not.toBe(0);
  const csv = execFileSync('7z', ['x', '-so', `-p${password}`, zip]).toString('utf8');
  expect(csv.charCodeAt(0)).toBe(0xfeff); // the BOM Excel needs for UTF-8
  expect(csv).toContain(person);
  expect(csv.split('\r\n')[0]).toContain('"Full name"');

  // Shown once: hidden on request, and nowhere to be found again.
  await panel.getByRole('button', { name: 'Done, hide it' }).click();
  await expect(panel.getByLabel('Export password')).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(page.getByText(password)).toHaveCount(0);
});

test('the owner checks the integrity of every form in the console', async ({ page }) => {
  await login(page);
  await page.getByRole('link', { name: 'Integrity' }).click();
  await expect(page.getByRole('heading', { name: 'Integrity check' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Check' }).click();
  const demo = page.getByRole('row', { name: /contact-tracing/ });
  await expect(demo).toContainText('Intact');
  await expect(demo).toContainText(/\d+ receipts, \d+ envelopes, \d+ tombstones verified/);
  await expect(page.getByText('BROKEN')).toHaveCount(0);
});
