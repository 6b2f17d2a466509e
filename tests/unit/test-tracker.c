/* Unit tests of the IoU tracker (ddamfn-tracker.h): matching, identities,
 * expiry, the inference interval and the smoothing arithmetic.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ddamfn/ddamfn-tracker.h>

#include <math.h>

static DdamfnBox
box (float x, float y, float w, float h)
{
  DdamfnBox b = { x, y, w, h };
  return b;
}

static void
test_iou_values (void)
{
  DdamfnBox a = box (0, 0, 10, 10);
  DdamfnBox b = box (5, 0, 10, 10);
  DdamfnBox c = box (20, 20, 5, 5);
  DdamfnBox empty = box (0, 0, 0, 10);

  g_assert_cmpfloat_with_epsilon (ddamfn_box_iou (&a, &a), 1.0, 1e-6);
  /* overlap 50, union 150 */
  g_assert_cmpfloat_with_epsilon (ddamfn_box_iou (&a, &b), 1.0 / 3, 1e-6);
  g_assert_cmpfloat (ddamfn_box_iou (&a, &c), ==, 0.0);
  g_assert_cmpfloat (ddamfn_box_iou (&a, &empty), ==, 0.0);
}

static void
test_ids_start_at_one_and_follow_boxes (void)
{
  DdamfnTracker *t = ddamfn_tracker_new (NULL, 0.3f, 5);
  DdamfnBox f1[] = { box (0, 0, 100, 100), box (200, 0, 100, 100) };
  /* both moved a little, given in the other order */
  DdamfnBox f2[] = { box (210, 5, 100, 100), box (8, 0, 100, 100) };
  guint ids[2];

  ddamfn_tracker_update (t, f1, 2, ids);
  g_assert_cmpuint (ids[0], ==, 1);
  g_assert_cmpuint (ids[1], ==, 2);
  ddamfn_tracker_update (t, f2, 2, ids);
  g_assert_cmpuint (ids[0], ==, 2);
  g_assert_cmpuint (ids[1], ==, 1);
  g_assert_cmpint (ddamfn_tracker_get_n_tracks (t), ==, 2);
  ddamfn_tracker_free (t);
}

static void
test_low_iou_starts_new_track (void)
{
  DdamfnTracker *t = ddamfn_tracker_new (NULL, 0.3f, 5);
  DdamfnBox a = box (0, 0, 10, 10);
  DdamfnBox b = box (6, 0, 10, 10);     /* IoU 4/16 = 0.25 */
  DdamfnBox c = box (4, 0, 10, 10);     /* IoU with b: 8/12 */
  guint id;

  ddamfn_tracker_update (t, &a, 1, &id);
  g_assert_cmpuint (id, ==, 1);
  ddamfn_tracker_update (t, &b, 1, &id);
  g_assert_cmpuint (id, ==, 2);
  ddamfn_tracker_update (t, &c, 1, &id);
  /* c overlaps b (0.67) more than a (IoU 6/14 = 0.43): continues b */
  g_assert_cmpuint (id, ==, 2);
  ddamfn_tracker_free (t);
}

static void
test_greedy_prefers_highest_iou (void)
{
  DdamfnTracker *t = ddamfn_tracker_new (NULL, 0.3f, 5);
  DdamfnBox tracks[] = { box (0, 0, 10, 10), box (4, 0, 10, 10) };
  DdamfnBox next[] = { box (3, 0, 10, 10), box (4, 0, 10, 10) };
  guint ids[2];

  ddamfn_tracker_update (t, tracks, 2, ids);
  /* next[0] likes track 2 best (IoU 0.82 against 0.54), but next[1] equals
   * track 2 (IoU 1) and is matched first; next[0] takes track 1. Matching
   * box by box in order would have given next[0] track 2. */
  ddamfn_tracker_update (t, next, 2, ids);
  g_assert_cmpuint (ids[0], ==, 1);
  g_assert_cmpuint (ids[1], ==, 2);
  ddamfn_tracker_free (t);
}

static void
test_tracks_expire_after_max_missed (void)
{
  DdamfnTracker *t = ddamfn_tracker_new (NULL, 0.3f, 2);
  DdamfnBox a = box (0, 0, 10, 10);
  guint id;

  ddamfn_tracker_update (t, &a, 1, &id);
  ddamfn_tracker_update (t, NULL, 0, NULL);
  ddamfn_tracker_update (t, NULL, 0, NULL);
  g_assert_cmpint (ddamfn_tracker_get_n_tracks (t), ==, 1);
  ddamfn_tracker_update (t, &a, 1, &id);
  g_assert_cmpuint (id, ==, 1);         /* missed 2 frames: still alive */

  for (int i = 0; i < 3; i++)
    ddamfn_tracker_update (t, NULL, 0, NULL);
  g_assert_cmpint (ddamfn_tracker_get_n_tracks (t), ==, 0);
  ddamfn_tracker_update (t, &a, 1, &id);
  g_assert_cmpuint (id, ==, 2);         /* ids are not reused */

  ddamfn_tracker_reset (t);
  g_assert_cmpint (ddamfn_tracker_get_n_tracks (t), ==, 0);
  ddamfn_tracker_update (t, &a, 1, &id);
  g_assert_cmpuint (id, ==, 1);
  ddamfn_tracker_free (t);
}

static DdamfnResult
result (float v, float p0, float au0)
{
  DdamfnResult r = { 0 };

  r.has_va = TRUE;
  r.valence = v;
  r.arousal = -v;
  r.n_expr = 2;
  r.expr_probs[0] = p0;
  r.expr_probs[1] = 1 - p0;
  r.expr_index = p0 >= 0.5f ? 0 : 1;
  r.n_au = DDAMFN_N_AU;
  r.au_probs[0] = au0;
  r.au_active = au0 >= 0.5f ? 1 : 0;
  return r;
}

