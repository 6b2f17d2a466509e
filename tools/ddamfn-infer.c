/* ddamfn-infer: run a model (DDAMFN, or a graph model through its card) on
 * JPEG face crops or on raw input tensors and print one JSON object per
 * face per line.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ddamfn/ddamfn.h>
#include <ddamfn/ddamfn-detector.h>
#include "ddamfn-tool.h"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *opt_model;
static char *opt_card;
static char *opt_preset;
static gboolean opt_print_card;
static char *opt_raw;
static int opt_threads = 1;
static int opt_batch = 8;
static char **opt_images;
static char *opt_print_plan;
static gboolean opt_full_precision;
static gboolean opt_print_outputs;

/* What ddamfn_session_new accepts. */
#define MAX_THREADS 64
#define MAX_BATCH 1024

static GOptionEntry entries[] = {
  {"model", 'm', 0, G_OPTION_ARG_FILENAME, &opt_model,
        "Model file (.safetensors from ddamfn-convert, .onnx, TensorFlow.js "
        "model.json; default: $DDAMFN_MODEL, else the installed default "
        "model)", "FILE"},
  {"card", 0, 0, G_OPTION_ARG_FILENAME, &opt_card,
        "Model card (JSON) describing the model's input and outputs "
        "(default: the file's own, NAME.card.json beside it, or a preset "
        "chosen from its shapes)", "FILE"},
  {"preset", 0, 0, G_OPTION_ARG_STRING, &opt_preset,
        "Model card preset: ddamfn, fer2013-mini-xception, enet_b0_8_va_mtl, "
        "enet_b0_8_best_afew, enet_b2_8, emotion-ferplus-8", "NAME"},
  {"print-card", 0, 0, G_OPTION_ARG_NONE, &opt_print_card,
        "Print the model's card in effect (JSON) and where it came from, "
        "and exit", NULL},
  {"raw", 'r', 0, G_OPTION_ARG_FILENAME, &opt_raw,
        "Read N model inputs, little-endian float32, of the shape and "
        "layout the model's input declares (--print-card shows it) from "
        "FILE", "FILE"},
  {"print-outputs", 0, 0, G_OPTION_ARG_NONE, &opt_print_outputs,
        "With --raw and a graph model (model.json): print every graph "
        "output by name, one {\"outputs\": {NAME: [...]}} per face", NULL},
  {"threads", 't', 0, G_OPTION_ARG_INT, &opt_threads,
      "Worker threads (0 = one per CPU; default 1)", "N"},
  {"batch", 'b', 0, G_OPTION_ARG_INT, &opt_batch,
      "Faces per forward pass (default 8)", "N"},
  {"print-plan", 0, 0, G_OPTION_ARG_FILENAME, &opt_print_plan,
        "Print the layer plan the engine builds for MODEL (one line per "
        "step: shapes, fused work, FLOPs) and exit", "MODEL"},
  {"full-precision", 0, 0, G_OPTION_ARG_NONE, &opt_full_precision,
        "Print every number with all its digits (17 significant) instead "
        "of six decimals, for comparisons with a reference", NULL},
  {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_images,
      NULL, "IMAGE.jpg…"},
  {NULL}
};

static void
die (const char *message)
{
  fprintf (stderr, "ddamfn-infer: %s\n", message);
  exit (1);
}

/* A number as a person reads it everywhere in the project (six decimals,
 * with a point whatever the locale), or every digit with --full-precision. */
static void
append_number (GString * s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (opt_full_precision)
    g_ascii_dtostr (buf, sizeof buf, v);
  else
    g_ascii_formatd (buf, sizeof buf, "%.6f", v);
  g_string_append (s, buf);
}

/* A JSON string member NAME (escaped by json-glib) */
static void
append_member_string (GString * s, const char *name, const char *value)
{
  JsonNode *node = json_node_init_string (json_node_alloc (), value);
  char *text = json_to_string (node, FALSE);

  g_string_append_printf (s, "\"%s\":%s", name, text);
  g_free (text);
  json_node_unref (node);
}

static void
append_numbers (GString * s, const char *name, const float *v, int n)
{
  g_string_append_printf (s, ",\"%s\":[", name);
  for (int k = 0; k < n; k++) {
    if (k > 0)
      g_string_append_c (s, ',');
    append_number (s, v[k]);
  }
  g_string_append_c (s, ']');
}

