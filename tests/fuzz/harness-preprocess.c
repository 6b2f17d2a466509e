/* Fuzz harness of the preprocessing entry points: ddamfn_image_validate,
 * ddamfn_preprocess_box, ddamfn_preprocess_landmarks and
 * ddamfn_align_estimate.
 *
 * The input is decoded into a frame of at most 64 × 64 pixels, allocated
 * with exactly the bytes its strides imply (stride · (rows − 1) + row
 * bytes per plane, nothing more), so any read past a plane is a heap
 * overflow under AddressSanitizer. Input layout (missing bytes read as 0):
 *
 *   0      format     < 200: format % 10; else an invalid value
 *   1, 2   width, height  < 250: 1 + v % 64; else 0, −1, INT_MIN,
 *                     INT_MAX, 32769 or 2²⁰ (validation only)
 *   3…5    stride of planes 0…2  < 240: row bytes + v % 24; else one of
 *                     row − 1, 0, −row, −1, INT_MIN, INT_MAX, row + 4096,
 *                     3 · row
 *   6      NULL planes: when bit 7 is set, plane i is NULL for bit i
 *   7      YUV matrix < 240: v % 3; else an invalid value
 *   8      operation  % 4: validate, box, landmarks, align_estimate
 *   9      flags      bit 0: pass error = NULL; bit 1: unused plane
 *                     pointers are wild (any read of them faults);
 *                     bit 4: landmarks = template (bits 5…7 % 5) fitted to
 *                     the frame, plus the decoded values as jitter
 *   then   floats, 5 bytes each (tag, int32 LE):
 *                     tag < 200: int32 / 256; < 240: the int32's bits as a
 *                     float; else a special value (0, −0, NaN, ±inf, …)
 *            box:        x, y, w, h, scale, mean[3], std[3]
 *            landmarks:  10 coordinates, mean[3], std[3]
 *            align:      10 source, 10 destination coordinates
 *   rest   pixel bytes, repeated over the planes
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"

#include <ddamfn/ddamfn.h>

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAME_SIDE 64

typedef struct
{
  const uint8_t *p;
  size_t n;
} Reader;

static uint8_t
rd_u8 (Reader * r)
{
  if (r->n == 0)
    return 0;
  r->n--;
  return *r->p++;
}

static int32_t
rd_i32 (Reader * r)
{
  uint32_t v = 0;
  for (int i = 0; i < 4; i++)
    v |= (uint32_t) rd_u8 (r) << (8 * i);
  return (int32_t) v;
}

static float
rd_float (Reader * r)
{
  static const float specials[16] = {
    0.f, -0.f, NAN, INFINITY, -INFINITY, FLT_MAX, -FLT_MAX, FLT_MIN,
    1e-45f, 1e-30f, 1e30f, 0.5f, 1.f, 2.f, 1e5f, -1e5f
  };
  uint8_t tag = rd_u8 (r);
  int32_t v = rd_i32 (r);
  float f;

  if (tag < 200)
    return (float) v / 256.f;
  if (tag < 240) {
    memcpy (&f, &v, sizeof f);
    return f;
  }
  return specials[tag - 240];
}

static int
bytes_per_pixel (int format)
{
  return format <= DDAMFN_PIXEL_BGR ? 3 : 4;
}

static gboolean
format_valid (int format)
{
  return format >= DDAMFN_PIXEL_RGB && format <= DDAMFN_PIXEL_NV12;
}

static gboolean
format_yuv (int format)
{
  return format == DDAMFN_PIXEL_I420 || format == DDAMFN_PIXEL_NV12;
}

/* Planes the format reads, and each plane's row bytes and rows. */
static int
plane_geometry (int format, int64_t w, int64_t h, int64_t row[3],
    int64_t rows[3])
{
  int64_t cw = (w + 1) / 2, ch = (h + 1) / 2;

  if (!format_yuv (format)) {
    row[0] = w * bytes_per_pixel (format);
    rows[0] = h;
    return 1;
  }
  row[0] = w;
  rows[0] = h;
  if (format == DDAMFN_PIXEL_I420) {
    row[1] = row[2] = cw;
    rows[1] = rows[2] = ch;
    return 3;
  }
  row[1] = 2 * cw;
  rows[1] = ch;
  return 2;
}

