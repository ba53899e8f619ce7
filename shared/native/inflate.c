/*
 * libdeflate's whole-buffer zlib decoder for shoutu's Deflate blocks (raster/block-decoders.ts), as a
 * Node-API addon. inflate(input, output) decodes the zlib stream in `input` into `output` and returns the
 * number of bytes written, or -1 when libdeflate does not decode it completely into `output` (corrupt,
 * truncated, or holding more than fits): the caller then decodes it with node's zlib, which gives what it
 * always gave for such streams. A stream libdeflate decodes is complete and valid (Adler-32 checked), and
 * a valid stream has one decoding, so the bytes never depend on which decoder ran.
 * One decompressor per JavaScript environment (the main thread and each worker thread).
 */
#include <node_api.h>
#include <libdeflate.h>
#include <stddef.h>

static void free_decompressor(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  libdeflate_free_decompressor((struct libdeflate_decompressor *)data);
}

/* The bytes of a Uint8Array argument; 0 when it is something else. */
static int bytes_of(napi_env env, napi_value value, void **data, size_t *length) {
  bool typed = false;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_is_typedarray(env, value, &typed) != napi_ok || !typed) return 0;
  if (napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok) return 0;
  return type == napi_uint8_array;
}

static napi_value inflate(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  void *in = NULL;
  void *out = NULL;
  size_t in_length = 0;
  size_t out_length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 ||
      !bytes_of(env, argv[0], &in, &in_length) || !bytes_of(env, argv[1], &out, &out_length)) {
    napi_throw_type_error(env, NULL, "inflate(input, output): two Uint8Arrays expected");
    return NULL;
  }
  struct libdeflate_decompressor *decompressor = NULL;
  if (napi_get_instance_data(env, (void **)&decompressor) != napi_ok || decompressor == NULL) {
    napi_throw_error(env, NULL, "inflate: the decompressor is missing");
    return NULL;
  }
  size_t written = 0;
  enum libdeflate_result r = libdeflate_zlib_decompress(decompressor, in, in_length, out, out_length, &written);
  napi_value result;
  if (napi_create_double(env, r == LIBDEFLATE_SUCCESS ? (double)written : -1.0, &result) != napi_ok) return NULL;
  return result;
}

NAPI_MODULE_INIT() {
  struct libdeflate_decompressor *decompressor = libdeflate_alloc_decompressor();
  if (decompressor == NULL) {
    napi_throw_error(env, NULL, "libdeflate_alloc_decompressor failed");
    return NULL;
  }
  if (napi_set_instance_data(env, decompressor, free_decompressor, NULL) != napi_ok) {
    libdeflate_free_decompressor(decompressor);
    napi_throw_error(env, NULL, "napi_set_instance_data failed");
    return NULL;
  }
  napi_value fn;
  if (napi_create_function(env, "inflate", NAPI_AUTO_LENGTH, inflate, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "inflate", fn) != napi_ok) return NULL;
  return exports;
}
