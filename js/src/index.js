/**
 * hubwasm: Hugging Face Hub models in WebAssembly, loaded from their original
 * safetensors, with transformers.js's API.
 */
export { env } from './env.js';
export { HubwasmError } from './errors.js';
export { Tensor } from './tensor.js';
export { AutoTokenizer, PreTrainedTokenizer } from './tokenizers.js';
export { AutoConfig, AutoModel, AutoModelForSequenceClassification, PreTrainedModel } from './models.js';
export { pipeline, FeatureExtractionPipeline } from './pipelines.js';
export { cos_sim } from './similarity.js';
export { wasmMemoryInUse } from './runtime.js';