static gboolean
norm_ok (const float mean[3], const float std[3])
{
  for (int c = 0; c < 3; c++)
    if (!isfinite (mean[c]) || !isfinite (std[c]) || !(std[c] > 0))
      return FALSE;
  return TRUE;
}

/* Normalisation in a range where every output must be finite and lie in
 * [(0 − mean)/std, (1 − mean)/std]. */
static gboolean
norm_tame (const float mean[3], const float std[3])
{
  for (int c = 0; c < 3; c++)
    if (!(fabsf (mean[c]) <= 1e3f && std[c] >= 1e-3f && std[c] <= 1e3f))
      return FALSE;
  return TRUE;
}

static void
check_error (gboolean ok, GError * err, gboolean want_error, const char *what)
{
  if (ok && err != NULL)
    fuzz_fail ("%s succeeded but set an error: %s", what, err->message);
  if (!ok && want_error) {
    if (err == NULL)
      fuzz_fail ("%s failed without setting an error", what);
    if (err->domain != DDAMFN_ERROR
        || err->code != DDAMFN_ERROR_INVALID_ARGUMENT)
      fuzz_fail ("%s failed with an error outside DDAMFN_ERROR_INVALID_"
          "ARGUMENT: %s", what, err->message);
    if (err->message == NULL || err->message[0] == '\0')
      fuzz_fail ("%s failed with an empty message", what);
  }
}

static void
check_tensor (const float *out, const float mean[3], const float std[3],
    const char *what)
{
  if (!norm_tame (mean, std))
    return;
  for (int c = 0; c < 3; c++) {
    /* The bounds the library's own arithmetic can reach: a pixel in
     * 0…255 times 1/(255·std), plus −mean/std, in float. */
    double lo = -(double) mean[c] / std[c];
    double hi = (1.0 - mean[c]) / std[c];
    double tol = 1e-4 * fmax (1.0, fmax (fabs (lo), fabs (hi)));
    for (int i = 0; i < DDAMFN_INPUT_SIZE * DDAMFN_INPUT_SIZE; i++) {
      float v = out[c * DDAMFN_INPUT_SIZE * DDAMFN_INPUT_SIZE + i];
      if (!isfinite (v) || v < lo - tol || v > hi + tol)
        fuzz_fail ("%s: channel %d value %d is %g, outside [%g, %g] "
            "(mean %g, std %g)", what, c, i, v, lo, hi, mean[c], std[c]);
    }
  }
}

/* One decoded input: the frame's description and the operation's
 * arguments. */
typedef struct
{
  Reader r;
  DdamfnImage image;
  uint8_t sel_stride[3], null_mask, flags, op;
  int format;
  float box_v[5], lm[10], dst[10], mean[3], std[3];
} Case;

static void
read_case (Case * c, const uint8_t * data, size_t size)
{
  static const int bad_formats[7] = { -1, 10, 11, 100, INT_MAX, INT_MIN,
    -2147483647
  };
  static const int bad_sides[6] = { 0, -1, INT_MIN, INT_MAX, 32769,
    1 << 20
  };
  static const int bad_matrices[4] = { -1, 3, INT_MAX, INT_MIN };
  Reader *r = &c->r;
  uint8_t s;

  memset (c, 0, sizeof *c);
  c->r.p = data;
  c->r.n = size;
  s = rd_u8 (r);
  c->format = s < 200 ? s % 10 : bad_formats[s % 7];
  s = rd_u8 (r);
  c->image.width = s < 250 ? 1 + s % MAX_FRAME_SIDE : bad_sides[s - 250];
  s = rd_u8 (r);
  c->image.height = s < 250 ? 1 + s % MAX_FRAME_SIDE : bad_sides[s - 250];
  for (int i = 0; i < 3; i++)
    c->sel_stride[i] = rd_u8 (r);
  c->null_mask = rd_u8 (r);
  s = rd_u8 (r);
  c->image.yuv_matrix = s < 240 ? s % 3 : bad_matrices[s % 4];
  c->op = rd_u8 (r) % 4;
  c->flags = rd_u8 (r);
  c->image.format = c->format;

  if (c->op == 1) {
    for (int i = 0; i < 5; i++)
      c->box_v[i] = rd_float (r);
  } else if (c->op >= 2) {
    for (int i = 0; i < 10; i++)
      c->lm[i] = rd_float (r);
  }
  if (c->op == 3) {
    for (int i = 0; i < 10; i++)
      c->dst[i] = rd_float (r);
  } else if (c->op != 0) {
    for (int i = 0; i < 3; i++)
      c->mean[i] = rd_float (r);
    for (int i = 0; i < 3; i++)
      c->std[i] = rd_float (r);
  }
}

