/* Face crops for the network: from a video frame in any supported layout, a
 * box (crop + resize) or five landmarks (similarity warp onto the DDAMFN++
 * templates), bilinear sampling with black outside the frame, straight into
 * the normalised 3×112×112 CHW tensor.
 *
 * Both paths are one affine map from output pixel (u, v) to frame
 * coordinates (pixel centres at integers); the box path is separable, so its
 * taps are computed once per column and per row.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"

#include <math.h>
#include <string.h>

#define S DDAMFN_INPUT_SIZE
#define MAX_SIDE 32768

/* Byte offsets of R, G, B and bytes per pixel of the packed layouts. */
typedef struct
{
  int r, g, b, bpp;
} PackedLayout;

static const PackedLayout packed_layouts[] = {
  [DDAMFN_PIXEL_RGB] = {0, 1, 2, 3},
  [DDAMFN_PIXEL_BGR] = {2, 1, 0, 3},
  [DDAMFN_PIXEL_RGBX] = {0, 1, 2, 4},
  [DDAMFN_PIXEL_BGRX] = {2, 1, 0, 4},
  [DDAMFN_PIXEL_XRGB] = {1, 2, 3, 4},
  [DDAMFN_PIXEL_XBGR] = {3, 2, 1, 4},
  [DDAMFN_PIXEL_RGBA] = {0, 1, 2, 4},
  [DDAMFN_PIXEL_BGRA] = {2, 1, 0, 4},
};

/* YUV → RGB: R = ky·(Y − y0) + rv·(V − 128), G = ky·(Y − y0) − gu·(U − 128)
 * − gv·(V − 128), B = ky·(Y − y0) + bu·(U − 128). */
typedef struct
{
  float ky, y0, rv, gu, gv, bu;
} YuvCoeffs;

static const YuvCoeffs yuv_coeffs[] = {
  [DDAMFN_YUV_BT601] = {1.164383f, 16.f, 1.596027f, 0.391762f, 0.812968f,
      2.017232f},
  [DDAMFN_YUV_BT709] = {1.164383f, 16.f, 1.792741f, 0.213249f, 0.532909f,
      2.112402f},
  [DDAMFN_YUV_BT601_FULL] = {1.f, 0.f, 1.402f, 0.344136f, 0.714136f, 1.772f},
};

static gboolean
is_planar (DdamfnPixelFormat f)
{
  return f == DDAMFN_PIXEL_I420 || f == DDAMFN_PIXEL_NV12;
}

gboolean
ddamfn_image_validate (const DdamfnImage * img, GError ** error)
{
  int cw;

  if (img == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "image is NULL");
    return FALSE;
  }
  if ((int) img->format < DDAMFN_PIXEL_RGB
      || img->format > DDAMFN_PIXEL_NV12) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "unknown pixel format %d", (int) img->format);
    return FALSE;
  }
  if (img->width < 1 || img->height < 1 || img->width > MAX_SIDE
      || img->height > MAX_SIDE) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "image size %d×%d outside 1…%d", img->width, img->height, MAX_SIDE);
    return FALSE;
  }
  if ((int) img->yuv_matrix < DDAMFN_YUV_BT601
      || img->yuv_matrix > DDAMFN_YUV_BT601_FULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "unknown YUV matrix %d", (int) img->yuv_matrix);
    return FALSE;
  }
  if (!is_planar (img->format)) {
    int row = img->width * packed_layouts[img->format].bpp;
    if (img->planes[0] == NULL || img->strides[0] < row) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
          "packed image needs plane 0 and a stride of at least %d bytes "
          "(got %s, stride %d)", row, img->planes[0] ? "a plane" : "NULL",
          img->strides[0]);
      return FALSE;
    }
    return TRUE;
  }

  cw = (img->width + 1) / 2;
  if (img->planes[0] == NULL || img->planes[1] == NULL
      || (img->format == DDAMFN_PIXEL_I420 && img->planes[2] == NULL)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "%s image is missing a plane",
        img->format == DDAMFN_PIXEL_I420 ? "I420" : "NV12");
    return FALSE;
  }
  if (img->strides[0] < img->width
      || (img->format == DDAMFN_PIXEL_I420
          && (img->strides[1] < cw || img->strides[2] < cw))
      || (img->format == DDAMFN_PIXEL_NV12 && img->strides[1] < 2 * cw)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "%s image %d pixels wide has strides too small (%d, %d, %d)",
        img->format == DDAMFN_PIXEL_I420 ? "I420" : "NV12", img->width,
        img->strides[0], img->strides[1], img->strides[2]);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_normalisation (const float mean[3], const float std[3], GError ** error)
{
  for (int c = 0; c < 3; c++) {
    if (!isfinite (mean[c]) || !isfinite (std[c]) || !(std[c] > 0)) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
          "normalisation needs finite means and standard deviations > 0 "
          "(channel %d: mean %g, std %g)", c, mean[c], std[c]);
      return FALSE;
    }
  }
  return TRUE;
}

