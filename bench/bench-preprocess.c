/* bench-preprocess: how long turning one face of a 1920 × 1080 frame into
 * the normalised 3 × 112 × 112 tensor takes, per pixel format, for the box
 * path (a 300 × 300 box) and the landmark path (similarity warp). Prints
 * the median microseconds per face; the median, because a scheduler hiccup
 * in one run should not move the figure.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ddamfn/ddamfn.h>

#include "bench-stats.h"

#include <stdio.h>
#include <stdlib.h>

#define FRAME_W 1920
#define FRAME_H 1080
#define WARMUP 50
#define RUNS 400

typedef struct
{
  const char *name;
  DdamfnPixelFormat format;
  int bytes_per_pixel;          /* 0 for the YUV formats */
} Format;

/* Lays the frame out for FORMAT over BYTES, which holds enough for the
 * largest layout (4 bytes per pixel). */
static DdamfnImage
frame_view (const Format * format, const guint8 * bytes)
{
  DdamfnImage image = {.format = format->format,.width = FRAME_W,
    .height = FRAME_H,.yuv_matrix = DDAMFN_YUV_BT709
  };
  const gsize luma = (gsize) FRAME_W * FRAME_H;

  image.planes[0] = bytes;
  if (format->bytes_per_pixel) {
    image.strides[0] = FRAME_W * format->bytes_per_pixel;
    return image;
  }
  image.strides[0] = FRAME_W;
  image.planes[1] = bytes + luma;
  if (format->format == DDAMFN_PIXEL_I420) {
    image.strides[1] = image.strides[2] = FRAME_W / 2;
    image.planes[2] = bytes + luma + luma / 4;
  } else {
    image.strides[1] = FRAME_W;
  }
  return image;
}

/* Median microseconds of one call of the box (PATH 0) or landmark path. */
static double
median_us (const DdamfnImage * image, int path, float *out)
{
  static const float mean[3] = { 0.485f, 0.456f, 0.406f };
  static const float std[3] = { 0.229f, 0.224f, 0.225f };
  /* A 300 × 300 face left of centre, and landmarks of a slightly turned
   * face of about the same size. */
  static const DdamfnBox box = { 700, 340, 300, 300 };
  static const float landmarks[10] = {
    780, 450, 905, 440, 850, 520, 800, 590, 900, 585,
  };
  static double times[RUNS];
  GError *error = NULL;

  for (int r = -WARMUP; r < RUNS; r++) {
    gint64 start = g_get_monotonic_time ();
    gboolean ok = path == 0 ?
        ddamfn_preprocess_box (image, &box, 1.0f, mean, std, out, &error) :
        ddamfn_preprocess_landmarks (image, landmarks, mean, std, out, NULL,
        &error);

    if (!ok) {
      fprintf (stderr, "bench-preprocess: %s\n", error->message);
      exit (1);
    }
    if (r >= 0)
      times[r] = (double) (g_get_monotonic_time () - start);
  }
  return bench_median (times, RUNS);
}

int
main (void)
{
  static const Format formats[] = {
    {"RGB", DDAMFN_PIXEL_RGB, 3},
    {"BGRx", DDAMFN_PIXEL_BGRX, 4},
    {"RGBA", DDAMFN_PIXEL_RGBA, 4},
    {"I420", DDAMFN_PIXEL_I420, 0},
    {"NV12", DDAMFN_PIXEL_NV12, 0},
  };
  const gsize size = (gsize) FRAME_W * FRAME_H * 4;
  guint8 *bytes = g_malloc (size);
  float *out = g_new (float, DDAMFN_INPUT_FLOATS);
  GRand *rand = g_rand_new_with_seed (1);

  /* Noise, so no branch or cache effect of a flat picture flatters the
   * figures. */
  for (gsize i = 0; i < size; i++)
    bytes[i] = (guint8) g_rand_int (rand);

  printf ("preprocessing one face of a %d×%d frame, median of %d runs\n",
      FRAME_W, FRAME_H, RUNS);
  printf ("%-6s %20s %20s\n", "format", "box 300×300 µs", "landmarks µs");
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
    DdamfnImage image = frame_view (&formats[i], bytes);
    double box_us = median_us (&image, 0, out);
    double landmarks_us = median_us (&image, 1, out);

    printf ("%-6s %20.1f %20.1f\n", formats[i].name, box_us, landmarks_us);
  }

  g_rand_free (rand);
  g_free (out);
  g_free (bytes);
  return 0;
}
