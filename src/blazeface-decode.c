/* BlazeFace post-processing: the SSD anchor grid, decoding of the raw
 * scores and regressors into detections in frame pixels, and weighted
 * non-maximum suppression (docs/face-detector.md, "Decoding").
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "detector-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int
blazeface_anchors (const BlazefaceGrid * grids, int n_grids, float offset,
    float *centres, int max)
{
  int n = 0;

  for (int g = 0; g < n_grids; g++) {
    const int cells = grids[g].cells;

    for (int y = 0; y < cells; y++)
      for (int x = 0; x < cells; x++)
        for (int a = 0; a < grids[g].per_cell; a++) {
          if (n >= max)
            return n;
          centres[2 * n] = (x + offset) / cells;
          centres[2 * n + 1] = (y + offset) / cells;
          n++;
        }
  }
  return n;
}

/* The sigmoid of the clipped logit. Clipping keeps expf finite and
 * matches MediaPipe's score_clipping_thresh of 100. */
static float
anchor_score (float logit)
{
  if (!(logit > -BLAZEFACE_SCORE_CLIP))
    logit = -BLAZEFACE_SCORE_CLIP;      /* NaN too */
  else if (logit > BLAZEFACE_SCORE_CLIP)
    logit = BLAZEFACE_SCORE_CLIP;
  return 1.f / (1.f + expf (-logit));
}

int
blazeface_decode (const float *scores, const float *regressors,
    const float *anchors, int n_anchors, int size,
    const BlazefaceRegion * region, float min_score,
    BlazefaceCandidate * out, int max)
{
  const double inv = 1.0 / size;
  int n = 0;

  for (int i = 0; i < n_anchors && n < max; i++) {
    const float *r = regressors + (gsize) i * BLAZEFACE_N_REGRESSORS;
    const double ax = anchors[2 * i], ay = anchors[2 * i + 1];
    const float s = anchor_score (scores[i]);
    BlazefaceCandidate *c;
    double cx, cy, w, h;
    gboolean finite = TRUE;

    if (!(s >= min_score))
      continue;
    for (int k = 0; k < BLAZEFACE_N_REGRESSORS; k++)
      finite = finite && isfinite (r[k]);
    if (!finite)
      continue;
    cx = r[0] * inv + ax;
    cy = r[1] * inv + ay;
    w = r[2] * inv;
    h = r[3] * inv;
    c = &out[n++];
    c->score = s;
    c->anchor = i;
    c->xmin = (float) (region->x0 + (cx - 0.5 * w) * region->side);
    c->ymin = (float) (region->y0 + (cy - 0.5 * h) * region->side);
    c->xmax = (float) (region->x0 + (cx + 0.5 * w) * region->side);
    c->ymax = (float) (region->y0 + (cy + 0.5 * h) * region->side);
    for (int k = 0; k < DDAMFN_DETECTOR_N_KEYPOINTS; k++) {
      c->keypoints[2 * k] = (float) (region->x0
          + (r[4 + 2 * k] * inv + ax) * region->side);
      c->keypoints[2 * k + 1] = (float) (region->y0
          + (r[5 + 2 * k] * inv + ay) * region->side);
    }
  }
  return n;
}

float
blazeface_iou (const BlazefaceCandidate * a, const BlazefaceCandidate * b)
{
  const float iw = MIN (a->xmax, b->xmax) - MAX (a->xmin, b->xmin);
  const float ih = MIN (a->ymax, b->ymax) - MAX (a->ymin, b->ymin);
  const float area_a = (a->xmax - a->xmin) * (a->ymax - a->ymin);
  const float area_b = (b->xmax - b->xmin) * (b->ymax - b->ymin);
  float inter, uni;

  if (!(iw > 0) || !(ih > 0) || !(area_a > 0) || !(area_b > 0))
    return 0.f;
  inter = iw * ih;
  uni = area_a + area_b - inter;
  return uni > 0 ? inter / uni : 0.f;
}

/* Descending score; equal scores in anchor order, so the result does not
 * depend on the sort's (unstable) moves. */
static int
by_score_desc (const void *pa, const void *pb)
{
  const BlazefaceCandidate *a = pa, *b = pb;

  if (a->score != b->score)
    return a->score < b->score ? 1 : -1;
  return (a->anchor > b->anchor) - (a->anchor < b->anchor);
}

int
blazeface_weighted_nms (BlazefaceCandidate * cands, int n, float iou)
{
  int kept = 0, remaining = n;

  qsort (cands, (size_t) n, sizeof *cands, by_score_desc);
  /* cands[kept … kept + remaining) are the candidates not yet absorbed, in
   * score order; each round takes the first, merges its group into it and
   * compacts the rest behind it. */
  while (remaining > 0) {
    BlazefaceCandidate top = cands[kept], sum;
    double wsum = 0.0, acc[4 + 2 * DDAMFN_DETECTOR_N_KEYPOINTS] = { 0 };
    int rest = 0;

    for (int j = 0; j < remaining; j++) {
      BlazefaceCandidate *c = &cands[kept + j];

      if (j == 0 || blazeface_iou (&top, c) >= iou) {
        const double w = c->score;

        wsum += w;
        acc[0] += w * c->xmin;
        acc[1] += w * c->ymin;
        acc[2] += w * c->xmax;
        acc[3] += w * c->ymax;
        for (int k = 0; k < 2 * DDAMFN_DETECTOR_N_KEYPOINTS; k++)
          acc[4 + k] += w * c->keypoints[k];
      } else {
        /* rest is ≤ j − 1 here, so this moves a candidate down over one
         * already merged (or onto itself), keeping score order. */
        cands[kept + 1 + rest++] = *c;
      }
    }
    sum = top;
    sum.xmin = (float) (acc[0] / wsum);
    sum.ymin = (float) (acc[1] / wsum);
    sum.xmax = (float) (acc[2] / wsum);
    sum.ymax = (float) (acc[3] / wsum);
    for (int k = 0; k < 2 * DDAMFN_DETECTOR_N_KEYPOINTS; k++)
      sum.keypoints[k] = (float) (acc[4 + k] / wsum);
    cands[kept++] = sum;
    remaining = rest;
  }
  return kept;
}
