/* A small IoU tracker that keeps the last and the smoothed result of each
 * face, so a stream can run the network every N frames per face and damp
 * frame-to-frame jitter.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn/ddamfn-tracker.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  guint id;
  DdamfnBox box;
  int missed;                   /* consecutive frames without a match */
  int frames_since_result;      /* frames since the last set_result */
  gboolean matched;             /* during update only */
  gboolean has_result;
  DdamfnResult last;
  DdamfnResult smoothed;
} Track;

typedef struct
{
  float iou;
  int box;
  int track;
} Pair;

struct _DdamfnTracker
{
  float iou_threshold;
  int max_missed;
  float au_thresholds[DDAMFN_N_AU];
  guint next_id;
  GArray *tracks;               /* Track */
  GArray *pairs;                /* Pair, scratch of update */
  GArray *box_taken;            /* gboolean, scratch of update */
};

DdamfnTracker *
ddamfn_tracker_new (const DdamfnModel * model, float iou_threshold,
    int max_missed)
{
  DdamfnTracker *t = g_new0 (DdamfnTracker, 1);

  if (!(iou_threshold > 1e-6f))
    iou_threshold = 1e-6f;
  if (iou_threshold > 1.0f)
    iou_threshold = 1.0f;
  t->iou_threshold = iou_threshold;
  t->max_missed = MAX (max_missed, 0);
  for (int k = 0; k < DDAMFN_N_AU; k++) {
    float thr = 0.5f;
    if (model != NULL && k < ddamfn_model_get_n_aus (model))
      thr = ddamfn_model_get_au_threshold (model, k);
    t->au_thresholds[k] = thr;
  }
  t->next_id = 1;
  t->tracks = g_array_new (FALSE, FALSE, sizeof (Track));
  t->pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  t->box_taken = g_array_new (FALSE, FALSE, sizeof (gboolean));
  return t;
}

void
ddamfn_tracker_free (DdamfnTracker * tracker)
{
  if (tracker == NULL)
    return;
  g_array_unref (tracker->tracks);
  g_array_unref (tracker->pairs);
  g_array_unref (tracker->box_taken);
  g_free (tracker);
}

void
ddamfn_tracker_reset (DdamfnTracker * tracker)
{
  g_return_if_fail (tracker != NULL);

  g_array_set_size (tracker->tracks, 0);
  tracker->next_id = 1;
}

float
ddamfn_box_iou (const DdamfnBox * a, const DdamfnBox * b)
{
  double ix0, iy0, ix1, iy1, inter, uni;

  if (!(a->w > 0 && a->h > 0 && b->w > 0 && b->h > 0))
    return 0.0f;
  ix0 = MAX (a->x, b->x);
  iy0 = MAX (a->y, b->y);
  ix1 = MIN ((double) a->x + a->w, (double) b->x + b->w);
  iy1 = MIN ((double) a->y + a->h, (double) b->y + b->h);
  if (!(ix1 > ix0 && iy1 > iy0))
    return 0.0f;
  inter = (ix1 - ix0) * (iy1 - iy0);
  uni = (double) a->w * a->h + (double) b->w * b->h - inter;
  if (!(uni > 0))
    return 0.0f;
  return (float) (inter / uni);
}

/* Highest IoU first; ties broken by box then track order so the matching
 * does not depend on the sort implementation. */
static int
compare_pairs (const void *pa, const void *pb)
{
  const Pair *a = pa, *b = pb;

  if (a->iou != b->iou)
    return a->iou > b->iou ? -1 : 1;
  if (a->box != b->box)
    return a->box < b->box ? -1 : 1;
  return (a->track > b->track) - (a->track < b->track);
}

static Track *
find_track (const DdamfnTracker * tracker, guint id)
{
  for (guint i = 0; i < tracker->tracks->len; i++) {
    Track *tr = &g_array_index (tracker->tracks, Track, i);
    if (tr->id == id)
      return tr;
  }
  return NULL;
}

