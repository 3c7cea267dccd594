// Type-checked against the installed tarball's declarations (tsc --noEmit).
import { AutoModel, AutoTokenizer, HubwasmError, Tensor, cos_sim, env, pipeline } from 'hubwasm';

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
