import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { hydrated, login, proofOfWork, signedRequest, today } from './helpers';

// The customer's site the operator pastes the tag into: another loopback origin.
let landing: Server;
let landingHtml = '';
test.beforeAll(async () => {
  landing = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(landingHtml);
  });
  await new Promise<void>((resolve) => landing.listen(0, '127.0.0.1', resolve));
});
test.afterAll(async () => {
  await new Promise((resolve) => landing.close(resolve));
});
const landingOrigin = () => `http://127.0.0.1:${(landing.address() as AddressInfo).port}`;

type Spec = { type: string; en: string; de: string; personal?: boolean; options?: [string, string][]; text?: [string, string]; textLabel?: string };
// One field of each type, in the order the palette adds them.
const FIELDS: Spec[] = [
  { type: 'Short text', en: 'Nickname', de: 'Spitzname' },
  { type: 'Long text', en: 'Message', de: 'Nachricht' },
  { type: 'E-mail', en: 'Email address', de: 'E-Mail-Adresse', personal: true },
  { type: 'Phone', en: 'Phone number', de: 'Telefonnummer', personal: true },
  { type: 'Number', en: 'Guests', de: 'Gäste' },
  { type: 'Date', en: 'Birthday', de: 'Geburtstag', personal: true },
  { type: 'Date and time', en: 'Arrival', de: 'Ankunft' },
  { type: 'Postal address', en: 'Home address', de: 'Wohnanschrift', personal: true },
  { type: 'Single choice', en: 'Seat', de: 'Platz', options: [['Window', 'Fenster'], ['Aisle', 'Gang']] },
  { type: 'Multiple choice', en: 'Extras', de: 'Extras', options: [['Coffee', 'Kaffee']] },
  { type: 'Yes / no', en: 'First visit', de: 'Erster Besuch' },
  { type: 'Consent checkbox', en: 'Consent', de: 'Einwilligung', text: ['I agree to the house rules.', 'Ich stimme der Hausordnung zu.'], textLabel: 'Consent text (stored with each answer)' },
  { type: 'E-signature', en: 'Signature', de: 'Unterschrift', personal: true, text: ['I confirm my answers.', 'Ich bestätige meine Angaben.'], textLabel: 'Statement the signer confirms' },
  { type: 'Heading', en: 'About you', de: 'Über Sie' },
  { type: 'Paragraph', en: 'Intro', de: 'Einleitung', text: ['Please answer a few questions.', 'Bitte beantworten Sie einige Fragen.'], textLabel: 'Text' },
  { type: 'Hidden field', en: 'Customer number', de: 'Kundennummer' },
];

async function addField(page: Page, spec: Spec) {
  await page.getByRole('button', { name: `+ ${spec.type}`, exact: true }).click();
  const panel = page.locator('section[aria-labelledby="props-title"]');
  const first = spec.type === 'Heading' ? 'Heading' : 'Label';
  await panel.getByLabel(`${first} (English)`, { exact: true }).fill(spec.en);
  await panel.getByLabel(`${first} (German)`, { exact: true }).fill(spec.de);
  if (spec.personal) await panel.getByLabel('Data class').selectOption('personal');
  if (spec.text && spec.textLabel) {
    await panel.getByLabel(`${spec.textLabel} (English)`, { exact: true }).fill(spec.text[0]);
    await panel.getByLabel(`${spec.textLabel} (German)`, { exact: true }).fill(spec.text[1]);
  }
  for (const [i, [en, de]] of (spec.options ?? []).entries()) {
    await panel.getByRole('button', { name: '+ Add option' }).click();
    await panel.getByLabel(`Option ${i + 1} label (English)`, { exact: true }).fill(en);
    await panel.getByLabel(`Option ${i + 1} label (German)`, { exact: true }).fill(de);
  }
}

async function fieldOrder(page: Page): Promise<string[]> {
  return page.locator('.field-list .field-label').allInnerTexts();
}

