import { test, expect, Page } from '@playwright/test';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import AxeBuilder from '@axe-core/playwright';
import { login, today } from './helpers';

const server = process.env.FORMSEAL_URL ?? 'http://127.0.0.1:3000';

// The customer's landing page on another loopback port, as in production.
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

/// Creates a form from `start` in the console, lets `change` edit its definition
/// (the controller is filled in first), and publishes it.
async function publishTemplate(page: Page, start: string, id: string, title: string, change: (definition: any) => void = () => {}) {
  let res = await page.request.post('/admin/fn/create-form', { form: { start, id, title } });
  expect(res.status()).toBe(200);
  const data = await (await page.request.post('/admin/fn/designer', { form: { id } })).json();
  data.definition.notice.controller = {
    name: 'Example Versicherung AG',
    address: 'Musterstraße 1, 10115 Berlin',
    contact: 'privacy@example.com',
  };
  change(data.definition);
  res = await page.request.post('/admin/fn/save-draft', { data: { id, definition: data.definition, origins: ['*'] } });
  expect(res.status()).toBe(200);
  const published = await (await page.request.post('/admin/fn/publish', { form: { id } })).json();
  expect(published.version, JSON.stringify(published)).toBeTruthy();
}

/// Publishes the damage-report template (three pages, conditions) from the console.
async function publishDamageReport(page: Page): Promise<string> {
  const id = `damage-${Date.now()}`;
  await publishTemplate(page, 'damage_report', id, 'Damage report');
  return id;
}

async function embed(page: Page, form: string) {
  landingHtml = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Claims</title></head>
    <body><main><h1>Report a claim</h1><script src="${server}/embed.js" data-form="${form}" async></script></main></body></html>`;
  const port = (landing.address() as AddressInfo).port;
  await page.goto(`http://127.0.0.1:${port}/claims.html`);
}

async function noViolations(page: Page, when: string) {
  const result = await new AxeBuilder({ page }).include('formseal-form').analyze();
  expect(result.violations, when).toEqual([]);
}

test('a claims form with pages and conditions, by keyboard: hidden answers are not sent, the console shows the rest', async ({ page }) => {
  await login(page);
  const form = await publishDamageReport(page);
  await embed(page, form);

  const progress = page.getByText(/^Page \d of \d$/);
  // Before any answer the vehicle page does not apply: two pages.
  await expect(progress).toHaveText('Page 1 of 2');
  await expect(page.getByRole('button', { name: 'Submit' })).toBeHidden();
  await noViolations(page, 'page one, empty');

  // Next checks the page first and puts focus on its first problem.
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByLabel('Date of the damage')).toBeFocused();
  await expect(progress).toHaveText('Page 1 of 2');
  await noViolations(page, 'page one, with problems');

  // Keyboard only from here (a date input's Tab walks its day, month and year).
  await page.getByLabel('Date of the damage').fill(today());
  await page.getByLabel('What happened?').focus();
  await page.keyboard.type('A tree fell on the car.');
  // "A vehicle": the first radio of the group; arrow keys move within a group.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await expect(page.getByRole('radio', { name: 'A vehicle' })).toBeChecked();
  await expect(progress).toHaveText('Page 1 of 3');

  // Yes → the injuries question appears; type into it, then No → it vanishes.
  const injured = page.getByRole('group', { name: /Was anyone injured/ });
  await injured.getByRole('radio', { name: 'Yes' }).focus();
  await page.keyboard.press('Space');
  const details = page.getByLabel('Who was injured, and how?');
  await expect(details).toBeVisible();
  await details.focus();
  await page.keyboard.type('A cut on the hand.');
  await injured.getByRole('radio', { name: 'Yes' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(injured.getByRole('radio', { name: 'No' })).toBeChecked();
  await expect(details).toHaveCount(0);

  // Next by keyboard; focus goes to the new page's title.
  await page.getByRole('button', { name: 'Next' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'The vehicle' })).toBeFocused();
  await expect(progress).toHaveText('Page 2 of 3');
  await noViolations(page, 'page two');
  await page.getByLabel('Number plate').fill('B-AB 123');
  const police = page.getByRole('group', { name: /Did the police come/ });
  await police.getByRole('radio', { name: 'Yes' }).focus();
  await page.keyboard.press('Space');
  await expect(page.getByLabel('Police reference')).toBeVisible();

  // Back to page one: change the damage to property, and the vehicle page is jumped over.
  await page.getByRole('button', { name: 'Back' }).click();
  await expect(page.getByRole('heading', { name: 'What happened' })).toBeFocused();
  await expect(page.getByLabel('What happened?')).toHaveValue('A tree fell on the car.');
  await page.getByRole('radio', { name: 'A building or its contents' }).focus();
  await page.keyboard.press('Space');
  await expect(progress).toHaveText('Page 1 of 2');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { name: 'How we reach you' })).toBeFocused();
  await expect(progress).toHaveText('Page 2 of 2');
  await expect(page.getByRole('button', { name: 'Next' })).toBeHidden();
  await noViolations(page, 'last page');

  const person = `Grace Hopper ${Date.now()}`;
  await page.getByLabel('Full name').fill(person);
  await page.getByLabel('E-mail').fill('grace@example.com');
  const posted = page.waitForRequest((r) => r.url().endsWith(`/api/v1/forms/${form}/submissions`) && r.method() === 'POST');
  await page.getByRole('button', { name: 'Submit' }).focus();
  await page.keyboard.press('Enter');
  const envelope = JSON.parse((await posted).postData() ?? '{}').envelope;
  await expect(page.locator('.fs-receipt-id')).toBeVisible();

  // Only what the visitor was asked for their final answers is signed and sent.
  expect(Object.keys(envelope.answers).sort()).toEqual(
    ['damage_type', 'description', 'email', 'incident_date', 'injured', 'name'].sort(),
  );
  expect(envelope.answers.injured).toBe(false);
  expect(JSON.stringify(envelope)).not.toContain('cut on the hand');
  expect(JSON.stringify(envelope)).not.toContain('B-AB 123');

  // The console holds exactly this one submission, with the name from the last page.
  await page.goto(`${server}/admin/forms/${form}`);
  const rows = page.locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole('link').click();
  await expect(page.getByText(person)).toBeVisible();
  await expect(page.getByText('Who was injured, and how?')).toHaveCount(0);

  // The funnel of this run: one page load, started, pages 2 and 3 opened, sent.
  await page.goto(`${server}/admin/forms/${form}/funnel`);
  const count = (step: string) => page.getByRole('row', { name: new RegExp(`^${step}`) }).getByRole('cell').first();
  await expect(count('Shown')).toHaveText('1');
  await expect(count('Started')).toHaveText('1');
  await expect(count('Reached page 2')).toHaveText('1');
  await expect(count('Reached page 3')).toHaveText('1');
  await expect(count('Sent')).toHaveText('1');
  await expect(page.getByLabel("Count this form's funnel")).toBeChecked();
});

