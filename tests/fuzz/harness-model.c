/* Fuzz harness of the model loader: ddamfn_model_open, the model getters
 * and, for a model that loads, one preprocessing call and one forward pass.
 *
 * ddamfn_model_open takes a path, so each input becomes a memfd that is
 * opened as /proc/self/fd/N. The first input byte selects the mode:
 *
 *   even  raw: the rest of the input is the whole file (length field,
 *         JSON header, data). Reaches the container checks; a whole model
 *         (16 MB) is far beyond any fuzz input.
 *
 *   odd   splice: the input edits the header of a complete model whose
 *         data section the harness builds once at start-up (every tensor
 *         of the single-task layout and of the multitask heads, K = 16,
 *         from arch-tensors.h, packed in table order). Layout:
 *
 *           byte 1   heads: bits 0…2 = 0 → single-task fc, else a
 *                    multitask subset (1 expression, 2 va, 4 au);
 *                    bits 3…6 = K − 1
 *           byte 2   flags: 1 base __metadata__, 2 "module." prefix on
 *                    every tensor name, 4 num_batches_tracked entries,
 *                    8 no "heads" key in the base metadata
 *           byte 3-4 index (LE) into arch-tensors.h of one tensor left
 *                    out of the base header; ≥ the table size: none
 *           rest     JSON text appended as more members of the header
 *                    object, after the base entries, so that it can add
 *                    tensors and metadata or replace any base entry
 *                    (json-glib keeps the last of duplicate keys)
 *
 *         The header is padded with spaces to a fixed length, so the data
 *         section sits at the same offset for every input and is written
 *         only once; each input rewrites the header only.
 *
 * Checks: a refused file gets a DDAMFN_ERROR naming the file; a loaded
 * model answers its getters consistently, its normalisation is accepted by
 * ddamfn_preprocess_box and gives a finite tensor, and a forward pass on
 * that tensor succeeds with results in their documented ranges.
 *
 * DDAMFN_FUZZ_SESSION=never skips the forward pass, =new runs it only for
 * the first model of each head layout (faster fuzzing); the default runs it
 * for every model that loads.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE
#include "fuzz.h"

#include <ddamfn/ddamfn.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct
{
  const char *name;
  int ndim;
  int64_t shape[4];
  int i64;                      /* dtype I64 (num_batches_tracked) */
  int group;
  int k_rows;                   /* shape[0] is the number of classes */
} FuzzArchTensor;

enum
{
  GROUP_COMMON, GROUP_SINGLE, GROUP_DENSE, GROUP_VA, GROUP_EXPR, GROUP_AU
};

#include "arch-tensors.h"

#define F_META 1
#define F_PREFIX 2
#define F_NBT 4
#define F_NO_HEADS_KEY 8

/* Longest JSON text a splice input may append. */
#define MAX_TEXT 16384

enum
{
  SESSION_ALWAYS, SESSION_NEW, SESSION_NEVER
};

static struct
{
  gboolean ready;
  int session_policy;
  guint8 seen_layouts[8][DDAMFN_MAX_EXPRESSIONS + 1];
  int fd_raw, fd_splice;
  char path_raw[64], path_splice[64];
  int64_t offsets[FUZZ_ARCH_N_TENSORS];
  size_t data_size;
  size_t header_size;           /* fixed header length of splice files */
  GString *header;
  uint8_t *image;               /* the frame every loaded model sees */
  float *tensor;
} H;

static size_t
tensor_bytes (const FuzzArchTensor * t, int k)
{
  size_t n = 1;
  for (int d = 0; d < t->ndim; d++)
    n *= (size_t) ((d == 0 && t->k_rows) ? k : t->shape[d]);
  return n * (t->i64 ? 8 : 4);
}

static gboolean
ends_with (const char *s, const char *suffix)
{
  size_t a = strlen (s), b = strlen (suffix);
  return a >= b && strcmp (s + a - b, suffix) == 0;
}

