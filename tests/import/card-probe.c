/* Opens a model with its card through the public API and prints what the
 * card made of it, as one JSON object (test_cards.py reads it):
 *
 *   card-probe MODEL [--card FILE] [--preset NAME] [--run SEED]
 *              [--prepare R,G,B]
 *
 * Always: "card_name", "labels", "has_va", "aus" (name and threshold),
 * "outputs" (name and floats per face), "input" (the input spec) and
 * "card" (ddamfn_model_get_card_json). --run feeds one random input
 * (uniform in -1 … 1, from SEED) to ddamfn_model_run_outputs ("raw": all
 * outputs, in order) and to a session ("result": the DdamfnResult).
 * --prepare cuts the box (4, 4, 24, 24) of a 32 × 32 frame of one colour
 * with ddamfn_model_prepare_box at the card's box scale and prints each
 * tensor channel's smallest and largest value ("prepared").
 *
 * A model that does not open: the message on stderr, exit status 1.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ddamfn/ddamfn-card.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
fail (GError * e)
{
  fprintf (stderr, "card-probe: %s\n", e->message);
  g_error_free (e);
  return 1;
}

static void
print_string (const char *s)
{
  putchar ('"');
  for (; s && *s; s++) {
    const unsigned char ch = (unsigned char) *s;
    if (ch == '"' || ch == '\\')
      printf ("\\%c", ch);
    else if (ch < 0x20)
      printf ("\\u%04x", ch);
    else
      putchar (ch);
  }
  putchar ('"');
}

/* Python's json reads NaN and Infinity, which C's %g does not write. */
static void
print_float (float v)
{
  if (isnan (v))
    printf ("NaN");
  else if (isinf (v))
    printf ("%sInfinity", v < 0 ? "-" : "");
  else
    printf ("%.9g", v);
}

static void
print_floats (const float *v, gsize n)
{
  putchar ('[');
  for (gsize i = 0; i < n; i++) {
    printf ("%s", i ? ", " : "");
    print_float (v[i]);
  }
  putchar (']');
}

static void
print_input (const DdamfnInputSpec * in)
{
  static const char *const colours[] = { "rgb", "bgr", "grey" };

  printf ("{\"width\": %d, \"height\": %d, \"colour\": \"%s\", "
      "\"grey_weights\": ", in->width, in->height, colours[in->colour]);
  print_floats (in->grey_weights, 3);
  printf (", \"range\": %.9g, \"mean\": ", in->range);
  print_floats (in->mean, 3);
  printf (", \"std\": ");
  print_floats (in->std, 3);
  printf (", \"layout\": \"%s\", \"crop\": \"%s\", \"box_scale\": %.9g}",
      in->nhwc ? "nhwc" : "nchw", in->crop == DDAMFN_CROP_BOX ? "box" :
      "align", in->box_scale);
}