test('a rating and an opinion scale, answered by keyboard, are signed as their points', async ({ page }) => {
  await login(page);
  const id = `feedback-${Date.now()}`;
  await publishTemplate(page, 'lead_form', id, 'Feedback', (definition) => definition.fields.push(
    { key: 'stars', label: { en: 'How was your visit?', de: 'Wie war Ihr Besuch?' }, type: 'rating', max: 5, required: true },
    {
      key: 'recommend', label: { en: 'Would you recommend us?', de: 'Würden Sie uns empfehlen?' }, type: 'opinion_scale', min: 0, max: 10,
      min_label: { en: 'Not at all likely', de: 'Gar nicht wahrscheinlich' }, max_label: { en: 'Extremely likely', de: 'Äußerst wahrscheinlich' },
    },
  ));

  await embed(page, id);
  const stars = page.getByRole('group', { name: /How was your visit/ });
  await expect(stars.getByRole('radio')).toHaveCount(5);
  await stars.getByRole('radio', { name: '1 of 5 stars' }).focus();
  await page.keyboard.press('Space');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await expect(stars.getByRole('radio', { name: '4 of 5 stars' })).toBeChecked();
  const scale = page.getByRole('group', { name: /Would you recommend us/ });
  await expect(scale.getByRole('radio')).toHaveCount(11);
  await expect(scale).toContainText('Not at all likely');
  await scale.getByRole('radio', { name: '0', exact: true }).focus();
  await page.keyboard.press('Space');
  for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight');
  await expect(scale.getByRole('radio', { name: '9', exact: true })).toBeChecked();
  await noViolations(page, 'rating and scale');

  await page.getByLabel('Full name').fill('Ada Lovelace');
  await page.getByRole('textbox', { name: /E-mail/ }).fill('ada@example.com');
  await page.getByRole('checkbox').check();
  const posted = page.waitForRequest((r) => r.url().endsWith(`/api/v1/forms/${id}/submissions`) && r.method() === 'POST');
  await page.getByRole('button', { name: 'Submit' }).click();
  const answers = JSON.parse((await posted).postData() ?? '{}').envelope.answers;
  await expect(page.locator('.fs-receipt-id')).toBeVisible();
  expect([answers.stars, answers.recommend]).toEqual(['4', '9']);
});

