/* Internal pieces of the face detector: the anchor grid, the decoding of
 * raw BlazeFace outputs into candidates in frame pixels, weighted
 * non-maximum suppression (blazeface-decode.c), and the square frame
 * regions the network sees (letterbox.c).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_DETECTOR_PRIVATE_H
#define DDAMFN_DETECTOR_PRIVATE_H

#include "ddamfn/ddamfn-detector.h"

G_BEGIN_DECLS

#define BLAZEFACE_N_REGRESSORS (4 + 2 * DDAMFN_DETECTOR_N_KEYPOINTS)
#define BLAZEFACE_SCORE_CLIP 100.f
#define BLAZEFACE_MAX_GRIDS 4

/* Anchors of equal stride share a grid of CELLS × CELLS cells with
 * PER_CELL anchors each; outputs run grid by grid, then row, column and
 * anchor. */
typedef struct
{
  int cells, per_cell;
} BlazefaceGrid;

/* Anchor centres (x, y) in [0, 1] of the input square, 2 floats each, in
 * output order; OFFSET is the anchor offset within a cell (0.5). Returns the
 * number of anchors written (Σ cells² · per_cell ≤ MAX). */
int blazeface_anchors (const BlazefaceGrid * grids, int n_grids,
    float offset, float *centres, int max);

/* A square part of the frame the network sees: frame point
 * (x0 + nx·side, y0 + ny·side) for input point (nx, ny) in [0, 1]. */
typedef struct
{
  double x0, y0, side;
} BlazefaceRegion;

/* The whole frame, scaled to fit and centred (letterbox). */
void blazeface_region_letterbox (int width, int height,
    BlazefaceRegion * region);

/* Square tiles covering the frame for TILES > 1: side 1.25 · max (w, h) /
 * TILES, as many per axis as make neighbours overlap by at least a quarter
 * tile (at most TILES + 1), spread evenly, centred on an axis they cover
 * whole. TILES ≤ 1 gives the letterbox. REGIONS needs room for
 * (TILES + 1)² entries; returns the number written. */
int blazeface_regions_tiled (int width, int height, int tiles,
    BlazefaceRegion * regions);

/* Writes the SIZE × SIZE CHW network input for REGION of IMAGE (validated),
 * RGB scaled to [−1, 1], black (−1) outside the frame. */
void blazeface_sample_region (const DdamfnImage * image,
    const BlazefaceRegion * region, int size, float *out);

/* A decoded detection in frame pixels: box corners, then six keypoints. */
typedef struct
{
  float score;
  int anchor;                   /* index of the output (ties in NMS) */
  float xmin, ymin, xmax, ymax;
  float keypoints[2 * DDAMFN_DETECTOR_N_KEYPOINTS];
} BlazefaceCandidate;

/* Every anchor whose score, sigmoid (clip (logit, ±100)), reaches
 * MIN_SCORE, decoded (centre = raw / SIZE + anchor, size = raw / SIZE,
 * keypoint = raw / SIZE + anchor) and mapped through REGION. Appends to
 * OUT (room for MAX); returns the number appended. */
int blazeface_decode (const float *scores, const float *regressors,
    const float *anchors, int n_anchors, int size,
    const BlazefaceRegion * region, float min_score,
    BlazefaceCandidate * out, int max);

/* Weighted non-maximum suppression, in place: sorted by score, each
 * strongest remaining candidate absorbs all remaining ones overlapping it
 * by IoU ≥ IOU; its box and keypoints become their score-weighted mean,
 * its score stays. Returns the number kept (at the start of CANDS, most
 * confident first). */
int blazeface_weighted_nms (BlazefaceCandidate * cands, int n, float iou);

/* IoU of two candidates' boxes (0 when either is empty). */
float blazeface_iou (const BlazefaceCandidate * a,
    const BlazefaceCandidate * b);

G_END_DECLS

#endif /* DDAMFN_DETECTOR_PRIVATE_H */
