import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

test('the embedded form has no axe-core violations, empty and with errors shown', async ({ page }) => {
  await page.goto('/demo');
  await expect(page.getByLabel('Full name')).toBeVisible();
  const empty = await new AxeBuilder({ page }).include('formseal-form').analyze();
  expect(empty.violations).toEqual([]);

  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByText('Please correct 5 fields.')).toBeVisible();
  const withErrors = await new AxeBuilder({ page }).include('formseal-form').analyze();
  expect(withErrors.violations).toEqual([]);
});

test('the form works on a 320 px wide screen', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto('/demo');
  const name = page.getByLabel('Full name');
  await expect(name).toBeVisible();
  const box = await name.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 320).toBeTruthy();
  // Nothing inside the form is wider than the form.
  const [scroll, client] = await page.evaluate(() => {
    const root = document.querySelector('formseal-form')!.shadowRoot!.querySelector('.fs-root')!;
    return [root.scrollWidth, root.clientWidth];
  });
  expect(scroll).toBeLessThanOrEqual(client);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
});