static void
print_result (DdamfnModel * model, const DdamfnResult * r,
    const char *image, int face)
{
  GString *s = g_string_new ("{");

  if (image)
    append_member_string (s, "image", image);
  else
    g_string_append_printf (s, "\"face\":%d", face);
  if (r->n_expr > 0) {
    g_string_append_c (s, ',');
    append_member_string (s, "expression",
        ddamfn_model_get_expression_label (model, r->expr_index));
    g_string_append_printf (s, ",\"expression_index\":%d", r->expr_index);
    append_numbers (s, "expression_probs", r->expr_probs, r->n_expr);
  }
  if (r->has_va) {
    g_string_append (s, ",\"valence\":");
    append_number (s, r->valence);
    g_string_append (s, ",\"arousal\":");
    append_number (s, r->arousal);
  }
  if (r->n_au > 0) {
    gboolean first = TRUE;

    append_numbers (s, "au_probs", r->au_probs, r->n_au);
    g_string_append (s, ",\"au_active\":[");
    for (int k = 0; k < r->n_au; k++) {
      if (!(r->au_active & (1u << k)))
        continue;
      if (!first)
        g_string_append_c (s, ',');
      first = FALSE;
      g_string_append_printf (s, "\"%s\"", ddamfn_model_get_au_name (model,
              k));
    }
    g_string_append_c (s, ']');
  }
  g_string_append_c (s, '}');
  puts (s->str);
  g_string_free (s, TRUE);
}

static void
run_batch (DdamfnSession * session, const float *input, int n,
    char **images, int first_face)
{
  DdamfnResult *results = g_new (DdamfnResult, (guint) MAX (n, 1));
  GError *error = NULL;

  if (!ddamfn_session_run (session, input, n, results, &error))
    die (error->message);
  for (int i = 0; i < n; i++)
    print_result (ddamfn_session_get_model (session), &results[i],
        images ? images[i] : NULL, first_face + i);
  g_free (results);
}

/* --print-outputs: the graph's outputs by name for COUNT faces. */
static void
print_outputs (DdamfnModel * model, const float *input, int count)
{
  const gsize per = ddamfn_model_get_output_floats (model, -1);
  float *out = g_new (float, per * count);
  GError *error = NULL;

  if (!ddamfn_model_run_outputs (model, input, count, out, &error))
    die (error->message);
  for (int f = 0; f < count; f++) {
    const float *v = out + per * f;
    GString *line = g_string_new ("{\"outputs\": {");
    for (int k = 0; k < ddamfn_model_get_n_outputs (model); k++) {
      const gsize len = ddamfn_model_get_output_floats (model, k);
      char *name = g_strescape (ddamfn_model_get_output_name (model, k), "");
      g_string_append_printf (line, "%s\"%s\": [", k ? ", " : "", name);
      g_free (name);
      for (gsize i = 0; i < len; i++) {
        char num[G_ASCII_DTOSTR_BUF_SIZE];
        g_string_append_printf (line, "%s%s", i ? ", " : "",
            g_ascii_formatd (num, sizeof num, "%.9g", *v++));
      }
      g_string_append_c (line, ']');
    }
    g_string_append (line, "}}");
    puts (line->str);
    g_string_free (line, TRUE);
  }
  g_free (out);
}

static void
run_raw (DdamfnSession * session, const char *path)
{
  GMappedFile *mf;
  GError *error = NULL;
  DdamfnModel *model = ddamfn_session_get_model (session);
  const gsize face_floats = ddamfn_model_get_input_floats (model);
  gsize len, face_bytes = face_floats * sizeof (float);
  const char *bytes;
  float *batch;
  int n;

  mf = g_mapped_file_new (path, FALSE, &error);
  if (mf == NULL)
    die (error->message);
  len = g_mapped_file_get_length (mf);
  bytes = g_mapped_file_get_contents (mf);
  if (len == 0 || len % face_bytes != 0) {
    char *msg = g_strdup_printf ("%s: %" G_GSIZE_FORMAT " bytes is not a "
        "whole number of the model's float32 inputs (%" G_GSIZE_FORMAT
        " bytes each)", path, len, face_bytes);
    die (msg);
  }
  n = (int) MIN (len / face_bytes, (gsize) G_MAXINT);

  batch = g_new (float, (gsize) opt_batch * face_floats);
  for (int first = 0; first < n; first += opt_batch) {
    int count = MIN (opt_batch, n - first);
    /* Copy so the float reads are aligned; the file is little-endian,
     * as is every platform this library targets. */
    memcpy (batch, bytes + (gsize) first * face_bytes, count * face_bytes);
    if (opt_print_outputs)
      print_outputs (model, batch, count);
    else
      run_batch (session, batch, count, NULL, first);
  }
  g_free (batch);
  g_mapped_file_unref (mf);
}

