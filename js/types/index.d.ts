// Public API of hubwasm. Names, arguments and shapes follow transformers.js.

export type ErrorCode =
  | 'INVALID_ARGUMENT' | 'INVALID_FILE' | 'MISSING_FILE' | 'INVALID_CONFIG' | 'CONFIG_MISMATCH'
  | 'MISSING_TENSOR' | 'UNSUPPORTED_MODEL' | 'UNSUPPORTED_FEATURE' | 'OUT_OF_MEMORY'
  | 'HTTP_ERROR' | 'NETWORK_ERROR' | 'INTERNAL';

/** Every error hubwasm throws on purpose. */
export class HubwasmError extends Error {
  constructor(code: ErrorCode, message: string, details?: { status?: number; url?: string; cause?: unknown });
  readonly code: ErrorCode;
  /** HTTP status, for HTTP_ERROR. */
  readonly status?: number;
  /** The URL at fault, for HTTP_ERROR and NETWORK_ERROR. */
  readonly url?: string;
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
  backends: { wasm: { wasmPaths?: string | URL } };
}
export const env: Env;

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
}
export interface BatchEncoding {
  input_ids: Tensor;
  attention_mask: Tensor;
  token_type_ids: Tensor;
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
  /** Frees the tokenizer's WebAssembly memory. */
  dispose(): void;
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
  /** Load and run the pipeline in a dedicated Web Worker. */
  worker?: boolean;
}
export function pipeline(task: 'feature-extraction' | 'embeddings', model?: string | null, options?: PipelineOptions): Promise<FeatureExtractionPipeline>;
export function pipeline(task: string, model?: string | null, options?: PipelineOptions): Promise<(...args: any[]) => Promise<any>>;

/** Cosine similarity of two vectors. */
export function cos_sim(a: ArrayLike<number>, b: ArrayLike<number>): number;
/** Bytes of WebAssembly memory the core has allocated (for leak checks). */
export function wasmMemoryInUse(): Promise<number>;
