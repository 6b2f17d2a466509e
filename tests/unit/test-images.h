/* Frames, tensors and normalisation shared by the preprocessing and
 * alignment tests (test-preprocess.c, test-align.c).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef TEST_IMAGES_H
#define TEST_IMAGES_H

#include <ddamfn/ddamfn.h>

#include <math.h>
#include <string.h>

#define S DDAMFN_INPUT_SIZE

/* The network's normalisation, as a model would report it. */
static const float mean[3] = { 0.485f, 0.456f, 0.406f };
static const float std[3] = { 0.229f, 0.224f, 0.225f };

/* ---- helpers ------------------------------------------------------- */

/* Tensor value of channel C at output pixel (U, V), back on the 0…255
 * scale: pixel = (value·std + mean)·255. */
G_GNUC_UNUSED static double
pixel_at (const float *t, int c, int u, int v)
{
  double value = t[(gsize) c * S * S + (gsize) v * S + u];

  return (value * std[c] + mean[c]) * 255.0;
}

G_GNUC_UNUSED static float *
new_tensor (void)
{
  /* NaN everywhere, so a value the preprocessing forgot to write shows. */
  float *t = g_new (float, DDAMFN_INPUT_FLOATS);

  for (int i = 0; i < DDAMFN_INPUT_FLOATS; i++)
    t[i] = NAN;
  return t;
}

/* Whether every value of T is what a black pixel normalises to. */
G_GNUC_UNUSED static gboolean
tensor_is_black (const float *t)
{
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < S * S; i++)
      if (fabsf (t[(gsize) c * S * S + i] - (-mean[c] / std[c])) > 1e-5f)
        return FALSE;
  return TRUE;
}

/* A packed RGB frame with R = x, G = y, B = 77. Bilinear sampling of a
 * linear function is exact, so every sample inside the frame has a value
 * known in closed form. Sides ≤ 256. */
G_GNUC_UNUSED static guint8 *
gradient_rgb (int w, int h)
{
  guint8 *p = g_malloc ((gsize) w * h * 3);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      p[(y * w + x) * 3 + 0] = (guint8) x;
      p[(y * w + x) * 3 + 1] = (guint8) y;
      p[(y * w + x) * 3 + 2] = 77;
    }
  return p;
}

G_GNUC_UNUSED static DdamfnImage
rgb_image (const guint8 * pixels, int w, int h)
{
  DdamfnImage image = {.format = DDAMFN_PIXEL_RGB,.width = w,.height = h };

  image.planes[0] = pixels;
  image.strides[0] = w * 3;
  return image;
}

/* A planar YUV frame: either I420 (three planes) or NV12 (Y + interleaved
 * UV), each plane allocated to its exact size so valgrind sees any read
 * past it. */
typedef struct
{
  DdamfnImage image;
  guint8 *y, *u, *v, *uv;
  int cw, ch;
} YuvFrame;

G_GNUC_UNUSED static void
yuv_frame_init (YuvFrame * f, DdamfnPixelFormat format, int w, int h,
    DdamfnYuvMatrix matrix)
{
  memset (f, 0, sizeof *f);
  f->cw = (w + 1) / 2;
  f->ch = (h + 1) / 2;
  f->y = g_malloc ((gsize) w * h);
  f->image.format = format;
  f->image.width = w;
  f->image.height = h;
  f->image.yuv_matrix = matrix;
  f->image.planes[0] = f->y;
  f->image.strides[0] = w;
  if (format == DDAMFN_PIXEL_I420) {
    f->u = g_malloc ((gsize) f->cw * f->ch);
    f->v = g_malloc ((gsize) f->cw * f->ch);
    f->image.planes[1] = f->u;
    f->image.planes[2] = f->v;
    f->image.strides[1] = f->image.strides[2] = f->cw;
  } else {
    f->uv = g_malloc ((gsize) 2 * f->cw * f->ch);
    f->image.planes[1] = f->uv;
    f->image.strides[1] = 2 * f->cw;
  }
}

G_GNUC_UNUSED static void
yuv_frame_set_chroma (YuvFrame * f, int i, int j, guint8 u, guint8 v)
{
  if (f->uv) {
    f->uv[(gsize) j * 2 * f->cw + 2 * i] = u;
    f->uv[(gsize) j * 2 * f->cw + 2 * i + 1] = v;
  } else {
    f->u[(gsize) j * f->cw + i] = u;
    f->v[(gsize) j * f->cw + i] = v;
  }
}

G_GNUC_UNUSED static void
yuv_frame_fill (YuvFrame * f, guint8 y, guint8 u, guint8 v)
{
  memset (f->y, y, (gsize) f->image.width * f->image.height);
  for (int j = 0; j < f->ch; j++)
    for (int i = 0; i < f->cw; i++)
      yuv_frame_set_chroma (f, i, j, u, v);
}

G_GNUC_UNUSED static void
yuv_frame_clear (YuvFrame * f)
{
  g_free (f->y);
  g_free (f->u);
  g_free (f->v);
  g_free (f->uv);
}

#endif /* TEST_IMAGES_H */
