// Public API of hubwasm. Names, arguments and shapes follow transformers.js.

export type ErrorCode =
  | 'INVALID_ARGUMENT' | 'INVALID_FILE' | 'MISSING_FILE' | 'INVALID_CONFIG' | 'CONFIG_MISMATCH'
  | 'MISSING_TENSOR' | 'UNSUPPORTED_MODEL' | 'UNSUPPORTED_FEATURE' | 'OUT_OF_MEMORY'
  | 'HTTP_ERROR' | 'NETWORK_ERROR' | 'IO_ERROR' | 'MODEL_TOO_LARGE' | 'INTERNAL';

/** Every error hubwasm throws on purpose. */
export class HubwasmError extends Error {
  constructor(code: ErrorCode, message: string, details?: { status?: number; url?: string; cause?: unknown });
  readonly code: ErrorCode;
  /** HTTP status, for HTTP_ERROR. */
  readonly status?: number;
  /** The URL at fault, for HTTP_ERROR and NETWORK_ERROR. */
  readonly url?: string;
  /** For MODEL_TOO_LARGE: estimated bytes needed, the limit, the dtype asked for and the dtypes that fit. */
  readonly needed?: number;
  readonly limit?: number;
  readonly dtype?: string;
  readonly fits?: string[];
}

export interface Env {
  remoteHost: string;
  remotePathTemplate: string;
  allowRemoteModels: boolean;
  allowLocalModels: boolean;
  localModelPath: string;
  useBrowserCache: boolean;
  useFSCache: boolean;
  cacheDir: string | null;
  accessToken: string | null;
  maxRetries: number;
  retryDelayMs: number;
  fetchTimeoutMs: number;
  maxConcurrentDownloads: number;
  backends: { wasm: WasmBackendOptions };
}
export const env: Env;

/** As transformers.js's env.backends.onnx.wasm. Read when the runtime first loads. */
export interface WasmBackendOptions {
  /**
   * Folder or URL prefix of the WebAssembly files (hubwasm.mjs/.wasm,
   * hubwasm-mt.mjs/.wasm/.worker.js, sha256.wasm); default: the package's dist/.
   */
  wasmPaths?: string | URL;
  /**
   * Threads for the kernels. More than 1 loads the threaded build, which needs
   * SharedArrayBuffer (Node, or a cross-origin isolated page; elsewhere always 1).
   * 0 or unset: min(4, ceil(logical CPUs / 2)), onnxruntime-web's default.
   */
  numThreads?: number;
  /** Bytes of WebAssembly memory a model may need (default 4 GiB); larger models are refused before download. */
  memoryLimit?: number;
}

/** The WebAssembly build in use: 'simd-threads' (pthreads) or 'simd' (single-threaded). */
export interface RuntimeInfo {
  variant: 'simd' | 'simd-threads';
  numThreads: number;
}
/** The build and thread count in use, or null before anything has loaded the runtime. */
export function runtimeInfo(): RuntimeInfo | null;

export type TensorType = 'float32' | 'int64' | 'int32';
export type TensorData = Float32Array | BigInt64Array | Int32Array;

export class Tensor {
  constructor(type: TensorType, data: TensorData | ArrayLike<number | bigint>, dims: number[]);
  readonly type: TensorType;
  readonly data: TensorData;
  readonly dims: number[];
  readonly size: number;
  tolist(): any[];
}

export type ProgressInfo =
  | { status: 'initiate' | 'download'; name: string; file: string }
  | { status: 'progress'; name: string; file: string; loaded: number; total: number; progress: number }
  | { status: 'done'; name: string; file: string; cached?: boolean }
  | { status: 'ready'; task: string; model: string };

export interface PretrainedOptions {
  /** Branch, tag or commit. Default 'main'. */
  revision?: string;
  subfolder?: string;
  /** Token for private and gated repos (else env.accessToken). */
  accessToken?: string;
  progress_callback?: (info: ProgressInfo) => void;
}

export interface TokenizerCallOptions {
  text_pair?: string | string[] | null;
  padding?: boolean | 'longest' | 'max_length';
  truncation?: boolean | null;
  max_length?: number | null;
  add_special_tokens?: boolean;
  /** Also return `offset_mapping`. */
  return_offsets_mapping?: boolean;
}
export interface BatchEncoding {
  input_ids: Tensor;
  attention_mask: Tensor;
  token_type_ids: Tensor;
  /**
   * With `return_offsets_mapping`: int64 [batch, seq, 2], each token's [start, end) in UTF-16 code units
   * of its JS string (of `text_pair` for the pair's tokens); [0, 0] for special and padding tokens.
   */
  offset_mapping?: Tensor;
}
export interface DecodeOptions {
  skip_special_tokens?: boolean;
  clean_up_tokenization_spaces?: boolean | null;
}