static void
write_all (int fd, const void *buf, size_t n, off_t at)
{
  const uint8_t *p = buf;
  while (n > 0) {
    ssize_t w = pwrite (fd, p, n, at);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      fuzz_fail ("harness: pwrite: %s", g_strerror (errno));
    p += w;
    n -= (size_t) w;
    at += w;
  }
}

static int
make_memfd (const char *name, char *path, size_t path_size)
{
  int fd = memfd_create (name, MFD_CLOEXEC);
  if (fd < 0)
    fuzz_fail ("harness: memfd_create: %s", g_strerror (errno));
  snprintf (path, path_size, "/proc/self/fd/%d", fd);
  return fd;
}

/* Does tensor I belong to the base header of this layout? */
static gboolean
emitted (const FuzzArchTensor * t, int heads, int flags)
{
  if (ends_with (t->name, "num_batches_tracked") && !(flags & F_NBT))
    return FALSE;
  switch (t->group) {
    case GROUP_COMMON:
      return TRUE;
    case GROUP_SINGLE:
      return heads == 0;
    case GROUP_DENSE:
      return heads != 0;
    case GROUP_VA:
      return (heads & 2) != 0;
    case GROUP_EXPR:
      return (heads & 1) != 0;
    case GROUP_AU:
      return (heads & 4) != 0;
  }
  return FALSE;
}

/* The base header of a splice input, without the closing brace. */
static void
build_base (GString * s, int heads, int k, int flags, int drop)
{
  g_string_truncate (s, 0);
  g_string_append_c (s, '{');
  if (flags & F_META) {
    g_string_append (s, "\"__metadata__\":{\"format_version\":\"1\","
        "\"architecture\":\"ddamfn\",\"input_size\":\"112\","
        "\"mean\":\"0.485,0.456,0.406\",\"std\":\"0.229,0.224,0.225\"");
    if (!(flags & F_NO_HEADS_KEY))
      g_string_append_printf (s, ",\"heads\":\"%s%s%s%s%s\"",
          heads == 0 || (heads & 1) ? "expression" : "",
          (heads & 1) && (heads & 6) ? "," : "",
          (heads & 2) ? "va" : "", (heads & 2) && (heads & 4) ? "," : "",
          (heads & 4) ? "au" : "");
    g_string_append_c (s, '}');
  }
  for (int i = 0; i < FUZZ_ARCH_N_TENSORS; i++) {
    const FuzzArchTensor *t = &fuzz_arch_tensors[i];
    if (i == drop || !emitted (t, heads, flags))
      continue;
    if (s->len > 1)
      g_string_append_c (s, ',');
    g_string_append_printf (s, "\"%s%s\":{\"dtype\":\"%s\",\"shape\":[",
        (flags & F_PREFIX) ? "module." : "", t->name, t->i64 ? "I64" : "F32");
    for (int d = 0; d < t->ndim; d++)
      g_string_append_printf (s, "%s%" G_GINT64_FORMAT, d ? "," : "",
          (d == 0 && t->k_rows) ? (gint64) k : (gint64) t->shape[d]);
    g_string_append_printf (s, "],\"data_offsets\":[%" G_GINT64_FORMAT ",%"
        G_GINT64_FORMAT "]}", (gint64) H.offsets[i],
        (gint64) (H.offsets[i] + tensor_bytes (t, k)));
  }
}

/* Small values like a trained network's, positive variances; the same
 * bytes for every run. */
static uint8_t *
build_data (void)
{
  uint8_t *data = g_malloc (H.data_size);
  guint32 x = 0x2545F491u;

  for (int i = 0; i < FUZZ_ARCH_N_TENSORS; i++) {
    const FuzzArchTensor *t = &fuzz_arch_tensors[i];
    uint8_t *p = data + H.offsets[i];
    size_t n = tensor_bytes (t, FUZZ_ARCH_K_MAX);
    gboolean var = ends_with (t->name, "running_var");

    if (t->i64) {
      gint64 v = GINT64_TO_LE (1000);
      memcpy (p, &v, 8);
      continue;
    }
    for (size_t j = 0; j < n / 4; j++) {
      float f;
      guint32 bits;
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      f = (float) (x >> 8) / (float) (1 << 24);
      f = var ? 0.5f + f : (f - 0.5f) * 0.2f;
      memcpy (&bits, &f, 4);
      bits = GUINT32_TO_LE (bits);
      memcpy (p + 4 * j, &bits, 4);
    }
  }
  return data;
}