/* One random face through the raw outputs and through a session. */
static gboolean
run (DdamfnModel * m, guint32 seed, GError ** e)
{
  const gsize in_floats = ddamfn_model_get_input_floats (m);
  const gsize out_floats = ddamfn_model_get_output_floats (m, -1);
  float *in = g_new (float, in_floats), *raw = g_new (float, out_floats);
  GRand *rand = g_rand_new_with_seed (seed);
  DdamfnSession *s = NULL;
  DdamfnResult r;
  gboolean ok;

  for (gsize i = 0; i < in_floats; i++)
    in[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  ok = ddamfn_model_run_outputs (m, in, 1, raw, e)
      && (s = ddamfn_session_new (m, 1, e)) != NULL
      && ddamfn_session_run (s, in, 1, &r, e);
  if (ok) {
    printf (", \"raw\": ");
    print_floats (raw, out_floats);
    printf (", \"result\": {\"n_expr\": %d, \"expr_index\": %d, "
        "\"expr_probs\": ", r.n_expr, r.expr_index);
    print_floats (r.expr_probs, r.n_expr);
    printf (", \"has_va\": %s, \"valence\": ", r.has_va ? "true" :
        "false");
    print_float (r.valence);
    printf (", \"arousal\": ");
    print_float (r.arousal);
    printf (", \"n_au\": %d, \"au_probs\": ", r.n_au);
    print_floats (r.au_probs, r.n_au);
    printf (", \"au_active\": %u}", r.au_active);
  }
  ddamfn_session_free (s);
  g_rand_free (rand);
  g_free (raw);
  g_free (in);
  return ok;
}

/* The box (4, 4, 24, 24) of a 32 × 32 frame of colour RGB. */
static gboolean
prepare (DdamfnModel * m, const char *colour, GError ** e)
{
  const DdamfnInputSpec *in = ddamfn_model_get_input_spec (m);
  const int nc = in->colour == DDAMFN_COLOUR_GREY ? 1 : 3;
  const gsize n = ddamfn_model_get_input_floats (m);
  const gsize plane = (gsize) in->width * in->height;
  guint8 pixels[32 * 32 * 3];
  DdamfnImage image = { DDAMFN_PIXEL_RGB, 32, 32, {pixels}, {32 * 3},
    DDAMFN_YUV_BT601
  };
  DdamfnBox box = { 4, 4, 24, 24 };
  unsigned rgb[3];
  float *out;
  gboolean ok;

  if (sscanf (colour, "%u,%u,%u", &rgb[0], &rgb[1], &rgb[2]) != 3
      || rgb[0] > 255 || rgb[1] > 255 || rgb[2] > 255) {
    g_set_error (e, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "--prepare takes R,G,B (0 … 255), not \"%s\"", colour);
    return FALSE;
  }
  if (n != plane * nc) {
    g_set_error (e, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "the model takes %zu floats; its card says %zu", n, plane * nc);
    return FALSE;
  }
  for (int i = 0; i < 32 * 32; i++)
    for (int c = 0; c < 3; c++)
      pixels[i * 3 + c] = (guint8) rgb[c];
  out = g_new (float, n);
  ok = ddamfn_model_prepare_box (m, &image, &box, 0.f, out, e);
  if (ok) {
    printf (", \"prepared\": [");
    for (int c = 0; c < nc; c++) {
      float lo = INFINITY, hi = -INFINITY;
      gboolean finite = TRUE;
      for (gsize p = 0; p < plane; p++) {
        const float v = out[in->nhwc ? p * nc + c : c * plane + p];
        finite = finite && isfinite (v);
        lo = MIN (lo, v);
        hi = MAX (hi, v);
      }
      /* JSON has no NaN: a value that is not finite prints as null */
      if (finite)
        printf ("%s[%.9g, %.9g]", c ? ", " : "", lo, hi);
      else
        printf ("%snull", c ? ", " : "");
    }
    printf ("]");
  }
  g_free (out);
  return ok;
}

int
main (int argc, char **argv)
{
  const char *path = NULL, *card = NULL, *preset = NULL, *colour = NULL;
  gboolean do_run = FALSE;
  guint32 seed = 0;
  GError *e = NULL;
  DdamfnModel *m;
  char *json;

  for (int i = 1; i < argc; i++) {
    if (strcmp (argv[i], "--card") == 0 && i + 1 < argc)
      card = argv[++i];
    else if (strcmp (argv[i], "--preset") == 0 && i + 1 < argc)
      preset = argv[++i];
    else if (strcmp (argv[i], "--run") == 0 && i + 1 < argc) {
      do_run = TRUE;
      seed = (guint32) strtoul (argv[++i], NULL, 10);
    } else if (strcmp (argv[i], "--prepare") == 0 && i + 1 < argc)
      colour = argv[++i];
    else if (path == NULL && argv[i][0] != '-')
      path = argv[i];
    else {
      fprintf (stderr, "card-probe: unexpected argument \"%s\"\n", argv[i]);
      return 2;
    }
  }
  if (path == NULL) {
    fprintf (stderr, "usage: card-probe MODEL [--card FILE] [--preset NAME] "
        "[--run SEED] [--prepare R,G,B]\n");
    return 2;
  }
  m = ddamfn_model_open_with_card (path, card, preset, &e);
  if (m == NULL)
    return fail (e);

  printf ("{\"card_name\": ");
  print_string (ddamfn_model_get_card_name (m));
  printf (", \"labels\": [");
  for (int i = 0; i < ddamfn_model_get_n_expressions (m); i++) {
    printf ("%s", i ? ", " : "");
    print_string (ddamfn_model_get_expression_label (m, i));
  }
  printf ("], \"has_va\": %s, \"aus\": [",
      ddamfn_model_has_va (m) ? "true" : "false");
  for (int i = 0; i < ddamfn_model_get_n_aus (m); i++) {
    printf ("%s[", i ? ", " : "");
    print_string (ddamfn_model_get_au_name (m, i));
    printf (", %.9g]", ddamfn_model_get_au_threshold (m, i));
  }
  printf ("], \"outputs\": [");
  for (int i = 0; i < ddamfn_model_get_n_outputs (m); i++) {
    printf ("%s[", i ? ", " : "");
    print_string (ddamfn_model_get_output_name (m, i));
    printf (", %zu]", ddamfn_model_get_output_floats (m, i));
  }
  printf ("], \"input\": ");
  print_input (ddamfn_model_get_input_spec (m));
  json = ddamfn_model_get_card_json (m);
  printf (", \"card\": %s", json);
  g_free (json);
  if ((do_run && !run (m, seed, &e)) || (colour && !prepare (m, colour, &e))) {
    printf ("}\n");
    ddamfn_model_unref (m);
    return fail (e);
  }
  printf ("}\n");
  ddamfn_model_unref (m);
  return 0;
}