/** Callable: `tokenizer(texts, options)`. */
export interface PreTrainedTokenizer {
  (text: string | string[], options?: TokenizerCallOptions): BatchEncoding;
  readonly model_id: string;
  readonly model_max_length: number | undefined;
  encode(text: string, options?: { text_pair?: string | null; add_special_tokens?: boolean }): number[];
  decode(token_ids: number[] | bigint[] | Tensor, options?: DecodeOptions): string;
  batch_decode(batch: number[][] | Tensor, options?: DecodeOptions): string[];
  /** Token strings of ids; null for an id outside the vocabulary. */
  convert_ids_to_tokens(ids: number | bigint): string | null;
  convert_ids_to_tokens(ids: number[] | bigint[] | Tensor): Array<string | null>;
  /** Ids of token strings; a token outside the vocabulary gives unk_token_id. */
  convert_tokens_to_ids(tokens: string): number | null;
  convert_tokens_to_ids(tokens: string[]): Array<number | null>;
  readonly unk_token_id: number | null;
  /** Where padding goes; text generation needs 'left'. Default: tokenizer_config.json's, else 'right'. */
  padding_side: 'left' | 'right';
  /** tokenizer_config.json ({} when the repo has none). */
  readonly config: Record<string, any>;
  readonly chat_template: string | Record<string, string> | Array<{ name: string; template: string }> | null;
  readonly pad_token_id: number | null;
  readonly add_bos_token: boolean | undefined;
  readonly add_eos_token: boolean | undefined;
  /** Renders a conversation with the Jinja chat template (as transformers.js). */
  apply_chat_template(conversation: Message[], options: ChatTemplateOptions & { tokenize: false }): string;
  apply_chat_template(conversation: Message[], options: ChatTemplateOptions & { return_tensor: false; return_dict: false }): number[];
  apply_chat_template(conversation: Message[], options: ChatTemplateOptions & { return_tensor: false }): { input_ids: number[]; attention_mask: number[] };
  apply_chat_template(conversation: Message[], options: ChatTemplateOptions & { return_dict: false }): Tensor;
  apply_chat_template(conversation: Message[], options?: ChatTemplateOptions): { input_ids: Tensor; attention_mask: Tensor };
  get_chat_template(options?: { chat_template?: string | null; tools?: object[] | null }): string;
  /** Frees the tokenizer's WebAssembly memory. */
  dispose(): void;
}
export interface Message { role: string; content: string; [key: string]: any }
export interface ChatTemplateOptions {
  add_generation_prompt?: boolean;
  tokenize?: boolean;
  /** A template, or the name of one of the repo's templates. */
  chat_template?: string | null;
  tools?: object[] | null;
  documents?: Record<string, string>[] | null;
  padding?: boolean;
  truncation?: boolean;
  max_length?: number | null;
  return_tensor?: boolean;
  return_dict?: boolean;
  tokenizer_kwargs?: TokenizerCallOptions;
  /** Other variables for the template. */
  [key: string]: any;
}
export const PreTrainedTokenizer: {
  from_pretrained(model_id: string, options?: PretrainedOptions): Promise<PreTrainedTokenizer>;
};
export class AutoTokenizer {
  static from_pretrained(model_id: string, options?: PretrainedOptions): Promise<PreTrainedTokenizer>;
}

export interface ModelInputs {
  input_ids: Tensor;
  attention_mask?: Tensor;
  token_type_ids?: Tensor;
}
export interface EncoderOutput {
  last_hidden_state: Tensor;
  pooler_output?: Tensor;
  logits?: Tensor;
  start_logits?: Tensor;
  end_logits?: Tensor;
}

/** Callable: `await model(inputs)`. */
export interface PreTrainedModel {
  (inputs: ModelInputs): Promise<EncoderOutput>;
  readonly config: Record<string, any>;
  /** Frees the model's WebAssembly memory. */
  dispose(): Promise<void>;
}
export class AutoConfig {
  static from_pretrained(model_id: string, options?: PretrainedOptions): Promise<Record<string, any>>;
}
export class AutoModel {
  static from_pretrained(model_id: string, options?: PretrainedOptions): Promise<PreTrainedModel>;
}
export class AutoModelForSequenceClassification {
  static from_pretrained(model_id: string, options?: PretrainedOptions): Promise<PreTrainedModel>;
}
export class AutoModelForTokenClassification {
  static from_pretrained(model_id: string, options?: PretrainedOptions): Promise<PreTrainedModel>;
}
export class AutoModelForMaskedLM {
  static from_pretrained(model_id: string, options?: PretrainedOptions): Promise<PreTrainedModel>;
}
export class AutoModelForQuestionAnswering {
  static from_pretrained(model_id: string, options?: PretrainedOptions): Promise<PreTrainedModel>;
}

