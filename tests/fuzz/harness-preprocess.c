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

int
fuzz_preprocess_one (const uint8_t * data, size_t size)
{
  static const int bad_formats[7] = { -1, 10, 11, 100, INT_MAX, INT_MIN,
    -2147483647
  };
  static const int bad_sides[6] = { 0, -1, INT_MIN, INT_MAX, 32769,
    1 << 20
  };
  static const int bad_matrices[4] = { -1, 3, INT_MAX, INT_MIN };
  Reader r = { data, size };
  DdamfnImage image;
  uint8_t sel_stride[3], null_mask, flags, op;
  int format, n_planes;
  int64_t row[3] = { 0 }, rows[3] = { 0 };
  uint8_t *planes[3] = { NULL, NULL, NULL };
  gboolean sane_size, expect_valid, can_run, valid;
  float box_v[5], lm[10], dst[10], mean[3], std[3];
  float *out = NULL;
  GError *err = NULL;
  GError **errp;
  uint8_t s;

  fuzz_init_once ();
  memset (&image, 0, sizeof image);
  s = rd_u8 (&r);
  format = s < 200 ? s % 10 : bad_formats[s % 7];
  s = rd_u8 (&r);
  image.width = s < 250 ? 1 + s % MAX_FRAME_SIDE : bad_sides[s - 250];
  s = rd_u8 (&r);
  image.height = s < 250 ? 1 + s % MAX_FRAME_SIDE : bad_sides[s - 250];
  for (int i = 0; i < 3; i++)
    sel_stride[i] = rd_u8 (&r);
  null_mask = rd_u8 (&r);
  s = rd_u8 (&r);
  image.yuv_matrix = s < 240 ? s % 3 : bad_matrices[s % 4];
  op = rd_u8 (&r) % 4;
  flags = rd_u8 (&r);
  image.format = format;
  errp = (flags & 1) ? NULL : &err;

  if (op == 1) {
    for (int i = 0; i < 5; i++)
      box_v[i] = rd_float (&r);
  } else if (op >= 2) {
    for (int i = 0; i < 10; i++)
      lm[i] = rd_float (&r);
  }
  if (op == 3) {
    for (int i = 0; i < 10; i++)
      dst[i] = rd_float (&r);
  } else if (op != 0) {
    for (int i = 0; i < 3; i++)
      mean[i] = rd_float (&r);
    for (int i = 0; i < 3; i++)
      std[i] = rd_float (&r);
  }

  if (op == 3) {
    double m[6];
    double e = ddamfn_align_estimate (lm, dst, m);
    gboolean fin = TRUE;
    for (int i = 0; i < 10; i++)
      fin = fin && isfinite (lm[i]) && isfinite (dst[i]);
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
    return 0;
  }

  /* The frame. Geometry beyond 64 × 64 is only shown to the validation;
   * a frame is only allocated (and read) when its strides are sane. */
  sane_size = image.width >= 1 && image.width <= MAX_FRAME_SIDE
      && image.height >= 1 && image.height <= MAX_FRAME_SIDE;
  n_planes = format_valid (format) ? plane_geometry (format, image.width,
      image.height, row, rows) : 0;
  expect_valid = format_valid (format) && sane_size;
  can_run = expect_valid;
  if (format_yuv (format) && (image.yuv_matrix < DDAMFN_YUV_BT601
          || image.yuv_matrix > DDAMFN_YUV_BT601_FULL))
    expect_valid = FALSE;
  for (int i = 0; i < 3; i++) {
    static const int64_t big = INT64_C (1) << 16;
    int64_t rb = i < n_planes ? row[i] : 3;
    int64_t st;
    s = sel_stride[i];
    if (s < 240) {
      st = rb + s % 24;
    } else {
      const int64_t weird[8] = { rb - 1, 0, -rb, -1, INT_MIN, INT_MAX,
        rb + 4096, 3 * rb
      };
      st = weird[(s - 240) % 8];
    }
    image.strides[i] = (int) CLAMP (st, INT_MIN, INT_MAX);
    if (i >= n_planes) {
      if (flags & 2)
        image.planes[i] = (const uint8_t *) (uintptr_t) 0x10;
      continue;
    }
    if ((null_mask & 0x80) && (null_mask & (1 << i))) {
      expect_valid = FALSE;
      continue;
    }
    if (image.strides[i] < rb)
      expect_valid = FALSE;
    if (!expect_valid || image.strides[i] > big) {
      /* Never read unless the validation fails to refuse it: a buffer of
       * one row, so that a wrong acceptance shows as an overflow. */
      can_run = can_run && image.strides[i] <= big;
      if (rb >= 1 && rb <= big) {
        planes[i] = malloc ((size_t) rb);
        memset (planes[i], 0x80, (size_t) rb);
      } else {
        planes[i] = malloc (1);
      }
      image.planes[i] = planes[i];
      continue;
    }
    {
      size_t bytes = (size_t) (image.strides[i] * (rows[i] - 1) + rb);
      planes[i] = malloc (bytes);
      for (size_t k = 0; k < bytes; k++)
        planes[i][k] = r.n ? r.p[k % r.n] : (uint8_t) (k * 131 + 7);
      image.planes[i] = planes[i];
    }
  }

  valid = ddamfn_image_validate (&image, errp);
  check_error (valid, err, errp != NULL, "ddamfn_image_validate");
  g_clear_error (&err);
  if (sane_size || image.width < 1 || image.height < 1
      || !format_valid (format)) {
    if (valid != expect_valid)
      fuzz_fail ("ddamfn_image_validate: format %d, %d × %d, strides %d %d "
          "%d, matrix %d: got %s, expected %s", format, image.width,
          image.height, image.strides[0], image.strides[1], image.strides[2],
          (int) image.yuv_matrix, valid ? "valid" : "invalid",
          expect_valid ? "valid" : "invalid");
  }
  if (op == 0 || (valid && !can_run))
    goto done;

  out = malloc (sizeof (float) * DDAMFN_INPUT_FLOATS);
  for (int i = 0; i < DDAMFN_INPUT_FLOATS; i++)
    out[i] = NAN;

  if (op == 1) {
    DdamfnBox box = { box_v[0], box_v[1], box_v[2], box_v[3] };
    float scale = box_v[4];
    gboolean ok = ddamfn_preprocess_box (&image, &box, scale, mean, std, out,
        errp);
    gboolean want = valid && norm_ok (mean, std) && isfinite (scale)
        && scale > 0 && isfinite (box.x) && isfinite (box.y)
        && isfinite (box.w) && isfinite (box.h)
        && (double) box.w * scale > 0 && (double) box.h * scale > 0;
    check_error (ok, err, errp != NULL, "ddamfn_preprocess_box");
    if (ok != want)
      fuzz_fail ("ddamfn_preprocess_box: box (%g, %g, %g, %g) scale %g, "
          "mean (%g, %g, %g), std (%g, %g, %g), image %s: got %s, expected "
          "%s", box.x, box.y, box.w, box.h, scale, mean[0], mean[1], mean[2],
          std[0], std[1], std[2], valid ? "valid" : "invalid",
          ok ? "success" : "failure", want ? "success" : "failure");
    if (ok)
      check_tensor (out, mean, std, "ddamfn_preprocess_box");
  } else {
    int tpl = -1;
    gboolean ok, fin = TRUE;
    if (flags & 0x10) {
      const float *t = ddamfn_align_template ((flags >> 5) % 5);
      float sx = (float) image.width / DDAMFN_INPUT_SIZE;
      float sy = (float) image.height / DDAMFN_INPUT_SIZE;
      for (int i = 0; i < 10; i++)
        lm[i] = t[i] * (i % 2 ? sy : sx) + lm[i] / 64.f;
    }
    for (int i = 0; i < 10; i++)
      fin = fin && isfinite (lm[i]);
    ok = ddamfn_preprocess_landmarks (&image, lm, mean, std, out, &tpl,
        errp);
    check_error (ok, err, errp != NULL, "ddamfn_preprocess_landmarks");
    if (ok && !(valid && norm_ok (mean, std) && fin))
      fuzz_fail ("ddamfn_preprocess_landmarks accepted an invalid image, "
          "normalisation or non-finite landmarks");
    if (ok && (tpl < 0 || tpl > 4))
      fuzz_fail ("ddamfn_preprocess_landmarks: template index %d", tpl);
    if (ok)
      check_tensor (out, mean, std, "ddamfn_preprocess_landmarks");
  }

done:
  g_clear_error (&err);
  free (out);
  for (int i = 0; i < 3; i++)
    free (planes[i]);
  return 0;
}
