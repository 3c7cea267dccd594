// The demo page: picks a model and a task, loads the pipeline in a Web Worker (worker.js, which imports
// hubwasm from /js/src/index.js), runs examples, and shows what stays local.
import { DemoWorker } from './client.js';
import { $, formatBytes, formatMs, h, set } from './dom.js';
import { TASKS, TASK_ORDER, TASK_TITLES, tasksFor } from './tasks.js';

const state = {
  cfg: {},
  caps: null,
  client: null,
  model: null,
  config: null,
  support: null,
  task: null,
  loaded: null,        // { task, info } once the pipeline is ready
  loadedAt: null,      // epoch ms (performance.timeOrigin based) when the pipeline became ready
  busy: false,
  running: false,
  net: [],             // every request: { url, kind, at, where }
  form: null,          // the current task's { read, fill }
  chatMode: false,
  history: [],
  generation: 0,       // increments on each model/task switch, so that stale loads are ignored
};

const el = {
  body: document.body,
  modelForm: $('#model-form'), modelInput: $('#model-input'), modelList: $('#model-list'), modelLink: $('#model-link'),
  taskBadge: $('#task-badge'), taskNav: $('#task-nav'), banner: $('#source-banner'),
  taskForm: $('#task-form'), taskInputs: $('#task-inputs'), taskNote: $('#task-note'), examples: $('#examples'), examplesBox: $('#examples-box'),
  submit: $('#submit'), stop: $('#stop'), clear: $('#clear'),
  files: $('#files'), filesPanel: $('#files-panel'), filesSummary: $('#files-summary'),
  error: $('#error'), output: $('#output'), metrics: $('#metrics'), status: $('#status'),
  netCount: $('#net-count'), netBadge: $('#net-badge'), netList: $('#net-list'),
  runtime: $('#runtime'),
};

const now = () => performance.timeOrigin + performance.now();

// --- network requests ----------------------------------------------------------------------------------

function recordNet(entry) {
  state.net.push(entry);
  updateNetCounter();
}

try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) recordNet({ url: e.name, kind: e.initiatorType, at: performance.timeOrigin + e.startTime, where: 'page' });
  }).observe({ type: 'resource', buffered: true });
} catch { /* no resource timing: the worker's requests are still counted */ }

function updateNetCounter() {
  if (state.loadedAt === null) {
    el.netCount.textContent = '–';
    el.netBadge.dataset.count = '';
    el.netBadge.title = 'Counted once the model has loaded';
    return;
  }
  const after = state.net.filter((e) => e.at >= state.loadedAt);
  el.netCount.textContent = String(after.length);
  el.netBadge.dataset.count = String(after.length);
  el.netBadge.classList.toggle('warn', after.length > 0);
  el.netBadge.title = after.length ? `Requests since the model loaded:\n${after.map((e) => e.url).join('\n')}` : 'No network request since the model loaded';
  set(el.netList, after.map((e) => h('li', {}, `${e.where}: ${e.url}`)));
}

// --- status, errors ------------------------------------------------------------------------------------

function setStatus(kind, text) {
  el.body.dataset.state = kind;
  el.status.textContent = text;
}