static void
fuzz_align (const Case * c)
{
  double m[6];
  double e = ddamfn_align_estimate (c->lm, c->dst, m);
  gboolean fin = TRUE;

  for (int i = 0; i < 10; i++)
    fin = fin && isfinite (c->lm[i]) && isfinite (c->dst[i]);
  if (isnan (e))
    fuzz_fail ("ddamfn_align_estimate returned NaN");
  if (!fin && e >= 0)
    fuzz_fail ("ddamfn_align_estimate accepted non-finite points");
  if (e >= 0) {
    if (!isfinite (e))
      fuzz_fail ("ddamfn_align_estimate returned %g", e);
    for (int i = 0; i < 6; i++)
      if (!isfinite (m[i]))
        fuzz_fail ("ddamfn_align_estimate: matrix[%d] = %g", i, m[i]);
  }
}

/* The frame's planes. Geometry beyond 64 × 64 is only shown to the
 * validation; a frame is only allocated (and read) when its strides are
 * sane. Sets *EXPECT_VALID to what the validation must answer and
 * *CAN_RUN to whether the frame may be read. */
static void
build_frame (Case * c, uint8_t * planes[3], gboolean sane_size,
    gboolean * expect_valid, gboolean * can_run)
{
  DdamfnImage *image = &c->image;
  int64_t row[3] = { 0 }, rows[3] = { 0 };
  const int n_planes = format_valid (c->format) ? plane_geometry (c->format,
      image->width, image->height, row, rows) : 0;

  *expect_valid = format_valid (c->format) && sane_size;
  *can_run = *expect_valid;
  if (format_yuv (c->format) && (image->yuv_matrix < DDAMFN_YUV_BT601
          || image->yuv_matrix > DDAMFN_YUV_BT601_FULL))
    *expect_valid = FALSE;
  for (int i = 0; i < 3; i++) {
    static const int64_t big = INT64_C (1) << 16;
    int64_t rb = i < n_planes ? row[i] : 3;
    int64_t st;
    uint8_t s = c->sel_stride[i];
    if (s < 240) {
      st = rb + s % 24;
    } else {
      const int64_t weird[8] = { rb - 1, 0, -rb, -1, INT_MIN, INT_MAX,
        rb + 4096, 3 * rb
      };
      st = weird[(s - 240) % 8];
    }
    image->strides[i] = (int) CLAMP (st, INT_MIN, INT_MAX);
    if (i >= n_planes) {
      if (c->flags & 2)
        image->planes[i] = (const uint8_t *) (uintptr_t) 0x10;
      continue;
    }
    if ((c->null_mask & 0x80) && (c->null_mask & (1 << i))) {
      *expect_valid = FALSE;
      continue;
    }
    if (image->strides[i] < rb)
      *expect_valid = FALSE;
    if (!*expect_valid || image->strides[i] > big) {
      /* Never read unless the validation fails to refuse it: a buffer of
       * one row, so that a wrong acceptance shows as an overflow. */
      *can_run = *can_run && image->strides[i] <= big;
      if (rb >= 1 && rb <= big) {
        planes[i] = malloc ((size_t) rb);
        memset (planes[i], 0x80, (size_t) rb);
      } else {
        planes[i] = malloc (1);
      }
      image->planes[i] = planes[i];
      continue;
    }
    {
      size_t bytes = (size_t) (image->strides[i] * (rows[i] - 1) + rb);
      planes[i] = malloc (bytes);
      for (size_t k = 0; k < bytes; k++)
        planes[i][k] = c->r.n ? c->r.p[k % c->r.n] : (uint8_t) (k * 131 + 7);
      image->planes[i] = planes[i];
    }
  }
}