test('an operator designs a form with every field type, publishes it, and a visitor submits it', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const id = `every-field-${Date.now()}`;
  await login(page);
  await page.getByLabel('Start from').selectOption('blank');
  await page.getByLabel('Title').fill('Every field');
  await page.getByLabel('Id').fill(id);
  await page.getByRole('button', { name: 'Create and design' }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/forms/${id}/design$`));
  await expect(page.getByRole('heading', { name: 'Add a field' })).toBeVisible();

  // A blank form lists what it still needs.
  await expect(page.getByText('Add at least one field that asks something.')).toBeVisible();
  for (const spec of FIELDS) await addField(page, spec);
  expect(await fieldOrder(page)).toEqual(FIELDS.map((f) => f.en));

  // Reorder with the keyboard only: the heading and the paragraph go to the top.
  for (const [name, times] of [['About you', 13], ['Intro', 14]] as const) {
    await page.getByRole('button', { name: `Move “${name}” up` }).focus();
    for (let n = 0; n < times; n++) await page.keyboard.press('Enter');
    // Focus stays on the field's move button as it travels.
  }
  const order = await fieldOrder(page);
  expect(order.slice(0, 3)).toEqual(['Intro', 'About you', 'Nickname']);
  await page.getByRole('button', { name: 'Move “Intro” down' }).focus();
  await page.keyboard.press('Enter');
  expect((await fieldOrder(page)).slice(0, 2)).toEqual(['About you', 'Intro']);

  // Undo and redo the last move.
  await page.getByRole('button', { name: 'Undo' }).click();
  expect((await fieldOrder(page)).slice(0, 2)).toEqual(['Intro', 'About you']);
  await page.getByRole('button', { name: 'Redo' }).click();
  expect((await fieldOrder(page)).slice(0, 2)).toEqual(['About you', 'Intro']);

  // A definition problem is shown next to its field: a minimum above the maximum.
  await page.getByRole('button', { name: /^Nickname/ }).click();
  const panel = page.locator('section[aria-labelledby="props-title"]');
  await panel.getByLabel('Minimum length').fill('10');
  await panel.getByLabel('Maximum length').fill('5');
  await expect(panel.getByText('The minimum length (10) is above the maximum (5).')).toBeVisible();
  await expect(page.locator('.field-row.has-problems')).toHaveCount(1);
  await panel.getByLabel('Minimum length').fill('');
  await panel.getByLabel('Maximum length').fill('');

  // Form settings: who collects the data, why, and where the form may appear.
  await page.getByLabel('Name', { exact: true }).fill('Café Example GmbH');
  await page.getByLabel('Address', { exact: true }).fill('Musterstraße 1, 10115 Berlin');
  await page.getByLabel('Privacy contact (e-mail or address)').fill('privacy@example.com');
  await page.getByLabel('Purpose of processing (English)').fill('To plan your visit.');
  await page.getByLabel('Purpose of processing (German)').fill('Um Ihren Besuch zu planen.');
  await page.getByLabel('Retention (days until answers are deleted)').fill('30');
  await page.getByLabel(/Websites that may embed the form/).fill(landingOrigin());
  await page.getByLabel('Accent colour (#rrggbb)').fill('#8a2be2');

  // The data overview says what is collected.
  const overview = page.locator('section[aria-labelledby="overview-title"]');
  await expect(overview).toContainText('Email address, Phone number, Birthday, Home address, Signature');
  await expect(overview).toContainText('optional personal data');

  // The live preview is the widget's renderer with the same checks.
  const preview = page.locator('section.preview');
  await preview.getByLabel('Email address').fill('not-an-email');
  await preview.getByLabel('Email address').blur();
  const previewMessage = await preview.locator('.fs-error').filter({ hasText: 'e-mail' }).innerText();
  expect(previewMessage).toBe('Please enter a valid e-mail address, e.g. name@example.com.');
  await expect(preview.locator('.fs-submit')).toHaveCSS('background-color', 'rgb(138, 43, 226)');

  // Autosave: a reload loses nothing.
  await expect(page.getByText('All changes saved')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Add a field' })).toBeVisible();
  expect((await fieldOrder(page)).slice(0, 3)).toEqual(['About you', 'Intro', 'Nickname']);
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Café Example GmbH');

  await expect(page.getByText('Ready to publish.')).toBeVisible();
  await page.getByRole('button', { name: 'Publish new version' }).click();
  await expect(page.getByText('Published. Visitors get this version from now on.')).toBeVisible();
  await expect(page.locator('.versions')).toContainText('First version.');

  // The operator copies the tag into their page; a visitor fills it in there.
  const snippet = await page.locator('#embed-code').inputValue();
  expect(snippet).toContain(`data-form="${id}"`);
  landingHtml = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><main><h1>Our shop</h1>${snippet}</main></body></html>`;
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  await visitor.goto(`${landingOrigin()}/`);
  await expect(visitor.getByRole('heading', { name: 'About you' })).toBeVisible();
  await visitor.getByLabel('Nickname').fill('Ada');
  await visitor.getByLabel('Message').fill('Table for three, please.');
  await visitor.getByLabel('Email address').fill('not-an-email');
  await visitor.getByLabel('Email address').blur();
  const widgetMessage = await visitor.locator('.fs-error').filter({ hasText: 'e-mail' }).innerText();
  // Every field type, with a problem shown, passes axe-core in the widget too.
  expect((await new AxeBuilder({ page: visitor }).analyze()).violations).toEqual([]);
  await visitor.getByLabel('Email address').fill('ada@example.com');
  await visitor.getByLabel('Phone number').fill('030 1234567');
  await visitor.getByLabel('Guests').fill('3');
  await visitor.getByLabel('Birthday').fill('1990-05-01');
  await visitor.getByLabel('Arrival').fill(`${today()}T18:30`);
  await visitor.getByLabel('Street and number').fill('Musterstraße 1');
  await visitor.getByLabel('Postcode').fill('10115');
  await visitor.getByLabel('City').fill('Berlin');
  await visitor.getByLabel('Window').check();
  await visitor.getByLabel('Coffee').check();
  await visitor.getByLabel('Yes').check();
  await visitor.getByLabel('I agree to the house rules.').check();
  const pad = visitor.locator('canvas.fs-signature');
  const box = (await pad.boundingBox())!;
  await visitor.mouse.move(box.x + 20, box.y + 40);
  await visitor.mouse.down();
  for (let x = 30; x < 200; x += 10) await visitor.mouse.move(box.x + x, box.y + 40 + (x % 30));
  await visitor.mouse.up();
  await visitor.getByRole('button', { name: 'Submit' }).click();
  await expect(visitor.locator('.fs-receipt')).toBeVisible();
  await visitorContext.close();

  // The same invalid e-mail, sent straight to the server, gets the same message.
  const live = await (await page.request.get(`/api/v1/forms/${id}`)).json();
  const res = await page.request.post(`/api/v1/forms/${id}/submissions`, {
    data: { ...signedRequest(id, live.version, { email: 'not-an-email' }), proof: await proofOfWork(page.request, id) },
  });
  expect(res.status()).toBe(422);
  const body = await res.json();
  const serverMessage = body.fields.find((f: { field: string }) => f.field === 'email').message;
  expect(widgetMessage).toBe(serverMessage);
  expect(previewMessage).toBe(serverMessage);

  // The stored submission is there, with the phone number in E.164.
  await page.goto(`/admin/forms/${id}`);
  await expect(page.getByRole('cell', { name: /Ada/ })).toBeVisible();
});