static void
test_inference_interval (void)
{
  DdamfnTracker *t = ddamfn_tracker_new (NULL, 0.3f, 5);
  DdamfnBox a = box (0, 0, 10, 10);
  DdamfnResult r = result (0.5f, 0.9f, 0.1f), got;
  guint id;
  const gboolean expected[] = { TRUE, FALSE, FALSE, TRUE, FALSE, FALSE, TRUE };

  g_assert_true (ddamfn_tracker_needs_inference (t, 42, 3));
  for (guint k = 0; k < G_N_ELEMENTS (expected); k++) {
    ddamfn_tracker_update (t, &a, 1, &id);
    g_assert_cmpint (ddamfn_tracker_needs_inference (t, id, 3), ==,
        expected[k]);
    if (expected[k])
      ddamfn_tracker_set_result (t, id, &r, 0.0f);
    g_assert_true (ddamfn_tracker_get_result (t, id, &got, NULL));
  }
  /* interval 1 (and 0) means every frame */
  ddamfn_tracker_update (t, &a, 1, &id);
  ddamfn_tracker_set_result (t, id, &r, 0.0f);
  ddamfn_tracker_update (t, &a, 1, &id);
  g_assert_true (ddamfn_tracker_needs_inference (t, id, 1));
  g_assert_true (ddamfn_tracker_needs_inference (t, id, 0));
  ddamfn_tracker_free (t);
}

static void
test_smoothing_arithmetic (void)
{
  DdamfnTracker *t = ddamfn_tracker_new (NULL, 0.3f, 5);
  DdamfnBox a = box (0, 0, 10, 10);
  DdamfnResult r1 = result (1.0f, 0.9f, 0.9f);
  DdamfnResult r2 = result (-1.0f, 0.1f, 0.1f);
  DdamfnResult s, last;
  guint id;

  ddamfn_tracker_update (t, &a, 1, &id);
  g_assert_false (ddamfn_tracker_get_result (t, id, &s, NULL));
  ddamfn_tracker_set_result (t, id, &r1, 0.75f);
  g_assert_true (ddamfn_tracker_get_result (t, id, &s, &last));
  /* the first result is taken as it is */
  g_assert_cmpfloat (s.valence, ==, 1.0f);

  ddamfn_tracker_update (t, &a, 1, &id);
  ddamfn_tracker_set_result (t, id, &r2, 0.75f);
  g_assert_true (ddamfn_tracker_get_result (t, id, &s, &last));
  g_assert_cmpfloat_with_epsilon (s.valence, 0.75 * 1 + 0.25 * -1, 1e-6);
  g_assert_cmpfloat_with_epsilon (s.arousal, -0.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (s.expr_probs[0], 0.75 * 0.9 + 0.25 * 0.1,
      1e-6);
  g_assert_cmpfloat_with_epsilon (s.au_probs[0], 0.7, 1e-6);
  /* decisions follow the smoothed values, not the last result */
  g_assert_cmpint (s.expr_index, ==, 0);
  g_assert_cmpuint (s.au_active & 1, ==, 1);
  g_assert_cmpfloat (last.valence, ==, -1.0f);
  g_assert_cmpint (last.expr_index, ==, 1);

  /* smoothing 0: the new result as it is */
  ddamfn_tracker_update (t, &a, 1, &id);
  ddamfn_tracker_set_result (t, id, &r2, 0.0f);
  g_assert_true (ddamfn_tracker_get_result (t, id, &s, NULL));
  g_assert_cmpmem (&s, sizeof (s), &r2, sizeof (r2));

  /* out-of-range factors are clamped; NaN means none */
  ddamfn_tracker_update (t, &a, 1, &id);
  ddamfn_tracker_set_result (t, id, &r1, 7.0f);
  g_assert_true (ddamfn_tracker_get_result (t, id, &s, NULL));
  g_assert_cmpfloat (s.valence, ==, -1.0f);
  ddamfn_tracker_set_result (t, id, &r1, NAN);
  g_assert_true (ddamfn_tracker_get_result (t, id, &s, NULL));
  g_assert_cmpfloat (s.valence, ==, 1.0f);
  ddamfn_tracker_free (t);
}

static void
test_many_boxes (void)
{
  DdamfnTracker *t = ddamfn_tracker_new (NULL, 0.3f, 5);
  enum { N = 300 };
  DdamfnBox boxes[N];
  guint ids[N], ids2[N];

  for (int i = 0; i < N; i++)
    boxes[i] = box ((i % 20) * 50.0f, (i / 20) * 50.0f, 40, 40);
  ddamfn_tracker_update (t, boxes, N, ids);
  for (int i = 0; i < N; i++)
    boxes[i].x += 3;
  ddamfn_tracker_update (t, boxes, N, ids2);
  for (int i = 0; i < N; i++) {
    g_assert_cmpuint (ids[i], ==, (guint) i + 1);
    g_assert_cmpuint (ids2[i], ==, ids[i]);
  }
  ddamfn_tracker_free (t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tracker/iou", test_iou_values);
  g_test_add_func ("/tracker/ids-follow-boxes",
      test_ids_start_at_one_and_follow_boxes);
  g_test_add_func ("/tracker/low-iou-new-track", test_low_iou_starts_new_track);
  g_test_add_func ("/tracker/greedy-highest-iou",
      test_greedy_prefers_highest_iou);
  g_test_add_func ("/tracker/expiry", test_tracks_expire_after_max_missed);
  g_test_add_func ("/tracker/inference-interval", test_inference_interval);
  g_test_add_func ("/tracker/smoothing", test_smoothing_arithmetic);
  g_test_add_func ("/tracker/many-boxes", test_many_boxes);
  return g_test_run ();
}
