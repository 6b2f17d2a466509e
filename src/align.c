/* Five-point face alignment for DDAMFN++: the five 112 × 112 landmark
 * templates (left profile … right profile), the closed-form least-squares
 * similarity transform between two point sets, and the choice of the
 * template a face fits best: by all five points, or — for a detector that
 * gives the mouth centre only (BlazeFace), passed as two equal mouth
 * corners — by the eyes, the nose and the mouth centre matched to the
 * midpoint of the template's mouth corners.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "align-private.h"

#include <math.h>
#include <string.h>

/* docs/network.md, "Alignment". Points in the order of
 * DDAMFN_N_LANDMARKS: left eye, right eye, nose tip, left mouth corner,
 * right mouth corner; (x, y) in the 112 × 112 crop. */
static const float templates[DDAMFN_N_TEMPLATES][2 * DDAMFN_N_LANDMARKS] = {
  /* left profile */
  {55.550f, 49.477f, 62.116f, 49.339f, 38.075f, 70.237f,
      55.017f, 92.262f, 61.466f, 92.979f},
  /* left */
  {47.241f, 48.598f, 72.887f, 49.540f, 40.555f, 71.067f,
      47.423f, 93.643f, 71.236f, 94.353f},
  /* frontal */
  {33.566f, 40.559f, 78.321f, 40.559f, 55.338f, 64.967f,
      38.479f, 90.276f, 73.591f, 90.276f},
  /* right */
  {39.516f, 49.540f, 65.162f, 48.598f, 71.849f, 71.067f,
      41.167f, 94.353f, 64.980f, 93.643f},
  /* right profile */
  {50.225f, 49.339f, 56.791f, 49.477f, 74.266f, 70.237f,
      50.875f, 92.979f, 65.317f, 92.262f},
};

/* Points whose spread around their centroid is below this fraction of
 * their distance from the origin coincide as far as float coordinates can
 * tell (a float carries about 6e-8 relative precision); the floor of 1e-6
 * covers points at the origin. */
#define COINCIDENT_RELATIVE 1e-5
#define COINCIDENT_ABSOLUTE 1e-6

const float *
ddamfn_align_template (int index)
{
  if (index < 0 || index >= DDAMFN_N_TEMPLATES)
    return NULL;
  return templates[index];
}

/* The least-squares similarity of N point pairs (layout and return value
 * of ddamfn_align_estimate). */
static double
estimate_similarity (const float *src, const float *dst, int n,
    double matrix[6])
{
  double sx = 0, sy = 0, dx = 0, dy = 0;
  double spread = 0, dot = 0, cross = 0, a, b, tx, ty, sum = 0, limit;

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

  /* Relative to the centroids the translation drops out, and minimising
   * Σ |(a·x − b·y, b·x + a·y) − (x', y')|² over a and b gives two decoupled
   * normal equations: a·Σ(x² + y²) = Σ(x·x' + y·y') and
   * b·Σ(x² + y²) = Σ(x·y' − y·x'). */
  for (int i = 0; i < n; i++) {
    double x = src[2 * i] - sx, y = src[2 * i + 1] - sy;
    double xd = dst[2 * i] - dx, yd = dst[2 * i + 1] - dy;

    spread += x * x + y * y;
    dot += x * xd + y * yd;
    cross += x * yd - y * xd;
  }

  limit = MAX (COINCIDENT_RELATIVE * hypot (sx, sy), COINCIDENT_ABSOLUTE);
  if (!(spread > n * limit * limit))
    return -1.0;

  a = dot / spread;
  b = cross / spread;
  tx = dx - (a * sx - b * sy);
  ty = dy - (b * sx + a * sy);
  if (!isfinite (a) || !isfinite (b) || !isfinite (tx) || !isfinite (ty))
    return -1.0;

  matrix[0] = a;
  matrix[1] = -b;
  matrix[2] = tx;
  matrix[3] = b;
  matrix[4] = a;
  matrix[5] = ty;

  for (int i = 0; i < n; i++) {
    double x = a * src[2 * i] - b * src[2 * i + 1] + tx;
    double y = b * src[2 * i] + a * src[2 * i + 1] + ty;

    sum += hypot (x - dst[2 * i], y - dst[2 * i + 1]);
  }
  return isfinite (sum) ? sum : -1.0;
}

double
ddamfn_align_estimate (const float src[2 * DDAMFN_N_LANDMARKS],
    const float dst[2 * DDAMFN_N_LANDMARKS], double matrix[6])
{
  if (src == NULL || dst == NULL || matrix == NULL)
    return -1.0;
  return estimate_similarity (src, dst, DDAMFN_N_LANDMARKS, matrix);
}

/* Whether the landmarks stand for a detector that gives the mouth centre
 * only (BlazeFace): both mouth corners are the same point. */
static gboolean
mouth_is_one_point (const float landmarks[2 * DDAMFN_N_LANDMARKS])
{
  return landmarks[6] == landmarks[8] && landmarks[7] == landmarks[9];
}

/* Template T as four points: eyes and nose as they are, then the midpoint
 * of its mouth corners. */
static void
template_four_points (int t, float out[8])
{
  memcpy (out, templates[t], 6 * sizeof (float));
  out[6] = 0.5f * (templates[t][6] + templates[t][8]);
  out[7] = 0.5f * (templates[t][7] + templates[t][9]);
}

int
ddamfn_align_choose_template (const float landmarks[2 * DDAMFN_N_LANDMARKS],
    double matrix[6], double *error_out)
{
  const gboolean four = mouth_is_one_point (landmarks);
  double best_error = 0;
  int best = -1;

  for (int t = 0; t < DDAMFN_N_TEMPLATES; t++) {
    double m[6], e;

    if (four) {
      float dst[8];

      template_four_points (t, dst);
      e = estimate_similarity (landmarks, dst, 4, m);
    } else {
      e = estimate_similarity (landmarks, templates[t], 5, m);
    }

    /* The source points are the same for every template, so one
     * degenerate estimate means all are. */
    if (e < 0)
      return -1;
    if (best < 0 || e < best_error) {
      best = t;
      best_error = e;
      memcpy (matrix, m, sizeof m);
    }
  }
  if (error_out)
    *error_out = best_error;
  return best;
}
