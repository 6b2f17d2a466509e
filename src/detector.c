/* The face detector's public API: BlazeFace model files (metadata, anchors,
 * the plan of nets/blazeface.c), detectors (a runner and the buffers of one
 * detection), and ddamfn_detector_detect(): regions → network → decoding →
 * weighted NMS → faces in frame pixels.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "nets/blazeface.h"
#include "run.h"
#include "sample-private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Regions one detection may use: the letterbox and the tiles. */
#define MAX_REGIONS \
  (1 + (DDAMFN_DETECTOR_MAX_TILES + 1) * (DDAMFN_DETECTOR_MAX_TILES + 1))

struct _DdamfnDetectorModel
{
  gint ref_count;
  StFile *file;
  DdamfnPlan *plan;
  BlazefaceNetInfo info;
  float *anchors;               /* (x, y) per anchor */
  float min_score;
};

struct _DdamfnDetector
{
  DdamfnDetectorModel *model;
  DdamfnRunner *runner;
  int capacity;                 /* regions the buffers below hold */
  float *input;                 /* capacity inputs, each with its frame */
  float *results;               /* capacity result records */
  float *square;                /* one S × S image, before framing */
  BlazefaceCandidate *cands;    /* capacity × n_anchors */
};

/* ---- model ------------------------------------------------------------ */

static gboolean
metadata_int (const StFile * f, const char *path, const char *key, int lo,
    int hi, int *out, GError ** error)
{
  const char *v = st_file_get_metadata (f, key);
  char *end = NULL;
  gint64 x = v ? g_ascii_strtoll (v, &end, 10) : 0;

  if (v == NULL || end == v || *end != '\0' || x < lo || x > hi) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_METADATA,
        "%s: metadata \"%s\" is %s%s%s, expected an integer in %d … %d",
        path, key, v ? "'" : "missing", v ? v : "", v ? "'" : "", lo, hi);
    return FALSE;
  }
  *out = (int) x;
  return TRUE;
}

static gboolean
metadata_float (const StFile * f, const char *path, const char *key,
    double lo, double hi, float *out, GError ** error)
{
  const char *v = st_file_get_metadata (f, key);
  char *end = NULL;
  double x = v ? g_ascii_strtod (v, &end) : 0;

  if (v == NULL || end == v || *end != '\0' || !(x >= lo && x <= hi)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_METADATA,
        "%s: metadata \"%s\" is %s%s%s, expected a number in %g … %g", path,
        key, v ? "'" : "missing", v ? v : "", v ? "'" : "", lo, hi);
    return FALSE;
  }
  *out = (float) x;
  return TRUE;
}

/* "16x16:2,8x8:6": square grids of cells with anchors per cell. */
static gboolean
parse_grids (const char *text, const char *path, BlazefaceNetInfo * info,
    GError ** error)
{
  char **parts = g_strsplit (text ? text : "", ",", BLAZEFACE_MAX_GRIDS + 1);
  int n = (int) g_strv_length (parts);
  gboolean ok = n >= 1 && n <= BLAZEFACE_MAX_GRIDS;

  for (int i = 0; ok && i < n; i++) {
    int a, b, c, used = 0;

    ok = sscanf (parts[i], "%dx%d:%d%n", &a, &b, &c, &used) == 3
        && parts[i][used] == '\0' && a == b && a >= 1 && a <= 512
        && c >= 1 && c <= 16;
    info->grids[i].cells = a;
    info->grids[i].per_cell = c;
  }
  info->n_grids = n;
  g_strfreev (parts);
  if (!ok)
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_METADATA,
        "%s: metadata \"anchor_grids\" is '%s', expected up to %d grids "
        "like 16x16:2", path, text ? text : "(missing)", BLAZEFACE_MAX_GRIDS);
  return ok;
}

static gboolean
check_identity (const StFile * f, const char *path, GError ** error)
{
  const char *arch = st_file_get_metadata (f, "architecture");
  const char *version = st_file_get_metadata (f, "format_version");

  if (g_strcmp0 (arch, "blazeface") != 0) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_METADATA,
        "%s: architecture is '%s', expected 'blazeface' (a face detector "
        "converted by models/tflite-convert)", path, arch ? arch : "(none)");
    return FALSE;
  }
  if (g_strcmp0 (version, "1") != 0) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_METADATA,
        "%s: format_version is '%s', expected '1'", path,
        version ? version : "(none)");
    return FALSE;
  }
  return TRUE;
}

