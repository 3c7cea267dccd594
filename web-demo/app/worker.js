// The demo's Web Worker: loads hubwasm (as served at /js/src/index.js), builds the pipeline with the
// package's own pipeline(), runs it off the main thread, streams generated text back, and reports every
// network request it makes so that the page can show that inference makes none.
//
// Messages in:  init { env, stopFlag? }, load { id, task, model }, config { id, model }, run { id, task, input },
//               dispose { id }
// Messages out: ready-module { capabilities } | fatal { error }, net { url, kind }, progress { id, event },
//               stream { id, text, tokens }, result { id, value, timing }, error { id, error }

const TASK_EXPORTS = {
  'feature-extraction': 'FeatureExtractionPipeline',
  'text-classification': 'TextClassificationPipeline',
  'token-classification': 'TokenClassificationPipeline',
  'fill-mask': 'FillMaskPipeline',
  'question-answering': 'QuestionAnsweringPipeline',
  'zero-shot-classification': 'ZeroShotClassificationPipeline',
  'text-generation': 'TextGenerationPipeline',
};

// --- every network request made from this worker -------------------------------------------------------
const realFetch = self.fetch.bind(self);
self.fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input?.url ?? String(input);
  self.postMessage({ type: 'net', url: String(url), kind: 'fetch', at: performance.timeOrigin + performance.now() });
  return realFetch(input, init);
};
try {
  // Anything not made by fetch() (module imports of the package, importScripts).
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.initiatorType === 'fetch') continue;
      self.postMessage({ type: 'net', url: entry.name, kind: entry.initiatorType, at: performance.timeOrigin + entry.startTime });
    }
  }).observe({ type: 'resource', buffered: true });
} catch { /* no resource timing in this worker: fetch() is still counted */ }

let hubwasm = null;
let pipe = null;
let pipeTask = null;
let stopFlag = null;  // Int32Array over a SharedArrayBuffer: the page sets [0] = 1 to stop generation

const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

function plainError(error) {
  if (error?.name === 'AbortError') return { name: 'AbortError', code: 'ABORTED', message: 'stopped' };
  if (error instanceof TypeError && /\bnative\.\w+ is not a function|\.\w+ is not a constructor/.test(error.message)) {
    // The package's JavaScript calls into a WebAssembly core that does not have that function yet.
    return { name: 'HubwasmError', code: 'BUILD_MISMATCH', message: `${error.message} (js/dist/hubwasm.wasm is older than js/src)` };
  }
  return {
    name: error?.name ?? 'Error',
    code: error?.code ?? 'INTERNAL',
    message: String(error?.message ?? error),
    status: error?.status,
    url: error?.url,
  };
}

function capabilities() {
  const tasks = {};
  for (const [task, name] of Object.entries(TASK_EXPORTS)) {
    tasks[task] = typeof hubwasm.pipeline === 'function' && typeof hubwasm[name] === 'function';
  }
  return {
    tasks,
    streaming: typeof hubwasm.TextStreamer === 'function',
    autoConfig: typeof hubwasm.AutoConfig?.from_pretrained === 'function',
    cosSim: typeof hubwasm.cos_sim === 'function',
    runtime: {
      simd: WebAssembly.validate(SIMD_PROBE),
      crossOriginIsolated: self.crossOriginIsolated === true,
      sharedMemory: typeof SharedArrayBuffer === 'function',
      numThreads: hubwasm.env?.backends?.wasm?.numThreads ?? 1,
      hardwareConcurrency: self.navigator?.hardwareConcurrency ?? null,
      useBrowserCache: Boolean(hubwasm.env?.useBrowserCache),
    },
  };
}

/** The tokenizer's mask token as text ('[MASK]', '<mask>', ...). */
function maskToken(p) {
  const t = p?.tokenizer;
  const fromConfig = t?.config?.mask_token;
  try {
    return t?.mask_token ?? p._specialToken?.('mask_token')?.token
      ?? (typeof fromConfig === 'string' ? fromConfig : fromConfig?.content) ?? null;
  } catch {
    return null;
  }
}

function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