export interface FeatureExtractionOptions {
  pooling?: 'none' | 'mean' | 'cls' | 'first_token';
  normalize?: boolean;
}
/** Callable: `await extractor(texts, options)`. */
export interface FeatureExtractionPipeline {
  (texts: string | string[], options?: FeatureExtractionOptions): Promise<Tensor>;
  readonly task: 'feature-extraction';
  readonly model: PreTrainedModel;
  readonly tokenizer: PreTrainedTokenizer;
  dispose(): Promise<void>;
}

export interface PipelineOptions extends PretrainedOptions {
  /** Load and run the pipeline in a dedicated Web Worker (text-generation's streamer and signal work across it). */
  worker?: boolean;
}
export function pipeline(task: 'feature-extraction' | 'embeddings', model?: string | null, options?: PipelineOptions): Promise<FeatureExtractionPipeline>;

export interface EncoderPipelineBase {
  readonly task: string;
  readonly model: PreTrainedModel;
  readonly tokenizer: PreTrainedTokenizer;
  dispose(): Promise<void>;
}
export interface TextClassificationOutput { label: string; score: number }
/** Callable: `await classifier(texts, { top_k })`. */
export interface TextClassificationPipeline extends EncoderPipelineBase {
  (texts: string | string[], options?: { top_k?: number | null }): Promise<TextClassificationOutput[] | TextClassificationOutput[][]>;
}
export interface TokenClassificationEntity {
  entity?: string; entity_group?: string; score: number; index?: number; word: string; start: number; end: number;
}
export interface TokenClassificationPipeline extends EncoderPipelineBase {
  (texts: string | string[], options?: { ignore_labels?: string[]; aggregation_strategy?: 'none' | 'simple' | 'first' | 'average' | 'max' }):
    Promise<TokenClassificationEntity[] | TokenClassificationEntity[][]>;
}
export interface FillMaskOutput { score: number; token: number; token_str: string; sequence: string }
export interface FillMaskPipeline extends EncoderPipelineBase {
  (texts: string | string[], options?: { top_k?: number }): Promise<FillMaskOutput[] | FillMaskOutput[][]>;
}
export interface QuestionAnsweringOutput { answer: string; score: number; start: number; end: number }
export interface QuestionAnsweringPipeline extends EncoderPipelineBase {
  (question: string | string[], context: string | string[],
    options?: { top_k?: number; max_seq_len?: number; doc_stride?: number; max_answer_len?: number }):
    Promise<QuestionAnsweringOutput | QuestionAnsweringOutput[] | QuestionAnsweringOutput[][]>;
}
export interface ZeroShotClassificationOutput { sequence: string; labels: string[]; scores: number[] }
export interface ZeroShotClassificationPipeline extends EncoderPipelineBase {
  (texts: string | string[], candidate_labels: string | string[], options?: { hypothesis_template?: string; multi_label?: boolean }):
    Promise<ZeroShotClassificationOutput | ZeroShotClassificationOutput[]>;
}
export function pipeline(task: 'text-classification' | 'sentiment-analysis', model?: string | null, options?: PipelineOptions): Promise<TextClassificationPipeline>;
export function pipeline(task: 'token-classification' | 'ner', model?: string | null, options?: PipelineOptions): Promise<TokenClassificationPipeline>;
export function pipeline(task: 'fill-mask', model?: string | null, options?: PipelineOptions): Promise<FillMaskPipeline>;
export function pipeline(task: 'question-answering', model?: string | null, options?: PipelineOptions): Promise<QuestionAnsweringPipeline>;
export function pipeline(task: 'zero-shot-classification', model?: string | null, options?: PipelineOptions): Promise<ZeroShotClassificationPipeline>;
export function pipeline(task: 'text-generation', model?: string | null, options?: PipelineOptions & { dtype?: DecoderDtype }): Promise<TextGenerationPipeline>;
export function pipeline(task: string, model?: string | null, options?: PipelineOptions): Promise<(...args: any[]) => Promise<any>>;

// --- Text generation -------------------------------------------------------

