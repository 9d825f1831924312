import { expect, Page, APIRequestContext } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { ChildProcess, spawn } from 'child_process';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign as edSign } from 'crypto';

// The owner's one-time password is printed once, on first start, to the server log;
// the first log-in replaces it with OWNER_PASSWORD, noted beside the log for the
// specs that log in later against the same server.
export const OWNER_PASSWORD = 'violet kettle marches uphill at dawn';
const changedMark = () => `${process.env.FORMSEAL_SERVER_LOG ?? ''}.owner-password-changed`;

export function oneTimePassword(log: string): string {
  const match = log.match(/one-time password (\S+)/);
  if (!match) throw new Error('no one-time password in the server log');
  return match[1];
}

export function ownerPassword(): string {
  if (existsSync(changedMark())) return OWNER_PASSWORD;
  return oneTimePassword(readFileSync(process.env.FORMSEAL_SERVER_LOG ?? '', 'utf8'));
}

/// On the page a password someone else set leads to: choose OWNER_PASSWORD.
export async function chooseOwnPassword(page: Page, current: string) {
  await expect(page).toHaveURL(/\/admin\/password$/);
  await expect(page.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Current password').fill(current);
  await page.getByLabel('New password', { exact: true }).fill(OWNER_PASSWORD);
  await page.getByLabel('New password again').fill(OWNER_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status')).toContainText('Your password was changed');
}

/** Logs in as the first owner of a server of its own (the one-time password from
 *  its log) and chooses the owner password, as a new instance asks. */
export async function firstOwnerLogin(page: Page, base: string, log: string) {
  const oneTime = oneTimePassword(log);
  await page.goto(`${base}/admin/login`);
  await hydrated(page);
  await page.getByLabel('User name').fill('owner');
  await page.getByLabel('Password').fill(oneTime);
  await page.getByRole('button', { name: 'Log in' }).click();
  await chooseOwnPassword(page, oneTime);
}

export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/// The console page is interactive (hydrated), not just painted by the server.
export async function hydrated(page: Page) {
  await page.locator('body[data-hydrated]').waitFor();
}

export async function login(page: Page) {
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/login$/);
  await hydrated(page);
  const password = ownerPassword();
  await page.getByLabel('User name').fill('owner');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  if (password !== OWNER_PASSWORD) {
    await chooseOwnPassword(page, password);
    writeFileSync(changedMark(), 'yes');
    await page.goto('/admin');
  }
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

/// RFC 8785 (JCS) for what envelopes hold: objects, arrays, strings, integers, booleans.
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/// A submission signed as the widget signs it (docs/protocol.md), with a fresh key:
/// lets a test send exactly what it wants, past the widget's own checks.
export function signedRequest(form: string, version: string, answers: Record<string, unknown>) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const rawKey = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const envelope = { v: 1, form, version, answers, nonce: randomBytes(16).toString('base64url'), client_time: new Date().toISOString() };
  const signature = edSign(null, Buffer.from(`formseal/v1/envelope\n${canonical(envelope)}`, 'utf8'), privateKey);
  return { envelope, public_key: rawKey.toString('base64url'), signature: signature.toString('base64url') };
}

/// The current code of an authenticator app for a base32 secret (RFC 6238: SHA-1,
/// 6 digits, 30 s).
export function totpCode(secretBase32: string, now = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretBase32.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

/// Leading zero bits of a hash.
export function zeroBits(hash: Buffer): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) { bits += 8; continue; }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/// Solves a signed challenge as docs/protocol.md says: an 8-byte counter whose
/// SHA-256 after the challenge's digest starts with `difficulty` zero bits.
export function solveChallenge(signed: { challenge: { difficulty: number } }) {
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();
  const id = sha256(Buffer.from(`formseal/v1/challenge\n${canonical(signed.challenge)}`, 'utf8'));
  const counter = Buffer.alloc(8);
  for (let n = 0n; ; n++) {
    counter.writeBigUInt64BE(n);
    if (zeroBits(sha256(Buffer.concat([id, counter]))) >= signed.challenge.difficulty) {
      return { ...signed, solution: counter.toString('base64url') };
    }
  }
}

/// A solved proof of work for one submission to `form`.
export async function proofOfWork(request: APIRequestContext, form: string) {
  const res = await request.get(`/api/v1/forms/${form}/challenge`);
  expect(res.status()).toBe(200);
  return solveChallenge(await res.json());
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/// A server of a spec's own (FORMSEAL_BIN, a fresh data dir), with extra `serve`
/// arguments; resolves once it answers ready. `log()` is what it printed so far.
export interface OwnServer { base: string; log: () => string; stop: () => void }

export async function startOwnServer(name: string, extra: string[]): Promise<OwnServer> {
  const bin = process.env.FORMSEAL_BIN;
  if (!bin) throw new Error('FORMSEAL_BIN is not set (scripts/test.sh sets it)');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), `formseal-${name}-`));
  let log = '';
  const server: ChildProcess = spawn(bin, ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`,
    '--site-dir', process.env.FORMSEAL_SITE_DIR ?? '../target/site', ...extra]);
  server.stdout?.on('data', (d) => (log += d));
  server.stderr?.on('data', (d) => (log += d));
  const stop = () => { server.kill(); rmSync(dataDir, { recursive: true, force: true }); };
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return { base, log: () => log, stop };
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  stop();
  throw new Error(`the server did not start:\n${log}`);
}

/// The real SMTP server of the Rust tests (aiosmtpd, `server/tests/it/smtp_sink.py`)
/// on 127.0.0.1: what it received, one entry per mail, as it arrives.
export interface SmtpSink { port: number; mails: { to: string[]; data: string; text: string }[]; stop: () => void }

export async function startSmtpSink(): Promise<SmtpSink> {
  const smtp: ChildProcess = spawn('python3', ['../server/tests/it/smtp_sink.py'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const mails: SmtpSink['mails'] = [];
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    smtp.stdout?.on('data', (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith('READY ')) resolve(Number(line.slice(6)));
        else if (line.trim()) mails.push(JSON.parse(line));
      }
    });
    smtp.on('exit', (code) => reject(new Error(`the SMTP server stopped (${code}); run scripts/setup.sh (aiosmtpd)`)));
  });
  return { port, mails, stop: () => smtp.kill() };
}