static void
harness_init (void)
{
  const char *policy = g_getenv ("DDAMFN_FUZZ_SESSION");
  size_t base_max = 0;
  int64_t off = 0;
  uint8_t *data;

  /* OpenBLAS reads this when it loads: no thread pool in the fuzzer. */
  g_setenv ("OPENBLAS_NUM_THREADS", "1", FALSE);
  H.session_policy = SESSION_ALWAYS;
  if (policy && strcmp (policy, "new") == 0)
    H.session_policy = SESSION_NEW;
  else if (policy && strcmp (policy, "never") == 0)
    H.session_policy = SESSION_NEVER;

  for (int i = 0; i < FUZZ_ARCH_N_TENSORS; i++) {
    H.offsets[i] = off;
    off += tensor_bytes (&fuzz_arch_tensors[i], FUZZ_ARCH_K_MAX);
  }
  H.data_size = (size_t) off;

  H.header = g_string_sized_new (256 * 1024);
  for (int heads = 0; heads < 8; heads += 7) {
    build_base (H.header, heads, FUZZ_ARCH_K_MAX,
        F_META | F_PREFIX | F_NBT, -1);
    base_max = MAX (base_max, H.header->len);
  }
  /* base, ",", text, "}" */
  H.header_size = (base_max + 1 + MAX_TEXT + 1 + 7) & ~(size_t) 7;

  H.fd_raw = make_memfd ("ddamfn-fuzz-raw", H.path_raw, sizeof H.path_raw);
  H.fd_splice = make_memfd ("ddamfn-fuzz-splice", H.path_splice,
      sizeof H.path_splice);
  data = build_data ();
  write_all (H.fd_splice, data, H.data_size, (off_t) (8 + H.header_size));
  g_free (data);

  /* A 48 × 40 RGB frame with some structure. */
  H.image = g_malloc (48 * 40 * 3);
  for (int i = 0; i < 48 * 40 * 3; i++)
    H.image[i] = (uint8_t) ((i * 7 + (i / 144) * 13) & 255);
  H.tensor = g_malloc (sizeof (float) * DDAMFN_INPUT_FLOATS);
  H.ready = TRUE;
}

static void
check_results (const DdamfnModel * m, const DdamfnResult * r)
{
  int n_expr = ddamfn_model_get_n_expressions (m);
  int n_au = ddamfn_model_get_n_aus (m);

  if (r->has_va != ddamfn_model_has_va (m))
    fuzz_fail ("result has_va %d, model %d", r->has_va,
        ddamfn_model_has_va (m));
  if (r->has_va && !(r->valence >= -1.f && r->valence <= 1.f
          && r->arousal >= -1.f && r->arousal <= 1.f))
    fuzz_fail ("valence %g, arousal %g outside [-1, 1]", r->valence,
        r->arousal);
  if (r->n_expr != n_expr)
    fuzz_fail ("result n_expr %d, model %d", r->n_expr, n_expr);
  if (n_expr == 0 ? r->expr_index != -1 : (r->expr_index < 0
          || r->expr_index >= n_expr))
    fuzz_fail ("expr_index %d with %d classes", r->expr_index, n_expr);
  if (n_expr > 0) {
    double sum = 0;
    for (int k = 0; k < n_expr; k++) {
      float p = r->expr_probs[k];
      if (!(p >= 0.f && p <= 1.f))
        fuzz_fail ("expression probability %d is %g", k, p);
      if (p > r->expr_probs[r->expr_index])
        fuzz_fail ("expr_index %d is not the most probable class",
            r->expr_index);
      sum += p;
    }
    if (fabs (sum - 1.0) > 1e-4)
      fuzz_fail ("expression probabilities sum to %.9g", sum);
  }
  if (r->n_au != n_au)
    fuzz_fail ("result n_au %d, model %d", r->n_au, n_au);
  if (n_au < 32 && (r->au_active >> n_au) != 0)
    fuzz_fail ("au_active 0x%x has bits beyond %d AUs", r->au_active, n_au);
  for (int k = 0; k < n_au; k++) {
    float p = r->au_probs[k];
    gboolean on = (r->au_active >> k) & 1;
    if (!(p >= 0.f && p <= 1.f))
      fuzz_fail ("AU probability %d is %g", k, p);
    if (on != (p >= ddamfn_model_get_au_threshold (m, k)))
      fuzz_fail ("AU %d: probability %g, threshold %g, active %d", k, p,
          ddamfn_model_get_au_threshold (m, k), on);
  }
}

