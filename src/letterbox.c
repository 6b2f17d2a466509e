/* The square parts of a frame the face detector's network sees: the whole
 * frame letterboxed (scaled to fit, centred, black around it), or a grid
 * of overlapping tiles for small faces in large frames; and the sampling of
 * such a region into the network input, through the bilinear kernel of
 * preprocess.c (no format conversion: RGB family, I420, NV12 directly).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "detector-private.h"
#include "sample-private.h"

#include <math.h>

void
blazeface_region_letterbox (int width, int height, BlazefaceRegion * region)
{
  const double side = MAX (width, height);

  region->side = side;
  region->x0 = 0.5 * (width - side);
  region->y0 = 0.5 * (height - side);
}

/* Tiles per axis for a frame side of N pixels and tiles of side T: one
 * when it fits, else enough that neighbours overlap by a quarter tile. */
static int
tiles_along (double n, double t, int limit)
{
  int k;

  if (n <= t)
    return 1;
  k = 1 + (int) ceil ((n - t) / (0.75 * t));
  return MIN (k, limit);
}

int
blazeface_regions_tiled (int width, int height, int tiles,
    BlazefaceRegion * regions)
{
  double t, xs, ys;
  int nx, ny, n = 0;

  if (tiles <= 1) {
    blazeface_region_letterbox (width, height, regions);
    return 1;
  }
  t = 1.25 * MAX (width, height) / tiles;
  nx = tiles_along (width, t, tiles + 1);
  ny = tiles_along (height, t, tiles + 1);
  xs = nx > 1 ? (width - t) / (nx - 1) : 0.0;
  ys = ny > 1 ? (height - t) / (ny - 1) : 0.0;
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++) {
      BlazefaceRegion *r = &regions[n++];

      r->side = t;
      r->x0 = nx > 1 ? i * xs : 0.5 * (width - t);
      r->y0 = ny > 1 ? j * ys : 0.5 * (height - t);
    }
  return n;
}

void
blazeface_sample_region (const DdamfnImage * image,
    const BlazefaceRegion * region, int size, float *out)
{
  /* value = pixel / 127.5 − 1 */
  static const float gain[3] = { 1.f / 127.5f, 1.f / 127.5f, 1.f / 127.5f };
  static const float offset[3] = { -1.f, -1.f, -1.f };

  ddamfn_sample_box (image, region->x0, region->y0, region->side,
      region->side, size, gain, offset, out);
}