/* One bilinear sample at frame coordinates (fx, fy), as R, G, B on the
 * 0…255 scale; taps outside the frame count as black. */
static inline void
sample (const DdamfnImage * img, float fx, float fy, float rgb[3])
{
  const int w = img->width, h = img->height;
  int x0, y0;
  float ax, ay, wt[4];
  int tx[4], ty[4];

  rgb[0] = rgb[1] = rgb[2] = 0.f;
  /* Also rejects NaN; keeps the float → int conversion in range. */
  if (!(fx > -1.f && fx < (float) w && fy > -1.f && fy < (float) h))
    return;
  x0 = (int) floorf (fx);
  y0 = (int) floorf (fy);
  ax = fx - x0;
  ay = fy - y0;
  tx[0] = x0;
  ty[0] = y0;
  wt[0] = (1 - ax) * (1 - ay);
  tx[1] = x0 + 1;
  ty[1] = y0;
  wt[1] = ax * (1 - ay);
  tx[2] = x0;
  ty[2] = y0 + 1;
  wt[2] = (1 - ax) * ay;
  tx[3] = x0 + 1;
  ty[3] = y0 + 1;
  wt[3] = ax * ay;

  if (!is_planar (img->format)) {
    const PackedLayout *l = &packed_layouts[img->format];
    for (int t = 0; t < 4; t++) {
      const guint8 *p;
      if (tx[t] < 0 || tx[t] >= w || ty[t] < 0 || ty[t] >= h || wt[t] == 0)
        continue;
      p = img->planes[0] + (gsize) ty[t] * img->strides[0]
          + (gsize) tx[t] * l->bpp;
      rgb[0] += wt[t] * p[l->r];
      rgb[1] += wt[t] * p[l->g];
      rgb[2] += wt[t] * p[l->b];
    }
    return;
  }

  {
    /* Luma per tap; chroma once at the sample point (chroma sample i sits
     * between luma 2i and 2i + 1), clamped to the chroma plane. Since the
     * conversion is affine, weighting the converted taps equals converting
     * the weighted sums with the inside weight applied to the constants. */
    const YuvCoeffs *k = &yuv_coeffs[img->yuv_matrix];
    const int cw = (w + 1) / 2, ch = (h + 1) / 2;
    float ysum = 0, win = 0, u, v;
    float cx = (fx + 0.5f) * 0.5f - 0.5f, cy = (fy + 0.5f) * 0.5f - 0.5f;
    int c0x, c0y, c1x, c1y;
    float bx, by, cu[4], cv[4];

    for (int t = 0; t < 4; t++) {
      if (tx[t] < 0 || tx[t] >= w || ty[t] < 0 || ty[t] >= h)
        continue;
      ysum += wt[t] * img->planes[0][(gsize) ty[t] * img->strides[0] + tx[t]];
      win += wt[t];
    }
    if (win <= 0.f)
      return;

    cx = CLAMP (cx, 0.f, (float) (cw - 1));
    cy = CLAMP (cy, 0.f, (float) (ch - 1));
    c0x = (int) cx;
    c0y = (int) cy;
    c1x = MIN (c0x + 1, cw - 1);
    c1y = MIN (c0y + 1, ch - 1);
    bx = cx - c0x;
    by = cy - c0y;
    {
      const int xs[4] = { c0x, c1x, c0x, c1x }, ys[4] = { c0y, c0y, c1y, c1y };
      for (int t = 0; t < 4; t++) {
        if (img->format == DDAMFN_PIXEL_I420) {
          cu[t] = img->planes[1][(gsize) ys[t] * img->strides[1] + xs[t]];
          cv[t] = img->planes[2][(gsize) ys[t] * img->strides[2] + xs[t]];
        } else {
          const guint8 *p = img->planes[1] + (gsize) ys[t] * img->strides[1]
              + 2 * (gsize) xs[t];
          cu[t] = p[0];
          cv[t] = p[1];
        }
      }
    }
    u = (1 - by) * ((1 - bx) * cu[0] + bx * cu[1])
        + by * ((1 - bx) * cu[2] + bx * cu[3]) - 128.f;
    v = (1 - by) * ((1 - bx) * cv[0] + bx * cv[1])
        + by * ((1 - bx) * cv[2] + bx * cv[3]) - 128.f;
    {
      float yy = k->ky * (ysum - k->y0 * win);
      float r = yy + win * k->rv * v;
      float g = yy - win * (k->gu * u + k->gv * v);
      float b = yy + win * k->bu * u;
      /* Clamp to what a converted pixel can be: between black and the
       * inside weight times white. */
      rgb[0] = CLAMP (r, 0.f, 255.f * win);
      rgb[1] = CLAMP (g, 0.f, 255.f * win);
      rgb[2] = CLAMP (b, 0.f, 255.f * win);
    }
  }
}

