// SHA-256 for js/src/sha256_worker.js: hashes a download chunk by chunk in a
// worker, so that browsers need neither WebCrypto's copy of the whole file
// nor its pass after the download. The hash itself is libmd's sha2.c (Debian
// source); this file only exports it without Emscripten's JavaScript glue.
#include <stdlib.h>

#include <sha2.h>

#include <emscripten/emscripten.h>

EMSCRIPTEN_KEEPALIVE SHA2_CTX *sha256_new(void) {
  SHA2_CTX *context = malloc(sizeof *context);
  if (context) SHA256Init(context);
  return context;
}

EMSCRIPTEN_KEEPALIVE void sha256_update(SHA2_CTX *context, const uint8_t *data, size_t length) {
  SHA256Update(context, data, length);
}

// Writes the 32-byte digest to `digest` and frees the context.
EMSCRIPTEN_KEEPALIVE void sha256_finish(SHA2_CTX *context, uint8_t *digest) {
  SHA256Final(digest, context);
  free(context);
}

// Frees the context of an abandoned hash.
EMSCRIPTEN_KEEPALIVE void sha256_free(SHA2_CTX *context) { free(context); }