static void
fuzz_box (const Case * c, gboolean valid, float *out, GError ** errp)
{
  DdamfnBox box = { c->box_v[0], c->box_v[1], c->box_v[2], c->box_v[3] };
  float scale = c->box_v[4];
  const float *mean = c->mean, *std = c->std;
  gboolean ok = ddamfn_preprocess_box (&c->image, &box, scale, mean, std,
      out, errp);
  gboolean want = valid && norm_ok (mean, std) && isfinite (scale)
      && scale > 0 && isfinite (box.x) && isfinite (box.y)
      && isfinite (box.w) && isfinite (box.h)
      && (double) box.w * scale > 0 && (double) box.h * scale > 0;

  check_error (ok, errp ? *errp : NULL, errp != NULL,
      "ddamfn_preprocess_box");
  if (ok != want)
    fuzz_fail ("ddamfn_preprocess_box: box (%g, %g, %g, %g) scale %g, "
        "mean (%g, %g, %g), std (%g, %g, %g), image %s: got %s, expected "
        "%s", box.x, box.y, box.w, box.h, scale, mean[0], mean[1], mean[2],
        std[0], std[1], std[2], valid ? "valid" : "invalid",
        ok ? "success" : "failure", want ? "success" : "failure");
  if (ok)
    check_tensor (out, mean, std, "ddamfn_preprocess_box");
}

static void
fuzz_landmarks (Case * c, gboolean valid, float *out, GError ** errp)
{
  int tpl = -1;
  gboolean ok, fin = TRUE;

  if (c->flags & 0x10) {
    const float *t = ddamfn_align_template ((c->flags >> 5) % 5);
    float sx = (float) c->image.width / DDAMFN_INPUT_SIZE;
    float sy = (float) c->image.height / DDAMFN_INPUT_SIZE;
    for (int i = 0; i < 10; i++)
      c->lm[i] = t[i] * (i % 2 ? sy : sx) + c->lm[i] / 64.f;
  }
  for (int i = 0; i < 10; i++)
    fin = fin && isfinite (c->lm[i]);
  ok = ddamfn_preprocess_landmarks (&c->image, c->lm, c->mean, c->std, out,
      &tpl, errp);
  check_error (ok, errp ? *errp : NULL, errp != NULL,
      "ddamfn_preprocess_landmarks");
  if (ok && !(valid && norm_ok (c->mean, c->std) && fin))
    fuzz_fail ("ddamfn_preprocess_landmarks accepted an invalid image, "
        "normalisation or non-finite landmarks");
  if (ok && (tpl < 0 || tpl > 4))
    fuzz_fail ("ddamfn_preprocess_landmarks: template index %d", tpl);
  if (ok)
    check_tensor (out, c->mean, c->std, "ddamfn_preprocess_landmarks");
}

int
fuzz_preprocess_one (const uint8_t * data, size_t size)
{
  Case c;
  uint8_t *planes[3] = { NULL, NULL, NULL };
  gboolean sane_size, expect_valid, can_run, valid;
  float *out = NULL;
  GError *err = NULL;
  GError **errp;

  fuzz_init_once ();
  read_case (&c, data, size);
  errp = (c.flags & 1) ? NULL : &err;
  if (c.op == 3) {
    fuzz_align (&c);
    return 0;
  }

  sane_size = c.image.width >= 1 && c.image.width <= MAX_FRAME_SIDE
      && c.image.height >= 1 && c.image.height <= MAX_FRAME_SIDE;
  build_frame (&c, planes, sane_size, &expect_valid, &can_run);

  valid = ddamfn_image_validate (&c.image, errp);
  check_error (valid, err, errp != NULL, "ddamfn_image_validate");
  g_clear_error (&err);
  if (sane_size || c.image.width < 1 || c.image.height < 1
      || !format_valid (c.format)) {
    if (valid != expect_valid)
      fuzz_fail ("ddamfn_image_validate: format %d, %d × %d, strides %d %d "
          "%d, matrix %d: got %s, expected %s", c.format, c.image.width,
          c.image.height, c.image.strides[0], c.image.strides[1],
          c.image.strides[2], (int) c.image.yuv_matrix,
          valid ? "valid" : "invalid", expect_valid ? "valid" : "invalid");
  }
  if (c.op != 0 && !(valid && !can_run)) {
    out = malloc (sizeof (float) * DDAMFN_INPUT_FLOATS);
    for (int i = 0; i < DDAMFN_INPUT_FLOATS; i++)
      out[i] = NAN;
    if (c.op == 1)
      fuzz_box (&c, valid, out, errp);
    else
      fuzz_landmarks (&c, valid, out, errp);
  }

  g_clear_error (&err);
  free (out);
  for (int i = 0; i < 3; i++)
    free (planes[i]);
  return 0;
}
