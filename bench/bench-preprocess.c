/* bench-preprocess: median microseconds to turn one face of a 1920×1080
 * frame into the normalised 3×112×112 tensor, per pixel format, for the box
 * path (300×300 box) and the landmark (alignment) path.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ddamfn/ddamfn.h>

#include <stdio.h>
#include <stdlib.h>

#define W 1920
#define H 1080
#define RUNS 400

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (void)
{
  static const struct
  {
    const char *name;
    DdamfnPixelFormat f;
    int bpp;
  } formats[] = {
    {"RGB", DDAMFN_PIXEL_RGB, 3}, {"BGRx", DDAMFN_PIXEL_BGRX, 4},
    {"RGBA", DDAMFN_PIXEL_RGBA, 4}, {"I420", DDAMFN_PIXEL_I420, 0},
    {"NV12", DDAMFN_PIXEL_NV12, 0},
  };
  const float mean[3] = { 0.485f, 0.456f, 0.406f };
  const float std[3] = { 0.229f, 0.224f, 0.225f };
  const DdamfnBox box = { 800, 300, 300, 300 };
  const float lm[10] = { 880, 400, 1010, 400, 945, 470, 895, 540, 1000, 540 };
  guint8 *frame = g_malloc ((gsize) W * H * 4);
  float *out = g_new (float, DDAMFN_INPUT_FLOATS);
  double t[RUNS];

  for (gsize i = 0; i < (gsize) W * H * 4; i++)
    frame[i] = (guint8) (i * 2654435761u >> 24);

  printf ("%-6s %14s %14s\n", "format", "box µs/face", "align µs/face");
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    DdamfnImage img = {.format = formats[f].f,.width = W,.height = H };
    double med[2];

    if (formats[f].bpp) {
      img.planes[0] = frame;
      img.strides[0] = W * formats[f].bpp;
    } else {
      img.planes[0] = frame;
      img.strides[0] = W;
      img.planes[1] = frame + W * H;
      img.planes[2] = frame + W * H + W * H / 4;
      img.strides[1] = formats[f].f == DDAMFN_PIXEL_I420 ? W / 2 : W;
      img.strides[2] = W / 2;
    }
    for (int path = 0; path < 2; path++) {
      for (int r = -20; r < RUNS; r++) {
        gint64 t0 = g_get_monotonic_time ();
        gboolean ok = path == 0 ?
            ddamfn_preprocess_box (&img, &box, 1.2f, mean, std, out, NULL) :
            ddamfn_preprocess_landmarks (&img, lm, mean, std, out, NULL,
            NULL);
        if (!ok)
          return 1;
        if (r >= 0)
          t[r] = (double) (g_get_monotonic_time () - t0);
      }
      qsort (t, RUNS, sizeof (double), cmp_double);
      med[path] = t[RUNS / 2];
    }
    printf ("%-6s %14.1f %14.1f\n", formats[f].name, med[0], med[1]);
  }
  g_free (frame);
  g_free (out);
  return 0;
}
