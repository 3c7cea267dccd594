/**
 * hubwasm: Hugging Face Hub models in WebAssembly, loaded from their original
 * safetensors, with transformers.js's API.
 */
export { env } from './env.js';
export { HubwasmError } from './errors.js';
export { Tensor } from './tensor.js';
export { AutoTokenizer, PreTrainedTokenizer } from './tokenizers.js';
export {
  AutoConfig, AutoModel, AutoModelForMaskedLM, AutoModelForQuestionAnswering, AutoModelForSequenceClassification,
  AutoModelForTokenClassification, PreTrainedModel,
} from './models.js';
export { pipeline, FeatureExtractionPipeline } from './pipelines.js';
export { TextClassificationPipeline } from './pipelines/text_classification.js';
export { TokenClassificationPipeline } from './pipelines/token_classification.js';
export { FillMaskPipeline } from './pipelines/fill_mask.js';
export { QuestionAnsweringPipeline } from './pipelines/question_answering.js';
export { ZeroShotClassificationPipeline } from './pipelines/zero_shot_classification.js';
export { AutoModelForCausalLM, PreTrainedModelForCausalLM } from './causal_lm.js';
export { TextGenerationPipeline } from './pipelines/text_generation.js';
export { BaseStreamer, TextStreamer } from './streamers.js';
export { cos_sim } from './similarity.js';
export { runtimeInfo, wasmMemoryInUse } from './runtime.js';