test('the forms list and the designer have no accessibility violations', async ({ page }) => {
  await login(page);
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  await page.goto('/admin/forms/contact-tracing/design');
  await expect(page.getByRole('heading', { name: 'Add a field' })).toBeVisible();
  await page.getByRole('button', { name: /^Full name/ }).click();
  await expect(page.getByLabel('Label (English)', { exact: true })).toBeVisible();
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
});

test('the designer edits conditions, lists the logic and stays accessible', async ({ page }) => {
  await login(page);
  const id = `claims-${Date.now()}`;
  const res = await page.request.post('/admin/fn/create-form', { form: { start: 'damage_report', id, title: 'Claims' } });
  expect(res.status()).toBe(200);
  await page.goto(`/admin/forms/${id}/design`);
  await hydrated(page);

  // The template's logic, in words.
  const overview = page.locator('section[aria-labelledby="logic-title"]');
  await expect(overview).toContainText('«Who was injured, and how?» shown when injured is yes');
  await expect(overview).toContainText('jumps to page «How we reach you»');

  // A field's own condition is shown in its logic editor.
  await page.getByRole('button', { name: /^Police reference/ }).click();
  const props = page.locator('section[aria-labelledby="props-title"]');
  const shownWhen = props.getByRole('group', { name: 'Show this field only when …' });
  await expect(shownWhen.getByLabel('Field')).toHaveValue('police');
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

  // Make the number plate required when someone was injured, by keyboard-reachable controls.
  await page.getByRole('button', { name: /^Number plate/ }).click();
  const requiredWhen = props.getByRole('group', { name: 'Required when …' });
  await requiredWhen.getByRole('button', { name: '+ Add condition' }).click();
  await requiredWhen.getByLabel('Field').selectOption('injured');
  await requiredWhen.getByLabel('Operator').selectOption('equals');
  await requiredWhen.getByLabel('Value').selectOption('true');
  await expect(overview).toContainText('«Number plate» required when injured is yes');
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

  // Undo takes it back step by step, as for every other edit.
  const undo = page.getByRole('button', { name: 'Undo', exact: true });
  for (let i = 0; i < 6 && (await overview.textContent())?.includes('«Number plate» required when'); i++) {
    await undo.click();
  }
  await expect(overview).not.toContainText('«Number plate» required when');
  await expect(overview).toContainText('«Who was injured, and how?» shown when injured is yes');
});
