import { test, expect } from '@playwright/test';
import { hydrated, login, today } from './helpers';

test('a visitor submits the demo form and the operator sees it, signature valid', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto('/demo');
  // The widget renders inside a shadow root; Playwright's locators pierce it.
  const name = page.getByLabel('Full name');
  await expect(name).toBeVisible();

  // Submitting empty shows per-field messages from the shared validation.
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByText('Please correct 5 fields.')).toBeVisible();

  const person = `Ada Lovelace ${Date.now()}`;
  await name.fill(person);
  await page.getByLabel('Address').fill('Musterstraße 1\n10115 Berlin');
  await page.getByLabel('Phone').fill('+49 30 1234567');
  await page.getByLabel('Date of visit').fill(today());
  await page.getByLabel('Time of arrival').fill(`${today()}T18:30`);
  await page.getByRole('button', { name: 'Submit' }).click();

  await expect(page.getByText('Thank you, your visit is registered.')).toBeVisible();
  const receiptId = (await page.locator('.fs-receipt-id').textContent())?.trim() ?? '';
  expect(receiptId).toMatch(/^[0-9a-f-]{36}$/);

  await login(page);
  await page.getByRole('link', { name: 'Guest registration', exact: true }).click();
  const row = page.getByRole('row', { name: new RegExp(person) });
  await expect(row).toBeVisible();
  await row.getByRole('link').click();
  await expect(page.getByText('signature valid')).toBeVisible();
  await expect(page.getByText('receipt valid')).toBeVisible();
  await expect(page.getByText(receiptId, { exact: true })).toBeVisible();
  await expect(page.getByText('+49301234567')).toBeVisible();
  await expect(page.getByText(person)).toBeVisible();
  // Neither the widget nor the hydrated console threw.
  expect(errors).toEqual([]);
});

test('the console refuses a wrong password without saying whether the user exists', async ({ page }) => {
  await page.goto('/admin/login');
  await hydrated(page);
  await page.getByLabel('User name').fill('nobody');
  await page.getByLabel('Password').fill('wrong password 123');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The wrong user name or password.');
});
