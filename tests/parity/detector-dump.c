/* Runs the C face detector on one image and writes what the parity test
 * (tests/parity/test_detector_parity.py) compares with the NumPy reference: the
 * letterboxed input tensor, the raw outputs of every anchor and the
 * detected faces.
 *
 *   detector-dump MODEL IMAGE OUTDIR [TILES]
 *
 * IMAGE: a JPEG, or W×H×3 raw RGB named *.rgb with "WxH" given as
 * IMAGE:WxH:FRAME (frame FRAME of a file of raw frames). Writes
 * OUTDIR/input.f32 (3 × S × S, CHW), scores.f32 (N), regressors.f32
 * (N × 16) and faces.json.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ddamfn/ddamfn-detector.h>
#include "ddamfn-tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static guint8 *
load_image (const char *spec, int *w, int *h, GError ** error)
{
  char **parts = g_strsplit (spec, ":", 3);
  guint8 *rgb = NULL;

  if (g_strv_length (parts) == 3) {
    FILE *f = fopen (parts[0], "rb");
    long frame = atol (parts[2]);
    gsize n;

    if (sscanf (parts[1], "%dx%d", w, h) != 2 || f == NULL) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_IO, "cannot read %s",
          spec);
    } else {
      n = (gsize) * w * *h * 3;
      rgb = g_malloc (n);
      if (fseek (f, frame * (long) n, SEEK_SET) != 0
          || fread (rgb, 1, n, f) != n) {
        g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_IO,
            "%s: no frame %ld", parts[0], frame);
        g_clear_pointer (&rgb, g_free);
      }
    }
    if (f)
      fclose (f);
  } else {
    rgb = ddamfn_jpeg_decode_file (spec, w, h, error);
  }
  g_strfreev (parts);
  return rgb;
}

/* Prints ERROR, frees it and exits 1 (so that a sanitizer run sees no
 * leaked error on the way out). */
static void G_GNUC_NORETURN
fail (GError * error)
{
  g_printerr ("%s\n", error->message);
  g_error_free (error);
  exit (1);
}

static void
write_floats (const char *dir, const char *name, const float *v, gsize n)
{
  char *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;

  if (!g_file_set_contents (path, (const char *) v, n * sizeof (float),
          &error))
    fail (error);
  g_free (path);
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  DdamfnDetectorModel *m;
  DdamfnDetector *d;
  DdamfnDetectorOptions opt;
  DdamfnFace faces[64];
  DdamfnImage image = { DDAMFN_PIXEL_RGB };
  int w, h, s, na, n;
  guint8 *rgb;
  float *input, *scores, *regs;
  GString *json;
  char *path;

  if (argc < 4) {
    g_printerr ("usage: %s MODEL IMAGE OUTDIR [TILES]\n", argv[0]);
    return 2;
  }
  m = ddamfn_detector_model_open (argv[1], &error);
  if (m == NULL || (d = ddamfn_detector_new (m, &error)) == NULL
      || (rgb = load_image (argv[2], &w, &h, &error)) == NULL)
    fail (error);
  image.width = w;
  image.height = h;
  image.planes[0] = rgb;
  image.strides[0] = 3 * w;
  s = ddamfn_detector_model_get_input_size (m);
  na = ddamfn_detector_model_get_n_anchors (m);
  input = g_new (float, 3 * s * s);
  scores = g_new (float, na);
  regs = g_new (float, na * 16);
  if (!ddamfn_detector_letterbox (d, &image, input, &error))
    fail (error);
  ddamfn_detector_run_tensor (d, input, scores, regs);
  ddamfn_detector_options_init (&opt, m);
  if (argc > 4)
    opt.tiles = atoi (argv[4]);
  n = ddamfn_detector_detect (d, &image, &opt, faces, 64, &error);
  if (n < 0)
    fail (error);
  write_floats (argv[3], "input.f32", input, (gsize) 3 * s * s);
  write_floats (argv[3], "scores.f32", scores, na);
  write_floats (argv[3], "regressors.f32", regs, (gsize) na * 16);
  json = g_string_new ("{\"width\": ");
  g_string_append_printf (json, "%d, \"height\": %d, \"faces\": [", w, h);
  for (int i = 0; i < n; i++) {
    g_string_append_printf (json, "%s{\"score\": %.7g, \"box\": [%.7g, %.7g, "
        "%.7g, %.7g], \"keypoints\": [", i ? ", " : "", faces[i].score,
        faces[i].box.x, faces[i].box.y, faces[i].box.w, faces[i].box.h);
    for (int k = 0; k < 12; k++)
      g_string_append_printf (json, "%s%.7g", k ? ", " : "",
          faces[i].keypoints[k]);
    g_string_append (json, "]}");
  }
  g_string_append (json, "]}\n");
  path = g_build_filename (argv[3], "faces.json", NULL);
  g_file_set_contents (path, json->str, -1, NULL);
  g_print ("%s", json->str);
  g_free (path);
  g_string_free (json, TRUE);
  g_free (input);
  g_free (scores);
  g_free (regs);
  g_free (rgb);
  ddamfn_detector_free (d);
  ddamfn_detector_model_unref (m);
  return 0;
}
