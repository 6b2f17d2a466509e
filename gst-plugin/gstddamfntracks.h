/* The faces of a stream as tracks with results and result ages, for
 * ddamfnfilter.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_TRACKS_H__
#define __GST_DDAMFN_TRACKS_H__

#include <glib.h>
#include <ddamfn/ddamfn.h>
#include <gst/ddamfn/gstddamfnmeta.h>

#include "gstddamfnroi.h"
#include "gstddamfnworker.h"

G_BEGIN_DECLS

/* One face of the frame being analysed. */
typedef struct
{
  GstDdamfnCandidate roi;       /* the ROI and its box clipped to the frame */
  guint track_id;
} GstDdamfnTrackedFace;

/* The tracker (identity across frames, last and smoothed results) plus,
 * per track, the frame its result was computed on, so that every face can
 * say how old its result is. A frame counter and a generation number
 * (bumped by each reset) tag the jobs, so results that come back after a
 * reset are recognised and dropped. Used by the streaming thread only. */
typedef struct _GstDdamfnTracks GstDdamfnTracks;

/* Tracks for MODEL's results (its labels and AU thresholds). */
GstDdamfnTracks *gst_ddamfn_tracks_new (DdamfnModel * model);
void gst_ddamfn_tracks_free (GstDdamfnTracks * tracks);

/* Forgets every track (a flush, a new frame size). */
void gst_ddamfn_tracks_reset (GstDdamfnTracks * tracks);

/* Matches the N FACES of the next frame to tracks, setting their
 * track_id. */
void gst_ddamfn_tracks_update (GstDdamfnTracks * tracks,
    GstDdamfnTrackedFace * faces, guint n);

/* How faces are cropped for the network: as the model's card says, with
 * the box enlargement (0: the card's). */
typedef struct
{
  const DdamfnModel *model;
  float crop_scale;
} GstDdamfnCrop;

/* Fills JOB (tagged with the current frame and generation) with those of
 * the N FACES of IMAGE whose track needs inference (INTERVAL), each
 * aligned on its ROI's landmarks when the model's card aligns and the ROI
 * has usable ones, else cropped from its box enlarged by CROP's scale; faces that cannot be cropped are
 * left out (logged on LOG). JOB must have room for N faces.
 *
 * BUDGET 0 takes every such face. Otherwise (live mode) at most BUDGET
 * faces are taken, those of tracks without a result first, then the
 * oldest results, skipping tracks already waiting in an earlier job: the
 * worker gets jobs it finishes in about a frame, and every track its turn.
 * The tracks taken count as waiting until the job comes back
 * (gst_ddamfn_tracks_apply ()) or is cancelled. */
void gst_ddamfn_tracks_fill_job (GstDdamfnTracks * tracks, GstDdamfnJob * job,
    GstObject * log, const DdamfnImage * image, const GstDdamfnCrop * crop,
    const GstDdamfnTrackedFace * faces, guint n, guint interval,
    guint budget);

/* A job that will not come back (replaced in the worker's queue): its
 * tracks no longer wait for it. */
void gst_ddamfn_tracks_cancel (GstDdamfnTracks * tracks,
    const GstDdamfnJob * job);

/* Gives the tracks of a finished JOB their results (smoothed with
 * SMOOTHING), unless the tracks were reset since it was tagged. */
void gst_ddamfn_tracks_apply (GstDdamfnTracks * tracks,
    const GstDdamfnJob * job, gfloat smoothing);

/* Live mode: applies every job WORKER finished (gst_ddamfn_tracks_apply ());
 * FALSE with ERROR set when the network failed on one. */
gboolean gst_ddamfn_tracks_collect (GstDdamfnTracks * tracks,
    GstDdamfnWorker * worker, gfloat smoothing, GError ** error);

/* Live mode: hands JOB (taken) to WORKER; a waiting job it replaces is
 * cancelled (gst_ddamfn_tracks_cancel ()). */
void gst_ddamfn_tracks_submit (GstDdamfnTracks * tracks,
    GstDdamfnWorker * worker, GstDdamfnJob * job);

/* The published face for F: box, track and the track's current result
 * with its age; FALSE when the track has no result yet (FACE then has
 * result_age -1 and no result fields). */
gboolean gst_ddamfn_tracks_get_face (GstDdamfnTracks * tracks,
    const GstDdamfnTrackedFace * f, GstDdamfnFace * face);

/* Ends the frame: tracks long unseen are forgotten, the frame counter
 * advances. */
void gst_ddamfn_tracks_end_frame (GstDdamfnTracks * tracks);

G_END_DECLS

#endif /* __GST_DDAMFN_TRACKS_H__ */