/* out[c][v][u] = normalise (sample (m · (u, v, 1))). */
static void
warp (const DdamfnImage * img, const double m[6], const float mean[3],
    const float std[3], float *out)
{
  float scale[3], shift[3];

  for (int c = 0; c < 3; c++) {
    scale[c] = 1.f / (255.f * std[c]);
    shift[c] = -mean[c] / std[c];
  }
  for (int v = 0; v < S; v++) {
    for (int u = 0; u < S; u++) {
      float rgb[3];
      float fx = (float) (m[0] * u + m[1] * v + m[2]);
      float fy = (float) (m[3] * u + m[4] * v + m[5]);
      sample (img, fx, fy, rgb);
      for (int c = 0; c < 3; c++)
        out[(gsize) c * S * S + v * S + u] = rgb[c] * scale[c] + shift[c];
    }
  }
}

gboolean
ddamfn_preprocess_box (const DdamfnImage * img, const DdamfnBox * box,
    float scale, const float mean[3], const float std[3], float *out,
    GError ** error)
{
  double bw, bh, cx, cy, m[6];

  if (!ddamfn_image_validate (img, error)
      || !check_normalisation (mean, std, error))
    return FALSE;
  if (box == NULL || out == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "box and output must not be NULL");
    return FALSE;
  }
  if (!isfinite (scale) || !(scale > 0)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "box scale must be a finite number > 0, got %g", scale);
    return FALSE;
  }
  bw = (double) box->w * scale;
  bh = (double) box->h * scale;
  cx = (double) box->x + box->w * 0.5;
  cy = (double) box->y + box->h * 0.5;
  if (!isfinite (bw) || !isfinite (bh) || !isfinite (cx) || !isfinite (cy)
      || !(bw > 0) || !(bh > 0)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "face box (%g, %g, %g × %g) at scale %g is empty or not finite",
        box->x, box->y, box->w, box->h, scale);
    return FALSE;
  }
  /* Pixel-centre resize of the scaled box: u ↦ x0 + (u + ½)·bw/112 − ½. */
  m[0] = bw / S;
  m[1] = 0;
  m[2] = cx - bw * 0.5 + 0.5 * m[0] - 0.5;
  m[3] = 0;
  m[4] = bh / S;
  m[5] = cy - bh * 0.5 + 0.5 * m[4] - 0.5;
  warp (img, m, mean, std, out);
  return TRUE;
}

gboolean
ddamfn_preprocess_landmarks (const DdamfnImage * img,
    const float landmarks[2 * DDAMFN_N_LANDMARKS], const float mean[3],
    const float std[3], float *out, int *template_index, GError ** error)
{
  double best_err = -1, best[6] = { 0 }, inv[6], det;
  int best_index = -1;

  if (!ddamfn_image_validate (img, error)
      || !check_normalisation (mean, std, error))
    return FALSE;
  if (landmarks == NULL || out == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "landmarks and output must not be NULL");
    return FALSE;
  }
  for (int t = 0; t < 5; t++) {
    double m[6];
    double err = ddamfn_align_estimate (landmarks, ddamfn_align_template (t),
        m);
    if (err < 0) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
          "landmarks are degenerate (coincident or not finite)");
      return FALSE;
    }
    if (best_index < 0 || err < best_err) {
      best_err = err;
      best_index = t;
      memcpy (best, m, sizeof best);
    }
  }
  /* best maps frame → crop; sampling needs crop → frame. */
  det = best[0] * best[4] - best[1] * best[3];
  if (!(fabs (det) > 1e-12) || !isfinite (det)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "landmarks are degenerate (alignment transform is singular)");
    return FALSE;
  }
  inv[0] = best[4] / det;
  inv[1] = -best[1] / det;
  inv[3] = -best[3] / det;
  inv[4] = best[0] / det;
  inv[2] = -(inv[0] * best[2] + inv[1] * best[5]);
  inv[5] = -(inv[3] * best[2] + inv[4] * best[5]);
  warp (img, inv, mean, std, out);
  if (template_index)
    *template_index = best_index;
  return TRUE;
}