DdamfnDetectorModel *
ddamfn_detector_model_open (const char *path, GError ** error)
{
  DdamfnDetectorModel *m;
  StFile *file;
  float offset;
  int n;

  g_return_val_if_fail (path != NULL, NULL);
  file = st_file_open (path, error);
  if (file == NULL)
    return NULL;
  m = g_new0 (DdamfnDetectorModel, 1);
  m->ref_count = 1;
  m->file = file;
  if (!check_identity (file, path, error)
      || !metadata_int (file, path, "input_size", 16,
          DDAMFN_SAMPLE_MAX_SIZE, &m->info.size, error)
      || !metadata_int (file, path, "num_anchors", 1, 1 << 20,
          &m->info.n_anchors, error)
      || !metadata_float (file, path, "anchor_offset", 0, 1, &offset, error)
      || !metadata_float (file, path, "min_score", 0, 1, &m->min_score,
          error)
      || !parse_grids (st_file_get_metadata (file, "anchor_grids"), path,
          &m->info, error))
    goto fail;
  m->plan = blazeface_net_build (file, path, &m->info, error);
  if (m->plan == NULL)
    goto fail;
  m->anchors = g_new (float, 2 * (gsize) m->info.n_anchors);
  n = blazeface_anchors (m->info.grids, m->info.n_grids, offset, m->anchors,
      m->info.n_anchors);
  g_assert (n == m->info.n_anchors);    /* bind_heads checked the count */
  return m;
fail:
  ddamfn_detector_model_unref (m);
  return NULL;
}

const DdamfnPlan *
ddamfn_detector_model_get_plan (const DdamfnDetectorModel * model)
{
  return model->plan;
}

char *
ddamfn_detector_model_describe_plan (const DdamfnDetectorModel * model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return ddamfn_plan_describe (model->plan);
}

DdamfnDetectorModel *
ddamfn_detector_model_ref (DdamfnDetectorModel * model)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_atomic_int_inc (&model->ref_count);
  return model;
}

void
ddamfn_detector_model_unref (DdamfnDetectorModel * model)
{
  if (model == NULL || !g_atomic_int_dec_and_test (&model->ref_count))
    return;
  ddamfn_plan_free (model->plan);
  st_file_free (model->file);
  g_free (model->anchors);
  g_free (model);
}

int
ddamfn_detector_model_get_input_size (const DdamfnDetectorModel * model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->info.size;
}

int
ddamfn_detector_model_get_n_anchors (const DdamfnDetectorModel * model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->info.n_anchors;
}

const char *
ddamfn_detector_model_get_metadata (const DdamfnDetectorModel * model,
    const char *key)
{
  g_return_val_if_fail (model != NULL && key != NULL, NULL);
  return st_file_get_metadata (model->file, key);
}

void
ddamfn_detector_options_init (DdamfnDetectorOptions * options,
    const DdamfnDetectorModel * model)
{
  g_return_if_fail (options != NULL);
  options->min_score = model ? model->min_score : 0.5f;
  options->nms_iou = 0.3f;
  options->max_faces = 16;
  options->min_face_size = 0.f;
  options->tiles = 1;
}

/* ---- detector --------------------------------------------------------- */

static gsize
input_floats (const DdamfnDetectorModel * m)
{
  return (gsize) 3 * m->info.in_h * m->info.in_w;
}

/* Room for N regions; the frames of new inputs are zero. */
static gboolean
reserve (DdamfnDetector * d, int n, GError ** error)
{
  const DdamfnDetectorModel *m = d->model;
  float *input, *results;
  BlazefaceCandidate *cands;

  if (n <= d->capacity)
    return TRUE;
  input = g_try_malloc0_n ((gsize) n, input_floats (m) * sizeof (float));
  results = g_try_malloc_n ((gsize) n,
      BLAZEFACE_RESULT_FLOATS (&m->info) * sizeof (float));
  cands = g_try_malloc_n ((gsize) n * m->info.n_anchors,
      sizeof (BlazefaceCandidate));
  if (input == NULL || results == NULL || cands == NULL) {
    g_free (input);
    g_free (results);
    g_free (cands);
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_NO_MEMORY,
        "out of memory for %d detector inputs", n);
    return FALSE;
  }
  g_free (d->input);
  g_free (d->results);
  g_free (d->cands);
  d->input = input;
  d->results = results;
  d->cands = cands;
  d->capacity = n;
  return TRUE;
}

DdamfnDetector *
ddamfn_detector_new (DdamfnDetectorModel * model, GError ** error)
{
  DdamfnDetector *d;
  const int s = model ? model->info.size : 0;

  g_return_val_if_fail (model != NULL, NULL);
  d = g_new0 (DdamfnDetector, 1);
  d->model = ddamfn_detector_model_ref (model);
  d->square = g_try_malloc_n ((gsize) 3 * s * s, sizeof (float));
  d->runner = ddamfn_runner_new (model->plan, 1, error);
  if (d->runner == NULL || d->square == NULL || !reserve (d, 1, error)) {
    if (d->square == NULL)
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_NO_MEMORY,
          "out of memory for the detector input");
    ddamfn_detector_free (d);
    return NULL;
  }
  return d;
}

void
ddamfn_detector_free (DdamfnDetector * d)
{
  if (d == NULL)
    return;
  ddamfn_runner_free (d->runner);
  ddamfn_detector_model_unref (d->model);
  g_free (d->input);
  g_free (d->results);
  g_free (d->square);
  g_free (d->cands);
  g_free (d);
}

