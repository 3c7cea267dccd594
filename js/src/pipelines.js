import { Callable } from './callable.js';
import { HubwasmError, checkNative } from './errors.js';
import {
  AutoModel, AutoModelForMaskedLM, AutoModelForQuestionAnswering, AutoModelForSequenceClassification,
  AutoModelForTokenClassification,
} from './models.js';
import { FillMaskPipeline } from './pipelines/fill_mask.js';
import { QuestionAnsweringPipeline } from './pipelines/question_answering.js';
import { TextClassificationPipeline } from './pipelines/text_classification.js';
import { TokenClassificationPipeline } from './pipelines/token_classification.js';
import { ZeroShotClassificationPipeline } from './pipelines/zero_shot_classification.js';
import { AutoModelForCausalLM } from './causal_lm.js';
import { TextGenerationPipeline } from './pipelines/text_generation.js';
import { AutoTokenizer } from './tokenizers.js';
import { Tensor } from './tensor.js';

/**
 * `await extractor(texts, { pooling, normalize })`: token states
 * ([batch, seq, hidden], pooling 'none') or sentence embeddings
 * ([batch, hidden], pooling 'mean' or 'cls'), as transformers.js.
 */
export class FeatureExtractionPipeline extends Callable {
  constructor({ task, model, tokenizer }) {
    super();
    this.task = task;
    this.model = model;
    this.tokenizer = tokenizer;
  }

  async _call(texts, { pooling = 'none', normalize = false, quantize = false } = {}) {
    if (quantize) throw new HubwasmError('UNSUPPORTED_FEATURE', 'feature-extraction: quantize is not supported');
    const list = Array.isArray(texts) ? texts : [texts];
    if (list.some((t) => typeof t !== 'string')) {
      throw new HubwasmError('INVALID_ARGUMENT', 'feature-extraction: texts must be a string or an array of strings');
    }
    const native = this.model._native;
    const out = checkNative(native, native.featureExtraction(this.tokenizer.native, this.model.native, list, pooling, normalize));
    return new Tensor('float32', out.data, out.dims);
  }

  async dispose() {
    await this.model.dispose();
    this.tokenizer.dispose();
  }
}

const TASKS = {
  'feature-extraction': {
    pipeline: FeatureExtractionPipeline,
    model: AutoModel,
    default: 'sentence-transformers/all-MiniLM-L6-v2',
  },
  'text-classification': {
    pipeline: TextClassificationPipeline,
    model: AutoModelForSequenceClassification,
    default: 'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
  },
  'token-classification': {
    pipeline: TokenClassificationPipeline,
    model: AutoModelForTokenClassification,
    default: 'Xenova/bert-base-multilingual-cased-ner-hrl',
  },
  'fill-mask': {
    pipeline: FillMaskPipeline,
    model: AutoModelForMaskedLM,
    default: 'Xenova/bert-base-uncased',
  },
  'question-answering': {
    pipeline: QuestionAnsweringPipeline,
    model: AutoModelForQuestionAnswering,
    default: 'Xenova/distilbert-base-cased-distilled-squad',
  },
  'zero-shot-classification': {
    pipeline: ZeroShotClassificationPipeline,
    model: AutoModelForSequenceClassification,
    default: 'Xenova/distilbert-base-uncased-mnli',
  },
  'text-generation': {
    pipeline: TextGenerationPipeline,
    model: AutoModelForCausalLM,
    default: 'HuggingFaceTB/SmolLM2-135M-Instruct',
  },
};
const ALIASES = { embeddings: 'feature-extraction', 'sentiment-analysis': 'text-classification', ner: 'token-classification' };

/**
 * Builds a pipeline for `task` on Hub repo `model`, as transformers.js's
 * `pipeline()`. Options: `revision` (branch, tag or commit), `subfolder`,
 * `accessToken`, `progress_callback`, and `worker: true` to load and run it
 * in a dedicated Web Worker (browsers) so that the page never blocks.
 */
export async function pipeline(task, model = null, options = {}) {
  if (options.worker) {
    const { WorkerPipeline } = await import('./worker_pipeline.js');
    return WorkerPipeline.create(task, model, options);
  }
  const name = ALIASES[task] ?? task;
  const spec = TASKS[name];
  if (!spec) {
    throw new HubwasmError('UNSUPPORTED_FEATURE',
      `unknown task "${task}"; supported: ${Object.keys(TASKS).join(', ')}`);
  }
  const model_id = model ?? spec.default;
  const [tokenizer, loaded] = await Promise.allSettled([
    AutoTokenizer.from_pretrained(model_id, options),
    spec.model.from_pretrained(model_id, options),
  ]).then(async (results) => {
    const failed = results.find((r) => r.status === 'rejected');
    if (!failed) return results.map((r) => r.value);
    // Free whichever half did load before reporting the failure.
    await Promise.all(results.filter((r) => r.status === 'fulfilled').map((r) => r.value.dispose()));
    throw failed.reason;
  });
  options.progress_callback?.({ status: 'ready', task: name, model: model_id });
  return new spec.pipeline({ task: name, model: loaded, tokenizer });
}