test('a matrix, a ranking and a live score, by keyboard: the score steers a question, the console shows it', async ({ page }) => {
  await login(page);
  const id = `service-${Date.now()}`;
  // The score shown to the visitor this time, so its live value can be watched.
  await publishTemplate(page, 'service_feedback', id, 'Service feedback', (definition) => {
    definition.fields.find((f: { key: string }) => f.key === 'service_score').show = true;
  });

  await embed(page, id);
  const stars = page.getByRole('group', { name: /How was your visit overall/ });
  await stars.getByRole('radio', { name: '1 of 5 stars' }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  await expect(stars.getByRole('radio', { name: '2 of 5 stars' })).toBeChecked();

  // The matrix: a radio group per row; arrows move along a row, Tab to the next.
  const row = (name: string) => page.getByRole('group', { name: new RegExp(`^${name}`) });
  const output = page.locator('output');
  await expect(output).toHaveText('0');
  await row('Speed').getByRole('radio', { name: 'Poor' }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  await expect(row('Friendliness').getByRole('radio', { name: 'Fair' })).toBeChecked();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await expect(row('Value for money').getByRole('radio', { name: 'Poor' })).toBeChecked();
  // 0 + 1 + 0: a low score asks what to improve.
  await expect(output).toHaveText('1');
  const improve = page.getByLabel('What should we do better?');
  await expect(improve).toBeVisible();
  await improve.fill('Faster service at lunch.');
  await noViolations(page, 'matrix with a low score');
  // Speed excellent, friendliness good: 3 + 2 + 0 = 5, the question goes, its text is not sent.
  await row('Speed').getByRole('radio', { name: 'Poor' }).focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await row('Friendliness').getByRole('radio', { name: 'Fair' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(output).toHaveText('5');
  await expect(improve).toHaveCount(0);

  // The ranking: choose quality, then price; speed takes the last place by itself.
  const ranking = page.getByRole('group', { name: /What matters most/ });
  await ranking.getByRole('button', { name: /^Quality/ }).focus();
  await page.keyboard.press('Enter');
  await ranking.getByRole('button', { name: /^Price/ }).focus();
  await page.keyboard.press('Enter');
  await expect(ranking.getByRole('button', { name: 'Speed: place 3' })).toHaveAttribute('aria-pressed', 'true');
  await expect(ranking.getByText('3 of 3 in order')).toBeVisible();
  await noViolations(page, 'ranked');

  const posted = page.waitForRequest((r) => r.url().endsWith(`/api/v1/forms/${id}/submissions`) && r.method() === 'POST');
  await page.getByRole('button', { name: 'Submit' }).click();
  const answers = JSON.parse((await posted).postData() ?? '{}').envelope.answers;
  await expect(page.locator('.fs-receipt-id')).toBeVisible();
  expect(answers.service).toEqual({ speed: 'excellent', friendliness: 'good', value: 'poor' });
  expect(answers.service_score).toBe('5');
  expect(answers.priorities).toEqual(['quality', 'price', 'speed']);
  expect(answers.improve).toBeUndefined();

  // The console shows the submission with the score the server computed again.
  await page.goto(`${server}/admin/forms/${id}`);
  await page.locator('tbody tr').first().getByRole('link').click();
  await expect(page.getByText('Speed: Excellent; Friendliness: Good; Value for money: Poor')).toBeVisible();
  const scored = page.locator('dl.answers dt', { hasText: 'Service score (0–9)' });
  await expect(scored.locator('xpath=following-sibling::dd[1]')).toHaveText('5');
  await expect(page.getByText('1. quality, 2. price, 3. speed')).toBeVisible();

  // The designer: the formula as text, a mistake named, the matrix's rows; no axe violations.
  await page.goto(`${server}/admin/forms/${id}/design`);
  await page.getByRole('button', { name: /^Service score/ }).click();
  const formula = page.getByLabel('Formula');
  await expect(formula).toHaveValue('service');
  // Computed, never typed: neither "Required" nor "Required when …" is offered.
  await expect(page.getByLabel('Required', { exact: true })).toHaveCount(0);
  await expect(page.getByText('Required when …')).toHaveCount(0);
  await formula.fill('service * 2 +');
  await expect(page.getByText('The formula ends where a field key or a number should follow.')).toBeVisible();
  await formula.fill('service * 2');
  await expect(page.getByText('«Service score (0–9)» = service * 2')).toBeVisible();
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  await page.getByRole('button', { name: /^How did we do/ }).click();
  await expect(page.getByLabel('Row 3 label (English)')).toHaveValue('Value for money');
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
});