static void
run_images (DdamfnSession * session, char **images)
{
  DdamfnModel *model = ddamfn_session_get_model (session);
  int n = g_strv_length (images);
  const gsize face_floats = ddamfn_model_get_input_floats (model);
  float *batch = g_new (float, (gsize) opt_batch * face_floats);
  GError *error = NULL;

  for (int first = 0; first < n; first += opt_batch) {
    int count = MIN (opt_batch, n - first);
    for (int i = 0; i < count; i++) {
      int w, h;
      uint8_t *rgb = ddamfn_jpeg_decode_file (images[first + i], &w, &h,
          &error);
      DdamfnImage img = {.format = DDAMFN_PIXEL_RGB,.width = w,.height = h };
      DdamfnBox box = { 0, 0, w, h };

      if (rgb == NULL)
        die (error->message);
      img.planes[0] = rgb;
      img.strides[0] = w * 3;
      /* The whole image is the face: its box, as the card converts it. */
      if (!ddamfn_model_prepare_box (model, &img, &box, 1.f,
              batch + (gsize) i * face_floats, &error))
        die (error->message);
      g_free (rgb);
    }
    run_batch (session, batch, count, images + first, first);
  }
  g_free (batch);
}

/* The plan of a DDAMFN model, else of a face detector model. */
static void
print_plan (const char *path)
{
  GError *error = NULL, *detector_error = NULL;
  DdamfnModel *model = ddamfn_model_open (path, &error);
  DdamfnDetectorModel *detector = NULL;
  char *text;

  if (model == NULL) {
    detector = ddamfn_detector_model_open (path, &detector_error);
    if (detector == NULL) {
      gchar *both = g_strdup_printf ("%s (as a face detector model: %s)",
          error->message, detector_error->message);
      die (both);
    }
    g_clear_error (&error);
    text = ddamfn_detector_model_describe_plan (detector);
    ddamfn_detector_model_unref (detector);
  } else {
    text = ddamfn_model_describe_plan (model);
    ddamfn_model_unref (model);
  }
  fputs (text, stdout);
  g_free (text);
}

int
main (int argc, char **argv)
{
  GOptionContext *ctx;
  GError *error = NULL;
  DdamfnModel *model;
  DdamfnSession *session;
  char *path;

  ddamfn_tool_setup_blas ();
  setlocale (LC_ALL, "");

  ctx = g_option_context_new (NULL);
  g_option_context_set_summary (ctx,
      "Reads facial affect with a model. Each JPEG is taken as one face "
      "crop, resized\nand converted as the model's card says; --raw takes "
      "ready input tensors.\nPrints one JSON object per face per line.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    die (error->message);
  g_option_context_free (ctx);

  if (opt_print_plan) {
    print_plan (opt_print_plan);
    return 0;
  }
  if (!opt_print_card
      && (opt_raw == NULL) == (opt_images == NULL || opt_images[0] == NULL))
    die ("give either --raw FILE or one or more JPEG images");
  if (opt_batch < 1 || opt_batch > MAX_BATCH)
    die ("--batch must be between 1 and " G_STRINGIFY (MAX_BATCH));
  if (opt_print_outputs && opt_raw == NULL)
    die ("--print-outputs needs --raw FILE");
  if (opt_threads < 0 || opt_threads > MAX_THREADS)
    die ("--threads must be between 0 and " G_STRINGIFY (MAX_THREADS));

  /* --model, else $DDAMFN_MODEL, else the installed default model */
  path = ddamfn_model_find (opt_model, "--model", &error);
  if (path == NULL)
    die (error->message);
  g_free (opt_model);
  opt_model = path;
  model = ddamfn_model_open_with_card (opt_model, opt_card, opt_preset,
      &error);
  if (model == NULL)
    die (error->message);
  if (opt_print_card) {
    char *json = ddamfn_model_get_card_json (model);
    printf ("# %s: %s\n%s\n", opt_model, ddamfn_model_get_card_name (model),
        json);
    g_free (json);
    ddamfn_model_unref (model);
    return 0;
  }
  if (opt_print_outputs && ddamfn_model_get_n_outputs (model) == 0)
    die ("--print-outputs needs a graph model (.onnx or TensorFlow.js "
        "model.json); a DDAMFN model's results are printed without it");
  session = ddamfn_session_new (model, opt_threads, &error);
  if (session == NULL)
    die (error->message);

  if (opt_raw)
    run_raw (session, opt_raw);
  else
    run_images (session, opt_images);

  ddamfn_session_free (session);
  ddamfn_model_unref (model);
  g_free (opt_model);
  g_free (opt_card);
  g_free (opt_preset);
  g_free (opt_raw);
  g_strfreev (opt_images);
  g_free (opt_print_plan);
  return 0;
}