export type DecoderDtype = 'fp32' | 'float32' | 'auto' | 'fp16' | 'float16' | 'q8' | 'int8';
/** What generate() calls: the prompt first, then one token per row per step, then end(). */
export interface Streamer {
  put(value: bigint[][]): void;
  end(): void;
}
export class BaseStreamer implements Streamer {
  put(value: bigint[][]): void;
  end(): void;
}
export interface TextStreamerOptions {
  skip_prompt?: boolean;
  skip_special_tokens?: boolean;
  callback_function?: ((text: string) => void) | null;
  token_callback_function?: ((tokens: bigint[]) => void) | null;
  decode_kwargs?: DecodeOptions;
}
/** Streams text as it becomes final (never half a character or half a word). Batch size 1. */
export class TextStreamer extends BaseStreamer {
  /** `tokenizer` may be null for a worker pipeline, whose worker decodes with its own. */
  constructor(tokenizer: { decode(ids: number[], options?: DecodeOptions): string } | null | undefined, options?: TextStreamerOptions);
  on_finalized_text(text: string, stream_end: boolean): void;
}
/** transformers' GenerationConfig names. */
export interface GenerationOptions {
  max_new_tokens?: number;
  max_length?: number;
  min_new_tokens?: number;
  min_length?: number;
  do_sample?: boolean;
  temperature?: number;
  top_k?: number;
  top_p?: number;
  min_p?: number;
  repetition_penalty?: number;
  no_repeat_ngram_size?: number;
  /** One id or several; [] never stops early. Default: generation_config.json's, else config.json's. */
  eos_token_id?: number | number[];
  pad_token_id?: number;
  /** Makes sampling reproducible. */
  seed?: number;
  /** false: full recompute at every step (same ids). */
  use_cache?: boolean;
}
export interface GenerateArguments extends GenerationOptions {
  input_ids: Tensor | number[][];
  inputs?: Tensor | number[][];
  attention_mask?: Tensor | number[][] | null;
  /** Ignored (tokenizers return it). */
  token_type_ids?: Tensor;
  streamer?: Streamer | null;
  /** Checked after every step; generate() returns to the event loop every 25 ms so timers can fire. An aborted run rejects with signal.reason (AbortError); the model stays usable. */
  signal?: AbortSignal | null;
  /** Stops a row once its new text contains one of these (needs `tokenizer`). */
  stop_strings?: string | string[] | null;
  tokenizer?: PreTrainedTokenizer | null;
  generation_config?: GenerationOptions | null;
}
/** Callable: `await model({ input_ids, attention_mask })` gives `{ logits }` [batch, seq, vocab]. */
export interface PreTrainedModelForCausalLM {
  (inputs: { input_ids: Tensor | number[][]; attention_mask?: Tensor | number[][] | null; position_ids?: Tensor | number[][] | null }):
    Promise<{ logits: Tensor }>;
  readonly config: Record<string, any>;
  readonly generation_config: Record<string, any>;
  /** Bytes of the weights in WebAssembly memory (after quantizing, for q8). */
  readonly weight_bytes: number;
  /** The sequences, prompt included: int64 [batch, prompt + new tokens]. */
  generate(args: GenerateArguments): Promise<Tensor>;
  dispose(): Promise<void>;
}
export const PreTrainedModelForCausalLM: {};
export class AutoModelForCausalLM {
  static from_pretrained(model_id: string, options?: PretrainedOptions & { dtype?: DecoderDtype; config?: Record<string, any> }):
    Promise<PreTrainedModelForCausalLM>;
}
export interface TextGenerationCallOptions extends Omit<GenerateArguments, 'input_ids' | 'inputs' | 'attention_mask' | 'tokenizer'> {
  add_special_tokens?: boolean;
  /** Strings only: false returns the new text alone. Chats always get the reply appended. */
  return_full_text?: boolean;
  chat_template?: string | null;
  tools?: object[] | null;
  documents?: Record<string, string>[] | null;
  tokenizer_encode_kwargs?: Record<string, any>;
}
/** Callable, as transformers.js's text-generation pipeline. */
export interface TextGenerationPipeline {
  (texts: string, options?: TextGenerationCallOptions): Promise<Array<{ generated_text: string }>>;
  (texts: string[], options?: TextGenerationCallOptions): Promise<Array<Array<{ generated_text: string }>>>;
  (texts: Message[], options?: TextGenerationCallOptions): Promise<Array<{ generated_text: Message[] }>>;
  (texts: Message[][], options?: TextGenerationCallOptions): Promise<Array<Array<{ generated_text: Message[] }>>>;
  readonly task: string;
  readonly model: PreTrainedModelForCausalLM;
  readonly tokenizer: PreTrainedTokenizer;
  dispose(): Promise<void>;
}
export const TextGenerationPipeline: {};

// Classes the package exports as values (for instanceof); construct them through pipeline() / from_pretrained().
export const FeatureExtractionPipeline: {};
export const TextClassificationPipeline: {};
export const TokenClassificationPipeline: {};
export const FillMaskPipeline: {};
export const QuestionAnsweringPipeline: {};
export const ZeroShotClassificationPipeline: {};
export const PreTrainedModel: {};

/** Cosine similarity of two vectors. */
export function cos_sim(a: ArrayLike<number>, b: ArrayLike<number>): number;
/** Bytes of WebAssembly memory the core has allocated (for leak checks). */
export function wasmMemoryInUse(): Promise<number>;
