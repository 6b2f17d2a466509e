/* Five-point face alignment: the DDAMFN++ templates and the least-squares
 * similarity transform (rotation, uniform scale, translation) onto them.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"

#include <math.h>

/* 112 × 112 templates from ddamfn-network.md, "Alignment": left profile,
 * left, frontal, right, right profile; points in the order left eye, right
 * eye, nose tip, left mouth corner, right mouth corner. */
static const float templates[5][2 * DDAMFN_N_LANDMARKS] = {
  {55.550f, 49.477f, 62.116f, 49.339f, 38.075f, 70.237f, 55.017f, 92.262f,
      61.466f, 92.979f},
  {47.241f, 48.598f, 72.887f, 49.540f, 40.555f, 71.067f, 47.423f, 93.643f,
      71.236f, 94.353f},
  {33.566f, 40.559f, 78.321f, 40.559f, 55.338f, 64.967f, 38.479f, 90.276f,
      73.591f, 90.276f},
  {39.516f, 49.540f, 65.162f, 48.598f, 71.849f, 71.067f, 41.167f, 94.353f,
      64.980f, 93.643f},
  {50.225f, 49.339f, 56.791f, 49.477f, 74.266f, 70.237f, 50.875f, 92.979f,
      65.317f, 92.262f},
};

const float *
ddamfn_align_template (int index)
{
  if (index < 0 || index >= (int) G_N_ELEMENTS (templates))
    return NULL;
  return templates[index];
}

double
ddamfn_align_estimate (const float src[2 * DDAMFN_N_LANDMARKS],
    const float dst[2 * DDAMFN_N_LANDMARKS], double m[6])
{
  const int n = DDAMFN_N_LANDMARKS;
  double sx = 0, sy = 0, dx = 0, dy = 0, var = 0, p = 0, q = 0, a, b, err = 0;

  for (int i = 0; i < n; i++) {
    if (!isfinite (src[2 * i]) || !isfinite (src[2 * i + 1])
        || !isfinite (dst[2 * i]) || !isfinite (dst[2 * i + 1]))
      return -1.0;
    sx += src[2 * i];
    sy += src[2 * i + 1];
    dx += dst[2 * i];
    dy += dst[2 * i + 1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;

  /* With centred points the normal equations of x' = a·x − b·y,
   * y' = b·x + a·y decouple: a = Σ(x·x' + y·y') / Σ(x² + y²),
   * b = Σ(x·y' − y·x') / Σ(x² + y²). */
  for (int i = 0; i < n; i++) {
    double x = src[2 * i] - sx, y = src[2 * i + 1] - sy;
    double u = dst[2 * i] - dx, v = dst[2 * i + 1] - dy;
    var += x * x + y * y;
    p += x * u + y * v;
    q += x * v - y * u;
  }
  if (!(var > 1e-6))
    return -1.0;
  a = p / var;
  b = q / var;
  m[0] = a;
  m[1] = -b;
  m[2] = dx - (a * sx - b * sy);
  m[3] = b;
  m[4] = a;
  m[5] = dy - (b * sx + a * sy);

  for (int i = 0; i < n; i++) {
    double x = m[0] * src[2 * i] + m[1] * src[2 * i + 1] + m[2];
    double y = m[3] * src[2 * i] + m[4] * src[2 * i + 1] + m[5];
    err += hypot (x - dst[2 * i], y - dst[2 * i + 1]);
  }
  return err;
}