const HINTS = {
  NETWORK_ERROR: ['The model files could not be downloaded',
    'The model source did not answer. Check your connection, or that the Hub mirror the demo uses is running, then load the model again.'],
  UNSUPPORTED_MODEL: ['This architecture is not supported', 'hubwasm cannot run this model yet.'],
  OUT_OF_MEMORY: ['Out of memory', 'The model does not fit in this tab\'s WebAssembly memory. Try a smaller model, or close other tabs.'],
  MISSING_FILE: ['The repo lacks a file hubwasm needs', 'hubwasm reads config.json, model.safetensors (or its index) and the tokenizer files.'],
  INVALID_FILE: ['A file of the repo could not be read', ''],
  INVALID_CONFIG: ['config.json could not be used', ''],
  CONFIG_MISMATCH: ['config.json and the weights disagree', ''],
  MISSING_TENSOR: ['A weight is missing from the repo', ''],
  UNSUPPORTED_FEATURE: ['Not supported', ''],
  INVALID_ARGUMENT: ['The input was not accepted', ''],
  PACKAGE_LOAD_FAILED: ['The hubwasm package could not be loaded', 'Is the demo served by web-demo/server.mjs (make demo), with js/ next to it?'],
  BUILD_MISMATCH: ['This build of hubwasm is incomplete',
    'The package\'s WebAssembly core is older than its JavaScript and lacks what this task needs. Rebuild it (make build) and reload.'],
  WORKER_FAILED: ['The demo worker stopped', 'Reload the page to start again.'],
};

function explain(error) {
  const code = error?.code ?? 'INTERNAL';
  let [title, hint] = HINTS[code] ?? ['Something went wrong', ''];
  if (code === 'HTTP_ERROR') {
    if (error.status === 404) [title, hint] = ['Not found', 'There is no model with this id at the model source, or a file it needs is missing. Check the spelling of the id.'];
    else if (error.status === 401 || error.status === 403) [title, hint] = ['This model is private or gated', 'Accept its licence on the Hub and use an access token.'];
    else [title, hint] = [`The model source answered HTTP ${error.status ?? '?'}`, 'Try again in a moment.'];
  }
  return { code, title, hint, message: String(error?.message ?? error) };
}

function showError(error, { title } = {}) {
  const info = explain(error);
  set(el.error,
    h('p', { class: 'error-title' }, title ?? info.title),
    info.hint ? h('p', {}, info.hint) : null,
    h('p', { class: 'error-detail' }, h('code', {}, info.code), ' ', info.message));
  el.error.hidden = false;
  el.error.dataset.code = info.code;
}

function clearError() {
  el.error.hidden = true;
  el.error.replaceChildren();
  delete el.error.dataset.code;
}

function showMessage(title, text, code) {
  set(el.error, h('p', { class: 'error-title' }, title), h('p', {}, text));
  el.error.hidden = false;
  el.error.dataset.code = code;
}

// --- header, nav, footer -------------------------------------------------------------------------------

function setHeader() {
  const id = state.model ?? '';
  el.modelLink.textContent = id || 'no model';
  const base = state.cfg.hubPage ?? 'https://huggingface.co/';
  el.modelLink.href = id ? new URL(id.split('/').map(encodeURIComponent).join('/'), base).href : '#';
  el.taskBadge.textContent = state.task ?? (state.support?.unsupported ? 'unsupported' : 'no task');
  document.title = `${id ? `${id} · ` : ''}${state.task ?? 'hubwasm demo'} · hubwasm`;
}

function renderNav() {
  const buttons = TASK_ORDER.map((task) => {
    const s = state.support?.tasks[task];
    const available = state.caps?.tasks?.[task];
    const note = !available ? 'not available yet' : !s ? '' : s.ok ? '' : 'not for this model';
    return h('button', {
      type: 'button', class: `task-tab${s?.ok ? '' : ' off'}`, 'aria-pressed': String(task === state.task),
      'data-task': task, title: s?.reason || TASK_TITLES[task], onclick: () => switchTask(task),
    }, TASK_TITLES[task], note ? h('span', { class: 'tab-note' }, note) : null);
  });
  set(el.taskNav, buttons);
}