static void
check_model (DdamfnModel * m)
{
  int n_expr = ddamfn_model_get_n_expressions (m);
  int n_au = ddamfn_model_get_n_aus (m);
  gboolean va = ddamfn_model_has_va (m);
  float mean[3], std[3];
  GError *err = NULL;
  DdamfnImage image = { DDAMFN_PIXEL_RGB, 48, 40, {H.image}, {48 * 3},
    DDAMFN_YUV_BT601
  };
  DdamfnBox box = { 4.f, 3.f, 40.f, 34.f };
  DdamfnSession *session;
  DdamfnResult results[1];
  gboolean run;

  if (n_expr < 0 || n_expr > DDAMFN_MAX_EXPRESSIONS)
    fuzz_fail ("model has %d expression classes", n_expr);
  if (n_au != 0 && n_au != DDAMFN_N_AU)
    fuzz_fail ("model has %d AUs", n_au);
  if (n_expr == 0 && n_au == 0 && !va)
    fuzz_fail ("model loaded without any output head");
  for (int i = 0; i < n_expr; i++) {
    const char *l = ddamfn_model_get_expression_label (m, i);
    if (l == NULL || l[0] == '\0' || !g_utf8_validate (l, -1, NULL))
      fuzz_fail ("expression label %d is missing, empty or not UTF-8", i);
  }
  if (ddamfn_model_get_expression_label (m, -1)
      || ddamfn_model_get_expression_label (m, n_expr))
    fuzz_fail ("expression label out of range is not NULL");
  for (int i = 0; i < n_au; i++) {
    const char *l = ddamfn_model_get_au_name (m, i);
    float t = ddamfn_model_get_au_threshold (m, i);
    if (l == NULL || l[0] == '\0' || !g_utf8_validate (l, -1, NULL))
      fuzz_fail ("AU name %d is missing, empty or not UTF-8", i);
    if (!(t >= 0.f && t <= 1.f))
      fuzz_fail ("AU threshold %d is %g", i, t);
  }
  if (ddamfn_model_get_au_name (m, n_au) || ddamfn_model_get_au_name (m, -1)
      || ddamfn_model_get_au_threshold (m, n_au) != -1.f)
    fuzz_fail ("AU getters out of range do not say so");
  (void) ddamfn_model_get_metadata (m, "label_preset");
  ddamfn_model_get_normalization (m, mean, std);
  ddamfn_model_get_normalization (m, NULL, NULL);
  for (int c = 0; c < 3; c++)
    if (!isfinite (mean[c]) || !isfinite (std[c]) || !(std[c] > 0))
      fuzz_fail ("model normalisation of channel %d: mean %g, std %g", c,
          mean[c], std[c]);

  /* What an application does with a model: preprocess with its own
   * normalisation, then run it. */
  if (!ddamfn_preprocess_box (&image, &box, 1.25f, mean, std, H.tensor,
          &err))
    fuzz_fail ("the model's normalisation is refused by preprocessing: %s",
        err->message);
  for (int i = 0; i < DDAMFN_INPUT_FLOATS; i++)
    if (!isfinite (H.tensor[i]))
      fuzz_fail ("the model's normalisation (mean %g %g %g, std %g %g %g) "
          "makes a non-finite input value", mean[0], mean[1], mean[2],
          std[0], std[1], std[2]);

  run = H.session_policy == SESSION_ALWAYS;
  if (H.session_policy == SESSION_NEW) {
    guint8 *seen = &H.seen_layouts[(va ? 2 : 0) | (n_au ? 4 : 0)
        | (n_expr ? 1 : 0)][n_expr];
    run = *seen == 0;
    *seen = 1;
  }
  if (!run)
    return;

  session = ddamfn_session_new (m, 1, &err);
  if (session == NULL)
    fuzz_fail ("ddamfn_session_new: %s", err->message);
  if (!ddamfn_session_run (session, H.tensor, 1, results, &err))
    fuzz_fail ("ddamfn_session_run: %s", err->message);
  check_results (m, &results[0]);
  ddamfn_session_free (session);
}

