/* libddamfn — a small IoU face tracker that remembers results per face.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Streams run the network on the same faces frame after frame. The tracker
 * gives each face an identity across frames (greedy matching of boxes by
 * intersection over union) and keeps, per identity, the last result, how
 * many frames ago the network last saw the face, and an exponentially
 * smoothed result. Plain C and GLib; no GStreamer.
 */
#ifndef DDAMFN_TRACKER_H
#define DDAMFN_TRACKER_H

#include <ddamfn/ddamfn.h>

G_BEGIN_DECLS

/**
 * DDAMFN_TRACKER_DEFAULT_IOU:
 *
 * Default smallest intersection over union for a box to continue a track.
 */
#define DDAMFN_TRACKER_DEFAULT_IOU 0.3f

/**
 * DDAMFN_TRACKER_DEFAULT_MAX_MISSED:
 *
 * Default number of consecutive frames a track may go unseen before it is
 * dropped.
 */
#define DDAMFN_TRACKER_DEFAULT_MAX_MISSED 5

/**
 * DdamfnTracker:
 *
 * Tracks of one video stream. Not thread-safe: use it from one thread at a
 * time (the streaming thread).
 */
typedef struct _DdamfnTracker DdamfnTracker;

/**
 * ddamfn_tracker_new:
 * @model: (nullable): the model whose AU thresholds decide which smoothed
 *   action units are active; %NULL uses 0.5 for every AU.
 * @iou_threshold: smallest IoU (0 < t ≤ 1) for a box to continue a track;
 *   values out of range are clamped.
 * @max_missed: a track is dropped after this many consecutive frames
 *   without a matching box (≥ 0).
 *
 * The thresholds are copied; @model is not referenced.
 *
 * Returns: (transfer full): a new, empty tracker. Free with
 *   ddamfn_tracker_free().
 */
DDAMFN_API DdamfnTracker *ddamfn_tracker_new (const DdamfnModel *model,
    float iou_threshold, int max_missed);

/**
 * ddamfn_tracker_free:
 * @tracker: (nullable) (transfer full): a #DdamfnTracker.
 */
DDAMFN_API void ddamfn_tracker_free (DdamfnTracker *tracker);

/**
 * ddamfn_tracker_reset:
 * @tracker: a #DdamfnTracker.
 *
 * Forgets every track; the next track id is 1 again (after a seek or a
 * flush the old faces are not related to the new ones).
 */
DDAMFN_API void ddamfn_tracker_reset (DdamfnTracker *tracker);

/**
 * ddamfn_tracker_update:
 * @tracker: a #DdamfnTracker.
 * @boxes: (array length=n_boxes): the face boxes of the next frame.
 * @n_boxes: number of boxes, ≥ 0.
 * @track_ids: (out caller-allocates) (array length=n_boxes): the track of
 *   each box.
 *
 * Advances the tracker by one frame. Box/track pairs are matched greedily,
 * highest IoU first, among pairs with IoU ≥ the threshold; every unmatched
 * box starts a new track (ids increase from 1 and are never reused until
 * a reset). Matched tracks take the new box and count one more frame since
 * their last inference; tracks left unmatched for more than max_missed
 * frames are dropped.
 */
DDAMFN_API void ddamfn_tracker_update (DdamfnTracker *tracker,
    const DdamfnBox *boxes, int n_boxes, guint *track_ids);

/**
 * ddamfn_tracker_needs_inference:
 * @tracker: a #DdamfnTracker.
 * @track_id: a track id returned by the last ddamfn_tracker_update().
 * @interval: run the network every @interval frames per track (≤ 1 means
 *   every frame).
 *
 * Returns: %TRUE when the track has no result yet, or when @interval or
 *   more frames have passed since its last result; also %TRUE for an
 *   unknown id.
 */
DDAMFN_API gboolean ddamfn_tracker_needs_inference (const DdamfnTracker *tracker,
    guint track_id, int interval);

/**
 * ddamfn_tracker_set_result:
 * @tracker: a #DdamfnTracker.
 * @track_id: a track id returned by the last ddamfn_tracker_update().
 * @result: what the network said about the face on this frame.
 * @smoothing: α in [0, 1] (clamped): the smoothed result becomes
 *   α·previous + (1 − α)·@result for valence, arousal, expression and AU
 *   probabilities; 0 disables smoothing. The first result of a track is
 *   taken as it is. The expression index and the active AUs are recomputed
 *   from the smoothed probabilities.
 *
 * Stores @result as the track's last result and restarts its frame count.
 * Unknown ids are ignored.
 */
DDAMFN_API void ddamfn_tracker_set_result (DdamfnTracker *tracker, guint track_id,
    const DdamfnResult *result, float smoothing);

/**
 * ddamfn_tracker_get_result:
 * @tracker: a #DdamfnTracker.
 * @track_id: a track id.
 * @smoothed: (out caller-allocates): the smoothed result of the track.
 * @last: (out caller-allocates) (optional): the last unsmoothed result.
 *
 * Returns: %TRUE when the track exists and has a result; %FALSE otherwise
 *   (outputs untouched).
 */
DDAMFN_API gboolean ddamfn_tracker_get_result (const DdamfnTracker *tracker,
    guint track_id, DdamfnResult *smoothed, DdamfnResult *last);

/**
 * ddamfn_tracker_get_n_tracks:
 * @tracker: a #DdamfnTracker.
 *
 * Returns: the number of live tracks (seen within the last max_missed
 *   frames).
 */
DDAMFN_API int ddamfn_tracker_get_n_tracks (const DdamfnTracker *tracker);

/**
 * ddamfn_box_iou:
 * @a: a box.
 * @b: another box.
 *
 * Returns: the intersection over union of @a and @b, in [0, 1]; 0 when
 *   either is empty.
 */
DDAMFN_API float ddamfn_box_iou (const DdamfnBox *a, const DdamfnBox *b);

G_END_DECLS

#endif /* DDAMFN_TRACKER_H */
