import { test, expect } from '@playwright/test';
import { fillDemo, login, storedFor } from './helpers';

test('focus moves to the first field with a problem', async ({ page }) => {
  await page.goto('/demo');
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByLabel('Full name')).toBeFocused();
  await expect(page.getByLabel('Full name')).toHaveAttribute('aria-invalid', 'true');
});

test('offline while submitting: the widget retries by itself, one submission is stored, the page is told', async ({ page, context }) => {
  await page.addInitScript(() => {
    (window as any).submitted = [];
    document.addEventListener('formseal:submitted', (e) => (window as any).submitted.push((e as CustomEvent).detail));
  });
  await page.goto('/demo');
  const person = await fillDemo(page);
  await context.setOffline(true);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByText('No connection.')).toBeVisible();
  await context.setOffline(false);
  await expect(page.getByText('Thank you, your visit is registered.')).toBeVisible();
  const receipt = (await page.locator('.fs-receipt-id').textContent())?.trim();
  expect(await page.evaluate(() => (window as any).submitted)).toEqual([receipt]);

  await login(page);
  expect(await storedFor(page, person)).toBe(1);
});

test('a double click stores one submission', async ({ page }) => {
  await page.goto('/demo');
  const person = await fillDemo(page);
  await page.getByRole('button', { name: 'Submit' }).dblclick();
  await expect(page.getByText('Thank you, your visit is registered.')).toBeVisible();
  await login(page);
  expect(await storedFor(page, person)).toBe(1);
});