/* Copies the S × S image SQUARE into the interior of input I. */
static void
frame_input (DdamfnDetector * d, const float *square, int i)
{
  const BlazefaceNetInfo *info = &d->model->info;
  const int s = info->size;
  float *in = d->input + (gsize) i * input_floats (d->model);

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < s; y++)
      memcpy (in + ((gsize) c * info->in_h + y + info->pad_top) * info->in_w
          + info->pad_left, square + ((gsize) c * s + y) * s,
          sizeof (float) * s);
}

gboolean
ddamfn_detector_letterbox (DdamfnDetector * d, const DdamfnImage * image,
    float *out, GError ** error)
{
  BlazefaceRegion r;

  g_return_val_if_fail (d != NULL && out != NULL, FALSE);
  if (!ddamfn_image_validate (image, error))
    return FALSE;
  blazeface_region_letterbox (image->width, image->height, &r);
  blazeface_sample_region (image, &r, d->model->info.size, out);
  return TRUE;
}

void
ddamfn_detector_run_tensor (DdamfnDetector * d, const float *input,
    float *scores, float *regressors)
{
  const int na = d->model->info.n_anchors;

  g_return_if_fail (d != NULL && input != NULL);
  frame_input (d, input, 0);
  /* the buffers of one region exist since ddamfn_detector_new */
  if (!ddamfn_runner_run (d->runner, d->input, 1, d->results, NULL))
    g_return_if_reached ();
  if (scores)
    memcpy (scores, d->results, sizeof (float) * na);
  if (regressors)
    memcpy (regressors, d->results + na,
        sizeof (float) * na * BLAZEFACE_N_REGRESSORS);
}

static gboolean
check_options (const DdamfnDetectorOptions * o, GError ** error)
{
  const char *bad = NULL;

  if (!(o->min_score >= 0.f && o->min_score <= 1.f))
    bad = "min_score must be in 0 … 1";
  else if (!(o->nms_iou >= 0.f && o->nms_iou <= 1.f))
    bad = "nms_iou must be in 0 … 1";
  else if (o->max_faces < 1)
    bad = "max_faces must be ≥ 1";
  else if (!(o->min_face_size >= 0.f && isfinite (o->min_face_size)))
    bad = "min_face_size must be finite and ≥ 0";
  else if (o->tiles < 1 || o->tiles > DDAMFN_DETECTOR_MAX_TILES)
    bad = "tiles must be in 1 … " G_STRINGIFY (DDAMFN_DETECTOR_MAX_TILES);
  if (bad)
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "detector options: %s", bad);
  return bad == NULL;
}

int
ddamfn_detector_detect (DdamfnDetector * d, const DdamfnImage * image,
    const DdamfnDetectorOptions * options, DdamfnFace * faces, int max_out,
    GError ** error)
{
  const DdamfnDetectorModel *m;
  DdamfnDetectorOptions defaults;
  BlazefaceRegion regions[MAX_REGIONS];
  int n_regions = 1, n_cands = 0, n_kept, n_out = 0;

  g_return_val_if_fail (d != NULL, -1);
  m = d->model;
  if (options == NULL) {
    ddamfn_detector_options_init (&defaults, m);
    options = &defaults;
  }
  if (!ddamfn_image_validate (image, error) || !check_options (options, error))
    return -1;
  if (max_out < 0 || (max_out > 0 && faces == NULL)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "faces must hold max_out (%d ≥ 0) entries", max_out);
    return -1;
  }
  blazeface_region_letterbox (image->width, image->height, &regions[0]);
  if (options->tiles > 1)
    n_regions += blazeface_regions_tiled (image->width, image->height,
        options->tiles, regions + 1);
  if (!reserve (d, n_regions, error))
    return -1;
  for (int i = 0; i < n_regions; i++) {
    blazeface_sample_region (image, &regions[i], m->info.size, d->square);
    frame_input (d, d->square, i);
  }
  if (!ddamfn_runner_run (d->runner, d->input, n_regions, d->results, error))
    return -1;

  for (int i = 0; i < n_regions; i++) {
    const float *rec = d->results + (gsize) i * BLAZEFACE_RESULT_FLOATS (&m->info);

    n_cands += blazeface_decode (rec, rec + m->info.n_anchors, m->anchors,
        m->info.n_anchors, m->info.size, &regions[i], options->min_score,
        d->cands + n_cands, d->capacity * m->info.n_anchors - n_cands);
  }
  n_kept = blazeface_weighted_nms (d->cands, n_cands, options->nms_iou);
  for (int i = 0; i < n_kept && n_out < MIN (max_out, options->max_faces);
      i++) {
    const BlazefaceCandidate *c = &d->cands[i];
    DdamfnFace *f = &faces[n_out];

    if (c->xmax - c->xmin < options->min_face_size
        || c->ymax - c->ymin < options->min_face_size)
      continue;
    f->box.x = c->xmin;
    f->box.y = c->ymin;
    f->box.w = c->xmax - c->xmin;
    f->box.h = c->ymax - c->ymin;
    f->score = c->score;
    memcpy (f->keypoints, c->keypoints, sizeof f->keypoints);
    n_out++;
  }
  return n_out;
}