function renderRuntime() {
  const caps = state.caps;
  const r = caps?.runtime;
  const source = {
    dir: state.cfg.fallback ? 'offline mirror (the Hub could not be reached)' : 'local Hub-format folder',
    url: 'Hub-compatible server', hub: 'Hugging Face Hub', none: 'none reachable',
  }[state.cfg.source] ?? 'unknown';
  set(el.runtime,
    h('span', {}, 'Runtime: hubwasm WebAssembly'),
    h('span', {}, `SIMD128: ${r ? (r.simd ? 'on' : 'not supported by this browser') : '?'}`),
    h('span', {}, `threads: ${r ? `${r.numThreads} (numThreads)` : '?'}`),
    h('span', {}, `cross-origin isolated: ${self.crossOriginIsolated ? 'yes' : 'no'}`),
    h('span', {}, `model cache: ${r?.useBrowserCache ? 'Cache API' : 'off'}`),
    h('span', {}, `model source: ${source}`));
}

// --- progress ------------------------------------------------------------------------------------------

const fileRows = new Map();

function resetFiles() {
  fileRows.clear();
  el.files.replaceChildren();
  el.filesPanel.open = true;
  el.filesPanel.hidden = false;
  el.filesSummary.textContent = 'Loading model files…';
}

function onProgress(event) {
  if (!event?.file) return;
  let row = fileRows.get(event.file);
  if (!row) {
    const bar = h('progress', { max: 100, value: 0, 'aria-label': `${event.file} download` });
    const size = h('span', { class: 'file-size' }, '');
    const status = h('span', { class: 'file-status' }, 'waiting');
    const li = h('li', { class: 'file', 'data-file': event.file }, h('span', { class: 'file-name' }, event.file), bar, size, status);
    row = { li, bar, size, status, total: 0, state: 'waiting' };
    fileRows.set(event.file, row);
    el.files.append(li);
  }
  if (event.status === 'download') {
    row.state = 'downloading';
    row.status.textContent = 'downloading';
  } else if (event.status === 'progress') {
    row.state = 'downloading';
    row.total = event.total || row.total;
    if (event.total) row.bar.value = Math.min(100, event.progress ?? (event.loaded / event.total) * 100);
    else row.bar.removeAttribute('value');
    row.size.textContent = event.total ? `${formatBytes(event.loaded)} / ${formatBytes(event.total)}` : formatBytes(event.loaded);
    row.status.textContent = `${Math.round(event.progress ?? 0)}%`;
  } else if (event.status === 'done') {
    if (row.state === 'done' && event.cached) return;  // fetched a moment ago in this load (config.json), then read again
    row.state = event.cached ? 'cached' : 'done';
    row.bar.value = 100;
    row.li.classList.add(event.cached ? 'cached' : 'done');
    row.size.textContent = row.total ? formatBytes(row.total) : '';
    row.status.textContent = event.cached ? 'cached' : 'downloaded';
  }
}

function failFiles(summary) {
  for (const row of fileRows.values()) {
    if (row.state !== 'waiting' && row.state !== 'downloading') continue;
    row.li.classList.add('failed');
    row.status.textContent = 'failed';
    row.state = 'failed';
  }
  el.filesSummary.textContent = summary;
}

function finishFiles(ms) {
  let downloaded = 0;
  let cached = 0;
  for (const row of fileRows.values()) {
    if (row.state === 'waiting' || row.state === 'downloading') {
      // An optional file the repo does not have (e.g. model.safetensors.index.json).
      row.li.classList.add('absent');
      row.bar.value = 0;
      row.status.textContent = 'not in repo';
      row.state = 'absent';
    } else if (row.state === 'cached') cached++;
    else downloaded += row.total;
  }
  const parts = [`${fileRows.size} files`];
  if (downloaded) parts.push(`${formatBytes(downloaded)} downloaded`);
  if (cached) parts.push(`${cached} from cache`);
  parts.push(`ready in ${formatMs(ms)}`);
  el.filesSummary.textContent = `Model files: ${parts.join(' · ')}`;
  el.filesPanel.open = false;
}

// --- model and task ------------------------------------------------------------------------------------

const MODEL_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

