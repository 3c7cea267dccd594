// End-to-end tests of the demo page (web-demo/) in headless Debian Chromium with playwright-core: the
// demo server runs against a temporary Hub-format folder (the shared models, the generated encoder
// fixtures when `make fixtures` made them, and bad cases made here), and each task whose pipeline the
// package exports is loaded, run on an example, and checked in the rendered page. A task whose pipeline
// is missing, or whose fixture is absent, is reported as a SKIP with the reason.
// Screenshots go to build/screenshots/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { defaultRoot } from './hub_server.mjs';
import { startDemoServer } from '../../web-demo/server.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixturesRoot = path.join(repoRoot, 'build', 'fixtures');
const screenshots = path.join(repoRoot, 'build', 'screenshots');
const XSS_LABEL = '<img src=x onerror=window.__xss=1>';
const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

let hubDir, demo, browser, profile;

/** A Hub-format folder: links to every shared and generated repo, plus the bad cases. */
function makeHubDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-demo-hub-'));
  for (const root of [defaultRoot, fixturesRoot]) {
    if (!fs.existsSync(root)) continue;
    for (const name of fs.readdirSync(root)) {
      if (name.includes('--') && !fs.existsSync(path.join(dir, name))) fs.symlinkSync(path.join(root, name), path.join(dir, name));
    }
  }
  // An architecture hubwasm does not run.
  const t5 = path.join(dir, 'hubwasm-fixtures--t5-unsupported');
  fs.mkdirSync(t5);
  fs.writeFileSync(path.join(t5, 'config.json'), JSON.stringify({
    architectures: ['T5ForConditionalGeneration'], model_type: 't5', d_model: 64, num_layers: 2, vocab_size: 100,
  }));
  // tiny-sentiment-bert with markup in its labels.
  const source = path.join(defaultRoot, 'hubwasm-fixtures--tiny-sentiment-bert');
  const xss = path.join(dir, 'hubwasm-fixtures--xss-sentiment');
  fs.mkdirSync(xss);
  for (const file of fs.readdirSync(source)) {
    if (fs.statSync(path.join(source, file)).isFile()) fs.copyFileSync(path.join(source, file), path.join(xss, file));
  }
  const config = JSON.parse(fs.readFileSync(path.join(source, 'config.json'), 'utf8'));
  config.id2label = { 0: XSS_LABEL, 1: 'POSITIVE <b>bold</b>' };
  config.label2id = { [XSS_LABEL]: 0, 'POSITIVE <b>bold</b>': 1 };
  fs.writeFileSync(path.join(xss, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

const hasRepo = (id) => fs.existsSync(path.join(hubDir, id.replace('/', '--'), 'config.json'));

before(async () => {
  hubDir = makeHubDir();
  demo = await startDemoServer({ port: 0, hubDir, probe: async () => false });
  fs.mkdirSync(screenshots, { recursive: true });
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-demo-chromium-'));
  browser = await chromium.launchPersistentContext(profile, { ...LAUNCH, viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await browser?.close();
  await demo?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  if (hubDir) fs.rmSync(hubDir, { recursive: true, force: true });
});

const SETTLED = ['ready', 'error', 'unavailable', 'idle'];

/** Opens the demo on `model` / `task` and waits until the page settles (ready, error, unavailable). */
async function open(query, { server = demo, viewport } = {}) {
  const page = await browser.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}?${new URLSearchParams(query)}`);
  await page.waitForFunction((states) => states.includes(document.body.dataset.state), SETTLED, { timeout: 90_000 });
  return { page, errors, state: await page.evaluate(() => document.body.dataset.state) };
}

const text = (page, selector) => page.locator(selector).innerText();

/** Why the page will not run `task` for the open model, or null when it is ready. */
async function unavailable(page, task) {
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state === 'ready') return null;
  const note = await page.evaluate(() => ({ kind: document.querySelector('#task-note')?.dataset.kind, text: document.querySelector('#task-note')?.textContent }));
  if (state === 'unavailable' && note.kind === 'missing') {
    assert.match(note.text, /Not available yet/);  // the page says so plainly
    return `the package has no ${task} pipeline yet (the page says: "${note.text.trim()}")`;
  }
  const error = await page.locator('#error').innerText().catch(() => '');
  assert.fail(`${task}: the page is "${state}" — ${note.text ?? ''} ${error}`);
}

/** Clicks example `index` and Submit; waits for the run to end. Returns the hub requests made meanwhile. */
async function runExample(page, index = 0) {
  await page.locator('.example').nth(index).click();
  const before = demo.hubRequests.length;
  await page.click('#submit');
  await page.waitForFunction(() => document.body.dataset.state !== 'running' && !document.querySelector('#submit').disabled, null, { timeout: 60_000 });
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== 'ready') assert.fail(`run failed: ${await text(page, '#error')}`);
  return demo.hubRequests.slice(before);
}

async function expectNoPostLoadRequests(page, hubDuringRun) {
  assert.equal(await text(page, '#net-count'), '0', 'the page counted network requests after the model loaded');
  assert.deepEqual(hubDuringRun, [], 'the Hub mirror saw requests during inference');
}

const shot = (page, name) => page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });

// One model per task from the shared (trained where possible) and generated fixtures.
const TASK_CASES = [
  {
    task: 'text-classification', model: 'hubwasm-fixtures/tiny-sentiment-bert',
    async check(page) {
      const hub = await runExample(page, 0);
      await expectNoPostLoadRequests(page, hub);
      assert.match(await text(page, '#result-labels li.best .bar-name'), /^POSITIVE$/);
      const all = await page.locator('#result-labels .bar-name').allInnerTexts();
      assert.deepEqual([...all].sort(), ['NEGATIVE', 'POSITIVE']);
      await runExample(page, 1);
      assert.match(await text(page, '#result-labels li.best .bar-name'), /^NEGATIVE$/);
      assert.ok(await page.locator('#metrics').innerText().then((t) => /Latency/i.test(t)));
    },
  },
  {
    task: 'token-classification', model: 'hubwasm-fixtures/micro-bert-ner',
    async check(page) {
      const hub = await runExample(page, 0);
      await expectNoPostLoadRequests(page, hub);
      const input = await page.inputValue('#in-text');
      // The text comes back whole, entities highlighted with their labels.
      const { plain, tags } = await page.evaluate(() => {
        const p = document.querySelector('#result-entities');
        const clone = p.cloneNode(true);
        const tags = [...clone.querySelectorAll('.ent-tag')].map((t) => t.textContent);
        clone.querySelectorAll('.ent-tag').forEach((t) => t.remove());
        return { plain: clone.textContent, tags };
      });
      assert.equal(plain, input);
      for (const tag of tags) assert.ok(['PER', 'LOC', 'ORG'].includes(tag), tag);
      console.log(`token-classification: ${tags.length} highlighted spans (${tags.join(', ')}) — random-weight fixture`);
    },
  },
  {
    task: 'fill-mask', model: 'hubwasm-fixtures/micro-bert-mlm',
    async check(page) {
      const hub = await runExample(page, 0);
      await expectNoPostLoadRequests(page, hub);
      assert.match(await page.inputValue('#in-text'), /\[MASK\]/);
      assert.equal(await page.locator('#result-candidates li').count(), 5);
      const first = await page.locator('#result-candidates li .cand-token').first().innerText();
      assert.ok(first.length > 0);
    },
  },
  {
    task: 'question-answering', model: 'hubwasm-fixtures/micro-bert-qa',
    async check(page) {
      const hub = await runExample(page, 0);
      await expectNoPostLoadRequests(page, hub);
      const context = await page.inputValue('#in-context');
      const answer = await text(page, '#result-answer strong');
      const marked = await page.locator('#result-context mark.answer').count() ? await text(page, '#result-context mark.answer') : '';
      assert.ok(answer.length > 0);
      assert.ok(context.includes(marked), 'the highlighted answer is a span of the context');
      assert.equal(await page.evaluate(() => document.querySelector('#result-context').textContent), context);
    },
  },
  {
    task: 'zero-shot-classification', model: 'hubwasm-fixtures/micro-bert-nli',
    async check(page) {
      const hub = await runExample(page, 1);
      await expectNoPostLoadRequests(page, hub);
      const labels = await page.locator('#result-labels .bar-name').allInnerTexts();
      assert.deepEqual([...labels].sort(), ['cooking', 'politics', 'sport']);
    },
  },
  {
    task: 'feature-extraction', model: 'hubwasm-fixtures/micro-bert',
    async check(page) {
      const hub = await runExample(page, 0);
      await expectNoPostLoadRequests(page, hub);
      const rows = await page.locator('#result-similarity li').count();
      assert.equal(rows, 3);
      const values = (await page.locator('#result-similarity .bar-value').allInnerTexts()).map(Number);
      assert.ok(values.every((v) => v >= -1.0001 && v <= 1.0001));
      assert.deepEqual(values, [...values].sort((a, b) => b - a));
    },
  },
  {
    task: 'text-generation', model: 'hubwasm-fixtures/botchan-llama',
    async check(page) {
      const ref = JSON.parse(fs.readFileSync(path.join(defaultRoot, 'hubwasm-fixtures--botchan-llama', 'reference', 'greedy.json'), 'utf8'))
        .cases.find((c) => c.prompt === 'I went to the school');
      // Record the streamed text's length at every change.
      await page.evaluate(() => {
        window.__lengths = [];
        new MutationObserver(() => {
          const g = document.querySelector('#result-generated');
          if (g) window.__lengths.push(g.textContent.length);
        }).observe(document.querySelector('#output'), { childList: true, subtree: true, characterData: true });
      });
      await page.locator('.example').nth(0).click();
      await page.click('.settings summary');
      await page.fill('#in-max-new', '32');
      const before = demo.hubRequests.length;
      await page.click('#submit');
      await page.waitForFunction(() => document.body.dataset.state !== 'running', null, { timeout: 60_000 });
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready', await text(page, '#error'));
      await expectNoPostLoadRequests(page, demo.hubRequests.slice(before));
      const generated = await page.evaluate(() => document.querySelector('#result-generated').textContent);
      assert.equal(generated, ref.new_text, 'greedy text equals the torch reference');
      const lengths = await page.evaluate(() => window.__lengths.filter((n) => n > 0));
      const distinct = [...new Set(lengths)];
      console.log(`text-generation: streamed in ${distinct.length} growing steps (${distinct.slice(0, 8).join(', ')}, …)`);
      assert.ok(distinct.length >= 3, 'the text appeared in several pieces');
      assert.deepEqual(distinct, [...distinct].sort((a, b) => a - b), 'the text only grew');
      const metrics = await text(page, '#metrics');
      assert.match(metrics, /Tokens\/s/i);
      assert.match(metrics, /New tokens\s*32/i);
    },
  },
];

describe('tasks', () => {
  for (const c of TASK_CASES) {
    test(`${c.task} with ${c.model}`, async (t) => {
      if (!hasRepo(c.model)) return t.skip(`no fixture ${c.model} (make fixtures builds the generated ones)`);
      const { page, errors } = await open({ model: c.model, task: c.task });
      try {
        const why = await unavailable(page, c.task);
        if (why) {
          await shot(page, `${c.task}-unavailable`);
          console.log(`NOT AVAILABLE ${c.task}: ${why}`);
          return t.skip(why);
        }
        assert.equal(await text(page, '#task-badge'), c.task);
        assert.equal(await text(page, '#model-link'), c.model);
        await c.check(page);
        await shot(page, c.task);
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
      }
    });
  }
});

test('a second visit takes every model file from the cache', async (t) => {
  const { page } = await open({ model: 'hubwasm-fixtures/tiny-sentiment-bert', task: 'feature-extraction' });
  try {
    if (await unavailable(page, 'feature-extraction')) return t.skip('feature-extraction is not available');
    const rows = await page.evaluate(() => [...document.querySelectorAll('#files .file')].map((li) => [li.dataset.file, li.querySelector('.file-status').textContent]));
    const present = rows.filter(([, status]) => status !== 'not in repo');
    assert.ok(present.some(([file]) => file === 'model.safetensors'), JSON.stringify(rows));
    for (const [file, status] of present) assert.equal(status, 'cached', `${file}: ${status}`);
  } finally {
    await page.close();
  }
});

test('the stop button ends a long generation; the model stays usable', async (t) => {
  const model = 'hubwasm-fixtures/micro-llama';
  if (!hasRepo(model)) return t.skip(`no fixture ${model}`);
  const { page } = await open({ model, task: 'text-generation' });
  try {
    const why = await unavailable(page, 'text-generation');
    if (why) return t.skip(why);
    await page.locator('.example').nth(0).click();
    await page.click('.settings summary');
    await page.fill('#in-max-new', '1024');
    await page.click('#submit');
    await page.waitForFunction(() => (document.querySelector('#result-generated')?.textContent.length ?? 0) > 0, null, { timeout: 30_000, polling: 'raf' });
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'running', 'still generating when Stop is pressed');
    await page.click('#stop');
    await page.waitForFunction(() => document.body.dataset.state !== 'running', null, { timeout: 30_000 });
    assert.equal(await text(page, '#status'), 'Stopped');
    const tokens = Number(/New tokens\s*(\d+)/i.exec(await text(page, '#metrics'))?.[1]);
    assert.ok(tokens > 0 && tokens < 1024, `stopped after ${tokens} tokens`);
    await shot(page, 'text-generation-stopped');
    // The same pipeline runs again.
    await page.fill('#in-max-new', '4');
    await page.click('#submit');
    await page.waitForFunction(() => document.body.dataset.state !== 'running', null, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready', await text(page, '#error'));
    assert.match(await text(page, '#metrics'), /New tokens\s*4/i);
    assert.equal(await text(page, '#net-count'), '0');
  } finally {
    await page.close();
  }
});

test('an unsupported architecture is explained in the page', async () => {
  const { page, state } = await open({ model: 'hubwasm-fixtures/t5-unsupported' });
  try {
    assert.equal(state, 'error');
    const message = await text(page, '#error');
    assert.match(message, /not supported/);
    assert.match(message, /model_type "t5"/);
    assert.match(message, /T5ForConditionalGeneration/);
    assert.equal(await page.locator('#error').getAttribute('data-code'), 'UNSUPPORTED_MODEL');
    assert.ok(await page.locator('#submit').isDisabled());
    await shot(page, 'unsupported-model');
  } finally {
    await page.close();
  }
});

test('a model id that does not exist gets a readable "not found"', async () => {
  const { page, state } = await open({ model: 'hubwasm-fixtures/does-not-exist' });
  try {
    assert.equal(state, 'error');
    assert.match(await text(page, '#error'), /Not found/);
    assert.equal(await page.locator('#error').getAttribute('data-code'), 'HTTP_ERROR');
  } finally {
    await page.close();
  }
});

test('a network failure is shown as a readable message', async () => {
  // A Hub URL where nothing listens: every request fails at the network level.
  const dead = await startDemoServer({ port: 0, hubUrl: 'http://127.0.0.1:9/', model: 'hubwasm-fixtures/tiny-sentiment-bert' });
  try {
    const { page, state } = await open({}, { server: dead });
    try {
      assert.equal(state, 'error');
      assert.match(await text(page, '#error'), /could not be downloaded/);
      assert.equal(await page.locator('#error').getAttribute('data-code'), 'NETWORK_ERROR');
      await shot(page, 'network-error');
    } finally {
      await page.close();
    }
  } finally {
    await dead.close();
  }
});

test('with no reachable model source the page says so', async () => {
  const none = await startDemoServer({ port: 0, probe: async () => false, sharedDir: path.join(os.tmpdir(), 'hubwasm-no-such-dir') });
  try {
    assert.equal(none.source, 'none');
    const page = await browser.newPage();
    try {
      await page.goto(`${none.url}?model=org/name`);
      await page.waitForSelector('#source-banner:not([hidden])');
      assert.match(await text(page, '#source-banner'), /No model source is reachable/);
    } finally {
      await page.close();
    }
  } finally {
    await none.close();
  }
});

test('labels from the model are shown as text, never run as HTML', async (t) => {
  const { page } = await open({ model: 'hubwasm-fixtures/xss-sentiment', task: 'text-classification' });
  try {
    const why = await unavailable(page, 'text-classification');
    if (why) return t.skip(why);
    await runExample(page, 1);  // a negative sentence: the <img> label wins
    const labels = await page.locator('#result-labels .bar-name').allInnerTexts();
    assert.ok(labels.includes(XSS_LABEL), JSON.stringify(labels));
    assert.ok(labels.includes('POSITIVE <b>bold</b>'));
    assert.equal(await page.locator('#output img, #output b').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    await shot(page, 'xss-labels-as-text');
  } finally {
    await page.close();
  }
});

test('phone width: one column, no horizontal scrolling, keyboard reaches Submit', async (t) => {
  const { page } = await open({ model: 'hubwasm-fixtures/tiny-sentiment-bert', task: 'text-classification' }, { viewport: { width: 390, height: 844 } });
  try {
    if (await unavailable(page, 'text-classification')) return t.skip('text-classification is not available');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    // Keyboard only: type, then Ctrl+Enter.
    await page.focus('#in-text');
    await page.keyboard.type('The food was really delicious.');
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('#result-labels li.best');
    assert.equal(await text(page, '#result-labels li.best .bar-name'), 'POSITIVE');
    // Every control has a label.
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, textarea, select')]
      .filter((e) => !e.labels?.length && !e.getAttribute('aria-label')).map((e) => e.id));
    assert.deepEqual(unlabelled, []);
    await shot(page, 'phone-text-classification');
  } finally {
    await page.close();
  }
});
