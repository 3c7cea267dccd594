// Type-checked against the installed tarball's declarations (tsc --noEmit).
import {
  AutoModel, AutoModelForCausalLM, AutoTokenizer, HubwasmError, Tensor, TextStreamer, cos_sim, env, pipeline, runtimeInfo,
} from 'hubwasm';
import type { GenerateArguments, Message, RuntimeInfo, TextGenerationCallOptions, TextGenerationPipeline } from 'hubwasm';

env.remoteHost = 'http://127.0.0.1:8080/';
env.backends.wasm.wasmPaths = '/wasm/';

async function main(): Promise<number> {
  const extractor = await pipeline('feature-extraction', 'sentence-transformers/all-MiniLM-L6-v2', {
    progress_callback: (info) => {
      if (info.status === 'progress') console.log(info.file, info.progress.toFixed(0));
    },
  });
  const out: Tensor = await extractor(['a', 'b'], { pooling: 'mean', normalize: true });
  const tokenizer = await AutoTokenizer.from_pretrained('sentence-transformers/all-MiniLM-L6-v2');
  const model = await AutoModel.from_pretrained('sentence-transformers/all-MiniLM-L6-v2', { revision: 'main' });
  const { last_hidden_state } = await model(tokenizer(['x', 'y z'], { padding: true }));
  try {
    await AutoModel.from_pretrained('nope/nope');
  } catch (e) {
    if (e instanceof HubwasmError && e.code === 'HTTP_ERROR') console.log(e.status, e.url);
  }
  await model.dispose();
  return cos_sim(out.data as Float32Array, last_hidden_state.data as Float32Array);
}
main();

// Text generation: options, streaming, chat messages, worker mode and the runtime settings.
async function generation(): Promise<string> {
  env.backends.wasm.numThreads = 2;
  const info: RuntimeInfo | null = runtimeInfo();
  if (info && info.variant === 'simd-threads') console.log(info.numThreads);
  const generator: TextGenerationPipeline = await pipeline('text-generation', 'openai-community/gpt2', { dtype: 'q8', worker: true });
  const streamer = new TextStreamer(generator.tokenizer, { skip_prompt: true, callback_function: (text) => console.log(text) });
  const options: TextGenerationCallOptions = { max_new_tokens: 8, do_sample: true, top_k: 20, seed: 1, streamer, return_full_text: false };
  const [single] = await generator('Once upon a time', options);
  const chat: Message[] = [{ role: 'user', content: 'Hi' }];
  const [reply] = await generator(chat, { max_new_tokens: 4 });
  const last: Message = reply.generated_text[reply.generated_text.length - 1];
  const model = await AutoModelForCausalLM.from_pretrained('openai-community/gpt2', { dtype: 'fp32' });
  const args: GenerateArguments = { input_ids: [[1, 2, 3]], max_new_tokens: 2, eos_token_id: [] };
  const ids: Tensor = await model.generate(args);
  await model.dispose();
  await generator.dispose();
  return `${single.generated_text}${last.content}${ids.dims.join('x')}`;
}
generation();