int
fuzz_model_one (const uint8_t * data, size_t size)
{
  DdamfnModel *m;
  GError *err = NULL;
  const char *path;

  fuzz_init_once ();
  if (!H.ready)
    harness_init ();
  if (size == 0)
    return 0;

  if ((data[0] & 1) == 0) {
    if (ftruncate (H.fd_raw, 0) != 0)
      fuzz_fail ("harness: ftruncate: %s", g_strerror (errno));
    write_all (H.fd_raw, data + 1, size - 1, 0);
    path = H.path_raw;
  } else {
    uint8_t cfg[5] = { 0 };
    const uint8_t *text;
    size_t text_len;
    guint64 len_le = GUINT64_TO_LE ((guint64) H.header_size);
    int heads, k, flags, drop;

    memcpy (cfg, data, MIN (size, sizeof cfg));
    text = data + MIN (size, sizeof cfg);
    text_len = size - MIN (size, sizeof cfg);
    if (text_len > MAX_TEXT)
      return 0;
    heads = cfg[1] & 7;
    k = 1 + ((cfg[1] >> 3) & 15);
    flags = cfg[2];
    drop = cfg[3] | (cfg[4] << 8);

    build_base (H.header, heads, k, flags, drop);
    if (text_len > 0) {
      if (H.header->len > 1)
        g_string_append_c (H.header, ',');
      g_string_append_len (H.header, (const char *) text, text_len);
    }
    g_string_append_c (H.header, '}');
    if (H.header->len > H.header_size)
      fuzz_fail ("harness: header of %zu bytes exceeds %zu",
          (size_t) H.header->len, H.header_size);
    while (H.header->len < H.header_size)
      g_string_append_c (H.header, ' ');
    write_all (H.fd_splice, &len_le, 8, 0);
    write_all (H.fd_splice, H.header->str, H.header_size, 8);
    path = H.path_splice;
  }

  m = ddamfn_model_open (path, &err);
  if (m == NULL) {
    if (err == NULL)
      fuzz_fail ("ddamfn_model_open failed without an error");
    if (err->domain != DDAMFN_ERROR || (err->code != DDAMFN_ERROR_IO
            && err->code != DDAMFN_ERROR_FORMAT
            && err->code != DDAMFN_ERROR_TENSOR
            && err->code != DDAMFN_ERROR_METADATA
            && err->code != DDAMFN_ERROR_NO_MEMORY))
      fuzz_fail ("ddamfn_model_open: unexpected error (%s, %d): %s",
          g_quark_to_string (err->domain), err->code, err->message);
    if (strstr (err->message, path) == NULL)
      fuzz_fail ("ddamfn_model_open: the message does not name the file: "
          "%s", err->message);
    if (!g_utf8_validate (err->message, -1, NULL))
      fuzz_fail ("ddamfn_model_open: the message is not UTF-8");
    g_error_free (err);
    return 0;
  }
  if (err != NULL)
    fuzz_fail ("ddamfn_model_open succeeded but set an error");
  if (ddamfn_model_ref (m) != m)
    fuzz_fail ("ddamfn_model_ref returned another pointer");
  ddamfn_model_unref (m);
  check_model (m);
  ddamfn_model_unref (m);
  return 0;
}