void
ddamfn_tracker_update (DdamfnTracker * tracker, const DdamfnBox * boxes,
    int n_boxes, guint * track_ids)
{
  GArray *tracks;
  int n_old;

  g_return_if_fail (tracker != NULL);
  g_return_if_fail (n_boxes >= 0);
  g_return_if_fail (n_boxes == 0 || (boxes != NULL && track_ids != NULL));

  tracks = tracker->tracks;
  n_old = tracks->len;

  g_array_set_size (tracker->pairs, 0);
  for (int b = 0; b < n_boxes; b++) {
    for (int t = 0; t < n_old; t++) {
      Pair p;
      p.iou = ddamfn_box_iou (&boxes[b], &g_array_index (tracks, Track,
              t).box);
      if (p.iou >= tracker->iou_threshold) {
        p.box = b;
        p.track = t;
        g_array_append_val (tracker->pairs, p);
      }
    }
  }
  if (tracker->pairs->len > 1)
    qsort (tracker->pairs->data, tracker->pairs->len, sizeof (Pair),
        compare_pairs);

  g_array_set_size (tracker->box_taken, n_boxes);
  if (n_boxes > 0)
    memset (tracker->box_taken->data, 0, n_boxes * sizeof (gboolean));
  for (int t = 0; t < n_old; t++)
    g_array_index (tracks, Track, t).matched = FALSE;

  for (guint i = 0; i < tracker->pairs->len; i++) {
    const Pair *p = &g_array_index (tracker->pairs, Pair, i);
    gboolean *taken = &g_array_index (tracker->box_taken, gboolean, p->box);
    Track *tr = &g_array_index (tracks, Track, p->track);

    if (*taken || tr->matched)
      continue;
    *taken = TRUE;
    tr->matched = TRUE;
    tr->box = boxes[p->box];
    tr->missed = 0;
    tr->frames_since_result++;
    track_ids[p->box] = tr->id;
  }

  /* Age the tracks nobody continued; drop the stale ones. Removing with
   * remove_index keeps the order, so ties keep matching the older track. */
  for (int t = n_old - 1; t >= 0; t--) {
    Track *tr = &g_array_index (tracks, Track, t);
    if (tr->matched)
      continue;
    tr->missed++;
    tr->frames_since_result++;
    if (tr->missed > tracker->max_missed)
      g_array_remove_index (tracks, t);
  }

  for (int b = 0; b < n_boxes; b++) {
    Track tr;

    if (g_array_index (tracker->box_taken, gboolean, b))
      continue;
    memset (&tr, 0, sizeof (tr));
    tr.id = tracker->next_id++;
    if (tracker->next_id == 0)  /* wrapped after 4 billion faces */
      tracker->next_id = 1;
    tr.box = boxes[b];
    g_array_append_val (tracks, tr);
    track_ids[b] = tr.id;
  }
}

gboolean
ddamfn_tracker_needs_inference (const DdamfnTracker * tracker,
    guint track_id, int interval)
{
  const Track *tr;

  g_return_val_if_fail (tracker != NULL, TRUE);

  tr = find_track (tracker, track_id);
  if (tr == NULL || !tr->has_result)
    return TRUE;
  return tr->frames_since_result >= MAX (interval, 1);
}

static void
recompute_decisions (const DdamfnTracker * tracker, DdamfnResult * r)
{
  r->expr_index = -1;
  for (int k = 0; k < r->n_expr; k++)
    if (r->expr_index < 0 || r->expr_probs[k] > r->expr_probs[r->expr_index])
      r->expr_index = k;
  r->au_active = 0;
  for (int k = 0; k < r->n_au; k++)
    if (r->au_probs[k] >= tracker->au_thresholds[k])
      r->au_active |= 1u << k;
}

void
ddamfn_tracker_set_result (DdamfnTracker * tracker, guint track_id,
    const DdamfnResult * result, float smoothing)
{
  Track *tr;
  DdamfnResult *s;
  float a, b;

  g_return_if_fail (tracker != NULL);
  g_return_if_fail (result != NULL);

  tr = find_track (tracker, track_id);
  if (tr == NULL)
    return;

  a = isfinite (smoothing) ? CLAMP (smoothing, 0.0f, 1.0f) : 0.0f;
  b = 1.0f - a;
  s = &tr->smoothed;

  if (!tr->has_result || a == 0.0f || s->n_expr != result->n_expr
      || s->n_au != result->n_au || s->has_va != result->has_va) {
    *s = *result;
  } else {
    s->valence = a * s->valence + b * result->valence;
    s->arousal = a * s->arousal + b * result->arousal;
    for (int k = 0; k < s->n_expr; k++)
      s->expr_probs[k] = a * s->expr_probs[k] + b * result->expr_probs[k];
    for (int k = 0; k < s->n_au; k++)
      s->au_probs[k] = a * s->au_probs[k] + b * result->au_probs[k];
    recompute_decisions (tracker, s);
  }

  tr->last = *result;
  tr->has_result = TRUE;
  tr->frames_since_result = 0;
}

gboolean
ddamfn_tracker_get_result (const DdamfnTracker * tracker, guint track_id,
    DdamfnResult * smoothed, DdamfnResult * last)
{
  const Track *tr;

  g_return_val_if_fail (tracker != NULL, FALSE);
  g_return_val_if_fail (smoothed != NULL, FALSE);

  tr = find_track (tracker, track_id);
  if (tr == NULL || !tr->has_result)
    return FALSE;
  *smoothed = tr->smoothed;
  if (last != NULL)
    *last = tr->last;
  return TRUE;
}

int
ddamfn_tracker_get_n_tracks (const DdamfnTracker * tracker)
{
  g_return_val_if_fail (tracker != NULL, 0);

  return tracker->tracks->len;
}
