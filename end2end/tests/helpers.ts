import { expect, Page } from '@playwright/test';
import { readFileSync } from 'fs';

// The owner's one-time password is printed once, on first start, to the server log.
export function ownerPassword(): string {
  const log = readFileSync(process.env.FORMSEAL_SERVER_LOG ?? '', 'utf8');
  const match = log.match(/one-time password (\S+)/);
  if (!match) throw new Error('no one-time password in the server log');
  return match[1];
}

export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export async function login(page: Page) {
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/login$/);
  await page.getByLabel('User name').fill('owner');
  await page.getByLabel('Password').fill(ownerPassword());
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Forms' })).toBeVisible();
}

/// Fills the demo form with valid answers for a person nobody else uses.
export async function fillDemo(page: Page): Promise<string> {
  const person = `Ada Lovelace ${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  await page.getByLabel('Full name').fill(person);
  await page.getByLabel('Address').fill('Musterstraße 1\n10115 Berlin');
  await page.getByLabel('Phone').fill('+49 30 1234567');
  await page.getByLabel('Date of visit').fill(today());
  await page.getByLabel('Time of arrival').fill(`${today()}T18:30`);
  return person;
}

/// How many stored submissions of the demo form name this person (console view).
export async function storedFor(page: Page, person: string): Promise<number> {
  await page.goto('/admin/forms/contact-tracing');
  await expect(page.getByRole('heading', { name: 'Guest registration' })).toBeVisible();
  return page.getByRole('row', { name: new RegExp(person) }).count();
}