async function openModel(id, preferredTask = null) {
  const gen = ++state.generation;
  state.model = id;
  state.config = null;
  state.support = null;
  state.loaded = null;
  state.loadedAt = null;
  state.task = null;
  state.history = [];
  clearError();
  el.output.replaceChildren();
  el.metrics.replaceChildren();
  el.modelInput.value = id;
  setHeader();
  renderNav();
  updateNetCounter();
  if (!MODEL_ID.test(id) || id.includes('--') || id.includes('..')) {
    setStatus('error', 'Not a model id');
    renderTaskPanel();
    showMessage('Not a model id', `"${id}" is not a Hub model id: use the form organisation/name, e.g. ${state.cfg.model ?? 'Xenova/bert-base-uncased'}.`, 'INVALID_MODEL_ID');
    return;
  }
  setStatus('loading', 'Reading config.json…');
  resetFiles();
  let config;
  try {
    ({ value: config } = await state.client.request('config', { model: id }, { onProgress }));
  } catch (error) {
    if (gen !== state.generation) return;
    setStatus('error', 'Could not read the model');
    failFiles('Model files: could not be loaded');
    renderTaskPanel();
    showError(error);
    return;
  }
  if (gen !== state.generation) return;
  state.config = config;
  state.support = tasksFor(config, state.caps.tasks);
  setHeader();
  if (state.support.unsupported) {
    renderNav();
    renderTaskPanel();
    setStatus('error', 'Architecture not supported');
    el.filesSummary.textContent = 'Model files: only config.json was read';
    showMessage('This model is not supported', `${id} cannot run here: ${state.support.unsupported}`, 'UNSUPPORTED_MODEL');
    return;
  }
  const want = preferredTask && state.support.tasks[preferredTask] ? preferredTask : state.support.preferred;
  await switchTask(want ?? TASK_ORDER.find((t) => state.support.tasks[t].ok) ?? 'feature-extraction', { keepFiles: true });
}

async function switchTask(task, { keepFiles = false } = {}) {
  if (!task || (task === state.task && state.loaded?.task === task)) return;
  if (state.running) return;
  const gen = ++state.generation;
  state.task = task;
  state.loaded = null;
  state.loadedAt = null;
  state.chatMode = false;
  state.history = [];
  const url = new URL(location.href);
  url.searchParams.set('model', state.model);
  url.searchParams.set('task', task);
  history.replaceState(null, '', url);
  setHeader();
  renderNav();
  clearError();
  el.output.replaceChildren();
  el.metrics.replaceChildren();
  updateNetCounter();
  const support = state.support?.tasks[task];
  renderTaskPanel();
  if (!support?.ok) {
    setStatus('unavailable', support?.kind === 'missing' ? 'Task not available yet' : 'Task not available for this model');
    el.filesPanel.hidden = true;
    return;
  }
  setStatus('loading', 'Loading the model…');
  if (!keepFiles) resetFiles();
  state.busy = true;
  syncButtons();
  try {
    const { value, timing } = await state.client.request('load', { task, model: state.model }, { onProgress });
    if (gen !== state.generation) return;
    state.loaded = { task, info: value };
    state.loadedAt = now();
    finishFiles(timing?.ms ?? 0);
    renderTaskPanel();  // with what the tokenizer told (mask token, chat template)
    setStatus('ready', `Ready · loaded in ${formatMs(timing?.ms ?? 0)}`);
  } catch (error) {
    if (gen !== state.generation) return;
    setStatus('error', 'The model could not be loaded');
    failFiles('Model files: loading failed');
    showError(error);
  } finally {
    if (gen === state.generation) state.busy = false;
    updateNetCounter();
    syncButtons();
  }
}

