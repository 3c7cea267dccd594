/**
 * Global settings, named as in transformers.js.
 */
export const env = {
  /** Server answering GET {remoteHost}{remotePathTemplate}{file}. */
  remoteHost: 'https://huggingface.co/',
  remotePathTemplate: '{model}/resolve/{revision}/',
  allowRemoteModels: true,
  backends: {
    wasm: {
      /** Folder or URL prefix the .wasm files are loaded from; default: next to the package's dist/. */
      wasmPaths: undefined,
    },
  },
};