async function runTask(id, task, input) {
  const started = performance.now();
  if (task === 'feature-extraction') {
    const texts = [input.source, ...input.sentences];
    const out = await pipe(texts, { pooling: 'mean', normalize: true });
    const [n, width] = out.dims;
    const rows = Array.from({ length: n }, (_, i) => out.data.subarray(i * width, (i + 1) * width));
    const sim = hubwasm.cos_sim ?? ((a, b) => dot(a, b));
    const scores = input.sentences.map((sentence, i) => ({ sentence, score: sim(Array.from(rows[0]), Array.from(rows[i + 1])) }));
    return { value: { dims: out.dims, scores }, timing: { ms: performance.now() - started } };
  }
  if (task === 'text-classification') {
    return { value: await pipe(input.text, { top_k: null }), timing: { ms: performance.now() - started } };
  }
  if (task === 'token-classification') {
    return { value: await pipe(input.text, { aggregation_strategy: 'simple' }), timing: { ms: performance.now() - started } };
  }
  if (task === 'fill-mask') {
    return { value: await pipe(input.text, { top_k: 5 }), timing: { ms: performance.now() - started } };
  }
  if (task === 'question-answering') {
    return { value: await pipe(input.question, input.context), timing: { ms: performance.now() - started } };
  }
  if (task === 'zero-shot-classification') {
    const value = await pipe(input.text, input.labels, { multi_label: input.multi_label });
    return { value, timing: { ms: performance.now() - started } };
  }
  if (task === 'text-generation') {
    const controller = new AbortController();
    let tokens = 0;
    let firstTokenAt = null;
    const checkStop = () => {
      if (stopFlag && Atomics.load(stopFlag, 0) === 1 && !controller.signal.aborted) {
        controller.abort(new DOMException('generation stopped', 'AbortError'));
      }
    };
    const onToken = () => {
      tokens++;
      firstTokenAt ??= performance.now();
      checkStop();
    };
    let streamer;
    if (typeof hubwasm.TextStreamer === 'function') {
      streamer = new hubwasm.TextStreamer(pipe.tokenizer, {
        skip_prompt: true,
        skip_special_tokens: true,
        callback_function: (text) => self.postMessage({ type: 'stream', id, text, tokens }),
        token_callback_function: onToken,
      });
    } else {
      // No TextStreamer in this build: count tokens, show the text at the end.
      let prompt = true;
      streamer = { put() { if (prompt) prompt = false; else onToken(); }, end() {} };
    }
    const { prompt, messages, settings } = input;
    const options = { ...settings, streamer, signal: controller.signal };
    const out = await pipe(messages ?? prompt, { ...options, ...(messages ? {} : { return_full_text: false }) });
    const finished = performance.now();
    const generated = out?.[0]?.generated_text;
    const text = Array.isArray(generated) ? generated.at(-1)?.content ?? '' : generated ?? '';
    const decodeMs = firstTokenAt === null ? 0 : finished - firstTokenAt;
    return {
      value: { text, tokens, streamed: typeof hubwasm.TextStreamer === 'function' },
      timing: {
        ms: finished - started,
        firstTokenMs: firstTokenAt === null ? null : firstTokenAt - started,
        tokens,
        tokensPerSecond: tokens > 1 && decodeMs > 0 ? (tokens - 1) / (decodeMs / 1000) : null,
      },
    };
  }
  throw Object.assign(new Error(`task ${task} is not handled by the demo`), { code: 'UNSUPPORTED_FEATURE' });
}

self.onmessage = async ({ data: message }) => {
  const { id, type } = message;
  try {
    if (type === 'init') {
      stopFlag = message.stopFlag ? new Int32Array(message.stopFlag) : null;
      try {
        hubwasm = await import('/js/src/index.js');
      } catch (error) {
        self.postMessage({ type: 'fatal', error: { code: 'PACKAGE_LOAD_FAILED', message: `the hubwasm package could not be loaded: ${error?.message ?? error}` } });
        return;
      }
      Object.assign(hubwasm.env, message.env ?? {});
      self.postMessage({ type: 'ready-module', capabilities: capabilities() });
    } else if (type === 'config') {
      const progress_callback = (event) => self.postMessage({ type: 'progress', id, event });
      const config = await hubwasm.AutoConfig.from_pretrained(message.model, { progress_callback });
      self.postMessage({ type: 'result', id, value: config });
    } else if (type === 'load') {
      if (pipe) {
        const old = pipe;
        pipe = null;
        await old.dispose?.();
      }
      const started = performance.now();
      const progress_callback = (event) => self.postMessage({ type: 'progress', id, event });
      pipe = await hubwasm.pipeline(message.task, message.model, { progress_callback, ...(message.options ?? {}) });
      pipeTask = message.task;
      const tokenizer = pipe.tokenizer;
      self.postMessage({
        type: 'result', id,
        value: {
          task: pipeTask,
          mask_token: message.task === 'fill-mask' ? maskToken(pipe) : null,
          chat_template: Boolean(tokenizer?.chat_template),
          model_max_length: tokenizer?.config?.model_max_length ?? null,
        },
        timing: { ms: performance.now() - started },
      });
    } else if (type === 'run') {
      if (!pipe || pipeTask !== message.task) throw Object.assign(new Error('no pipeline is loaded for this task'), { code: 'INVALID_ARGUMENT' });
      const { value, timing } = await runTask(id, message.task, message.input);
      self.postMessage({ type: 'result', id, value, timing });
    } else if (type === 'dispose') {
      const old = pipe;
      pipe = null;
      await old?.dispose?.();
      self.postMessage({ type: 'result', id, value: null });
    }
  } catch (error) {
    self.postMessage({ type: 'error', id, error: plainError(error) });
  }
};