function renderTaskPanel() {
  const task = state.task;
  const support = task && state.support?.tasks[task];
  el.taskInputs.replaceChildren();
  el.examples.replaceChildren();
  el.taskNote.hidden = true;
  state.form = null;
  if (!task || !support) {
    const why = !state.model ? 'Type a model id above and load it.'
      : state.support?.unsupported ? 'Nothing to run: this model\'s architecture is not supported (see the message on the right).'
        : state.config === null && el.body.dataset.state === 'error' ? 'Nothing to run: the model could not be read (see the message on the right).'
          : 'Reading the model…';
    set(el.taskNote, why);
    el.taskNote.hidden = false;
    el.taskNote.dataset.kind = 'empty';
    el.examplesBox.hidden = true;
    syncButtons();
    return;
  }
  if (!support.ok) {
    set(el.taskNote, h('strong', {}, `${TASK_TITLES[task]}: `), support.reason);
    el.taskNote.hidden = false;
    el.taskNote.dataset.kind = support.kind;
    el.examplesBox.hidden = true;
    syncButtons();
    return;
  }
  const def = TASKS[task];
  const info = state.loaded?.info ?? {};
  const ctx = {
    maskToken: info.mask_token ?? null,
    chatTemplate: Boolean(info.chat_template),
    chatMode: state.chatMode,
    history: state.history,
    setChatMode: (on) => {
      state.chatMode = on;
      state.history = [];
      el.output.replaceChildren();
      renderTaskPanel();
      $('#in-chat')?.focus();
    },
  };
  state.form = def.build(el.taskInputs, ctx);
  el.examplesBox.hidden = false;
  set(el.examples, def.examples.map((example) => h('button', {
    type: 'button', class: 'example',
    onclick: () => {
      state.form.fill(example);
      el.submit.focus();
    },
  }, example.label.replaceAll('[MASK]', ctx.maskToken ?? '[MASK]'))));
  syncButtons();
}

function syncButtons() {
  const ready = Boolean(state.loaded && state.form) && !state.busy;
  el.submit.disabled = !ready || state.running;
  el.clear.disabled = !state.form || state.running;
  el.stop.hidden = state.task !== 'text-generation' || !state.support?.tasks['text-generation']?.ok;
  el.stop.disabled = !state.running;
  el.submit.setAttribute('aria-busy', String(state.running || state.busy));
}

// --- running -------------------------------------------------------------------------------------------

async function submit() {
  if (!state.form || !state.loaded || state.busy || state.running) return;
  const input = state.form.read();
  if (input.error) {
    showMessage('Nothing to run yet', input.error, 'INPUT');
    return;
  }
  clearError();
  const task = state.task;
  const def = TASKS[task];
  state.running = true;
  syncButtons();
  setStatus('running', 'Running locally…');
  el.metrics.replaceChildren();
  const ctx = { chatMode: state.chatMode, history: state.history };
  let stream = null;
  let payload = input;
  if (task === 'text-generation') {
    if (state.chatMode) {
      state.history.push({ role: 'user', content: input.prompt });
      payload = { ...input, messages: state.history.map((m) => ({ ...m })) };
      state.form.clearPrompt?.();
    }
    stream = def.stream(el.output, input, ctx);
  } else {
    el.output.setAttribute('aria-busy', 'true');
  }
  const started = performance.now();
  let streamedTokens = 0;
  try {
    const { value, timing } = await state.client.request('run', { task, input: payload }, {
      onStream: (text, tokens) => {
        streamedTokens = tokens;
        stream?.append(text);
      },
    });
    const elapsed = performance.now() - started;
    if (stream) {
      stream.done(value.text);
      if (state.chatMode) state.history.push({ role: 'assistant', content: value.text });
    } else {
      def.render(el.output, value, input, ctx);
    }
    showMetrics(elapsed, timing);
    setStatus('ready', `Done in ${formatMs(elapsed)}`);
  } catch (error) {
    stream?.done();
    if (error.code === 'ABORTED') {
      setStatus('ready', 'Stopped');
      showMetrics(performance.now() - started, task === 'text-generation' ? { tokens: streamedTokens, firstTokenMs: null } : null, true);
      if (state.chatMode) state.history.pop();
    } else {
      setStatus('error', 'The model could not run');
      showError(error);
    }
  } finally {
    el.output.removeAttribute('aria-busy');
    state.running = false;
    syncButtons();
    updateNetCounter();
  }
}

function showMetrics(elapsed, timing, stopped = false) {
  const items = [['Latency', formatMs(elapsed)]];
  if (timing?.ms !== undefined && Math.abs(timing.ms - elapsed) > 1) items.push(['In the worker', formatMs(timing.ms)]);
  if (timing?.tokens !== undefined) {
    items.push(['New tokens', String(timing.tokens)]);
    if (timing.firstTokenMs !== null && timing.firstTokenMs !== undefined) items.push(['First token', formatMs(timing.firstTokenMs)]);
    items.push(['Tokens/s', timing.tokensPerSecond ? timing.tokensPerSecond.toFixed(1) : '–']);
  }
  if (stopped) items.push(['Stopped', 'by you']);
  set(el.metrics, items.map(([k, v]) => h('div', { class: 'metric' }, h('dt', {}, k), h('dd', {}, v))));
}

async function stop() {
  if (!state.running) return;
  el.stop.disabled = true;
  const how = await state.client.stop();
  if (how === 'restarted') {
    // Without shared memory the worker was restarted: load the pipeline again (from the cache).
    const task = state.task;
    state.task = null;
    await switchTask(task);
  }
}

// --- wiring --------------------------------------------------------------------------------------------

el.modelForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const id = el.modelInput.value.trim();
  if (id && !state.running) openModel(id, state.task);
});
el.taskForm.addEventListener('submit', (event) => {
  event.preventDefault();
  submit();
});
el.taskForm.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    submit();
  }
});
el.stop.addEventListener('click', stop);
el.clear.addEventListener('click', () => {
  for (const f of el.taskInputs.querySelectorAll('textarea, input[type=text]')) f.value = '';
  el.output.replaceChildren();
  el.metrics.replaceChildren();
  clearError();
  state.history = [];
});

async function main() {
  setStatus('starting', 'Starting…');
  try {
    state.cfg = await (await fetch('/demo-config.json')).json();
  } catch {
    state.cfg = { source: 'unknown', remoteHost: null, model: null, models: [] };
  }
  set(el.modelList, (state.cfg.models ?? []).map((m) => h('option', { value: m.id }, `${m.model_type ?? '?'} · ${m.architectures?.[0] ?? ''}`)));
  if (state.cfg.source === 'none') {
    el.banner.hidden = false;
    set(el.banner, h('strong', {}, 'No model source is reachable. '),
      'The Hugging Face Hub did not answer and there is no offline mirror. Restart the demo with HUB_URL=… or HUB_DIR=… (see README).');
    el.banner.dataset.kind = 'error';
  } else if (state.cfg.source === 'dir') {
    el.banner.hidden = false;
    set(el.banner, state.cfg.fallback
      ? 'Offline: the Hugging Face Hub could not be reached, so models come from the local test mirror (../shared/models).'
      : 'Models come from a local folder of Hub-format repos.');
    el.banner.dataset.kind = 'info';
  }
  const env = {};
  if (state.cfg.remoteHost) env.remoteHost = new URL(state.cfg.remoteHost, location.href).href;
  state.client = new DemoWorker({
    env,
    onNet: (e) => recordNet({ ...e, where: 'worker' }),
    onFatal: (error) => {
      state.running = false;
      state.busy = false;
      setStatus('error', 'The worker stopped');
      showError(error);
      syncButtons();
    },
  });
  try {
    state.caps = await state.client.start();
  } catch (error) {
    renderRuntime();
    setStatus('error', 'The hubwasm package could not be loaded');
    showError(error);
    return;
  }
  renderRuntime();
  renderNav();
  const params = new URLSearchParams(location.search);
  const model = params.get('model') || state.cfg.model;
  if (!model) {
    setStatus('idle', 'Type a model id to start');
    return;
  }
  await openModel(model, params.get('task'));
}

main();
