/* Element tests of ddamfnfilter: synthetic frames with injected ROIs in
 * every supported format, compared with the engine run directly on the
 * same crops; hostile ROIs; tracking, inference interval and smoothing;
 * state changes, flushes, renegotiation and EOS; model errors; the
 * behaviour of GstDdamfnMeta under copies and scaling.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Environment: DDAMFN_TEST_MODEL (multitask model: VA, 8 expressions, AUs)
 * and DDAMFN_TEST_MODEL_SINGLE (7-class single-task model), written by
 * make-test-model.py with weights whose outputs depend on the face;
 * GST_PLUGIN_PATH must reach the built plugin. Exits 77 (skipped) without
 * the models.
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include <gst/ddamfn/gstddamfnmeta.h>
#include <ddamfn/ddamfn.h>

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define TOL 1e-4

static const gchar *model_path;
static const gchar *single_model_path;
static DdamfnModel *ref_model;
static DdamfnSession *ref_session;
static float ref_mean[3], ref_std[3];

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

static GstElement *
make_filter (void)
{
  GstElement *e = gst_element_factory_make ("ddamfnfilter", NULL);

  fail_unless (e != NULL, "ddamfnfilter not found; is GST_PLUGIN_PATH set?");
  g_object_set (e, "model", model_path, NULL);
  return e;
}

/* A harness around ELEMENT (already configured), negotiated to INFO. */
static GstHarness *
make_harness (GstElement * element, const GstVideoInfo * info)
{
  GstHarness *h = gst_harness_new_with_element (element, "sink", "src");

  gst_harness_set_src_caps (h, gst_video_info_to_caps (info));
  gst_object_unref (element);
  return h;
}

static void
info_init (GstVideoInfo * info, GstVideoFormat format, gint w, gint h,
    const gchar * colorimetry)
{
  gst_video_info_init (info);
  fail_unless (gst_video_info_set_format (info, format, w, h));
  GST_VIDEO_INFO_FPS_N (info) = 25;
  GST_VIDEO_INFO_FPS_D (info) = 1;
  if (colorimetry)
    fail_unless (gst_video_colorimetry_from_string (&info->colorimetry,
            colorimetry));
}

/* A frame of pseudo-random bytes; SEED changes every pixel. */
static GstBuffer *
make_frame (const GstVideoInfo * info, guint seed)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info),
      NULL);
  GstMapInfo map;
  guint32 state = 0x9e3779b9u * (seed + 1);

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (gsize i = 0; i < map.size; i++) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    /* half structure, half noise, so crops of one frame differ */
    map.data[i] = (guint8) (((i * 7) & 0x7f) + (state >> 25));
  }
  gst_buffer_unmap (buf, &map);
  gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_INFO_FORMAT (info), GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info), GST_VIDEO_INFO_N_PLANES (info),
      (gsize *) info->offset, (gint *) info->stride);
  return buf;
}

static GstVideoRegionOfInterestMeta *
add_roi (GstBuffer * buf, const gchar * type, gint id, gint x, gint y,
    guint w, guint h)
{
  GstVideoRegionOfInterestMeta *roi =
      gst_buffer_add_video_region_of_interest_meta (buf, type, (guint) x,
      (guint) y, w, h);
  roi->id = id;
  return roi;
}

static GBytes *
buffer_bytes (GstBuffer * buf)
{
  GstMapInfo map;
  GBytes *bytes;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  bytes = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buf, &map);
  return bytes;
}

static void
assert_pixels_equal (GstBuffer * buf, GBytes * before)
{
  GstMapInfo map;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  fail_unless_equals_uint64 (map.size, g_bytes_get_size (before));
  fail_unless (memcmp (map.data, g_bytes_get_data (before, NULL),
          map.size) == 0, "pixels changed");
  gst_buffer_unmap (buf, &map);
}

/* The YUV matrix the element documents for the caps' colorimetry. */
static DdamfnYuvMatrix
expected_matrix (const GstVideoInfo * info)
{
  if (info->colorimetry.matrix == GST_VIDEO_COLOR_MATRIX_BT709)
    return DDAMFN_YUV_BT709;
  if (info->colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255)
    return DDAMFN_YUV_BT601_FULL;
  return DDAMFN_YUV_BT601;
}

static DdamfnPixelFormat
pixel_format (GstVideoFormat f)
{
  switch (f) {
    case GST_VIDEO_FORMAT_RGB:
      return DDAMFN_PIXEL_RGB;
    case GST_VIDEO_FORMAT_BGR:
      return DDAMFN_PIXEL_BGR;
    case GST_VIDEO_FORMAT_RGBx:
      return DDAMFN_PIXEL_RGBX;
    case GST_VIDEO_FORMAT_BGRx:
      return DDAMFN_PIXEL_BGRX;
    case GST_VIDEO_FORMAT_xRGB:
      return DDAMFN_PIXEL_XRGB;
    case GST_VIDEO_FORMAT_xBGR:
      return DDAMFN_PIXEL_XBGR;
    case GST_VIDEO_FORMAT_RGBA:
      return DDAMFN_PIXEL_RGBA;
    case GST_VIDEO_FORMAT_BGRA:
      return DDAMFN_PIXEL_BGRA;
    case GST_VIDEO_FORMAT_I420:
      return DDAMFN_PIXEL_I420;
    case GST_VIDEO_FORMAT_NV12:
      return DDAMFN_PIXEL_NV12;
    default:
      fail ("unexpected format");
      return DDAMFN_PIXEL_RGB;
  }
}

/* What the engine itself says about the face in BOX (or at LANDMARKS when
 * not NULL) of BUF. */
static void
engine_result (GstBuffer * buf, const GstVideoInfo * info, float x, float y,
    float w, float h, float scale, const float *landmarks, DdamfnResult * r)
{
  GstVideoFrame frame;
  DdamfnImage image;
  DdamfnBox box = { x, y, w, h };
  GError *error = NULL;
  float *input = g_new (float, DDAMFN_INPUT_FLOATS);

  fail_unless (gst_video_frame_map (&frame, (GstVideoInfo *) info, buf,
          GST_MAP_READ));
  memset (&image, 0, sizeof (image));
  image.format = pixel_format (GST_VIDEO_INFO_FORMAT (info));
  image.width = GST_VIDEO_INFO_WIDTH (info);
  image.height = GST_VIDEO_INFO_HEIGHT (info);
  image.yuv_matrix = expected_matrix (info);
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (&frame); p++) {
    image.planes[p] = GST_VIDEO_FRAME_PLANE_DATA (&frame, p);
    image.strides[p] = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, p);
  }
  if (landmarks)
    fail_unless (ddamfn_preprocess_landmarks (&image, landmarks, ref_mean,
            ref_std, input, NULL, &error), "%s", error ? error->message : "");
  else
    fail_unless (ddamfn_preprocess_box (&image, &box, scale, ref_mean,
            ref_std, input, &error), "%s", error ? error->message : "");
  fail_unless (ddamfn_session_run (ref_session, input, 1, r, &error), "%s",
      error ? error->message : "");
  gst_video_frame_unmap (&frame);
  g_free (input);
}

static gboolean
results_differ (const DdamfnResult * a, const DdamfnResult * b)
{
  if (fabsf (a->valence - b->valence) > 1e-3f
      || fabsf (a->arousal - b->arousal) > 1e-3f)
    return TRUE;
  for (int k = 0; k < a->n_expr; k++)
    if (fabsf (a->expr_probs[k] - b->expr_probs[k]) > 1e-3f)
      return TRUE;
  return FALSE;
}

static void
assert_face_equals_result (const GstDdamfnFace * face, const DdamfnResult * r)
{
  fail_unless_equals_int (face->has_va, r->has_va);
  if (r->has_va) {
    fail_unless (fabs (face->valence - r->valence) <= TOL,
        "valence %f vs engine %f", face->valence, r->valence);
    fail_unless (fabs (face->arousal - r->arousal) <= TOL,
        "arousal %f vs engine %f", face->arousal, r->arousal);
  }
  fail_unless_equals_int (face->n_expr, r->n_expr);
  for (int k = 0; k < r->n_expr; k++)
    fail_unless (fabs (face->expr_probs[k] - r->expr_probs[k]) <= TOL,
        "expression %d: %f vs engine %f", k, face->expr_probs[k],
        r->expr_probs[k]);
  if (r->n_expr > 0)
    fail_unless_equals_int (face->expr_index, r->expr_index);
  fail_unless_equals_int (face->n_au, r->n_au);
  for (int k = 0; k < r->n_au; k++) {
    float thr = ddamfn_model_get_au_threshold (ref_model, k);
    fail_unless (fabs (face->au_probs[k] - r->au_probs[k]) <= TOL,
        "AU %d: %f vs engine %f", k, face->au_probs[k], r->au_probs[k]);
    /* a decision may only differ for a probability within TOL of it */
    if (fabsf (r->au_probs[k] - thr) > TOL)
      fail_unless_equals_int (! !(face->au_active & (1u << k)),
          ! !(r->au_active & (1u << k)));
  }
}

static gdouble
array_double (const GValue * array, guint i)
{
  return g_value_get_double (gst_value_array_get_value (array, i));
}

/* The ROI's "ddamfn" parameter says the same as the typed meta's FACE. */
static void
assert_roi_param_matches_face (GstVideoRegionOfInterestMeta * roi,
    const GstDdamfnFace * face)
{
  GstStructure *st = gst_video_region_of_interest_meta_get_param (roi,
      "ddamfn");
  const GValue *v;
  guint track_id, n_active = 0;
  gdouble d;
  guint n_params = 0;

  fail_unless (st != NULL, "ROI %d has no ddamfn parameter", roi->id);
  for (GList * l = roi->params; l; l = l->next)
    if (gst_structure_has_name (l->data, "ddamfn"))
      n_params++;
  fail_unless_equals_int (n_params, 1);

  fail_unless (gst_structure_get_uint (st, "track-id", &track_id));
  fail_unless_equals_int (track_id, face->track_id);
  fail_unless_equals_int (face->roi_id, roi->id);

  if (face->has_va) {
    fail_unless (gst_structure_get_double (st, "valence", &d));
    fail_unless_equals_float (d, face->valence);
    fail_unless (gst_structure_get_double (st, "arousal", &d));
    fail_unless_equals_float (d, face->arousal);
  } else {
    fail_if (gst_structure_has_field (st, "valence"));
    fail_if (gst_structure_has_field (st, "arousal"));
  }

  if (face->n_expr > 0) {
    fail_unless_equals_string (gst_structure_get_string (st, "expression"),
        face->expr_label);
    fail_unless (gst_structure_get_double (st, "confidence", &d));
    fail_unless_equals_float (d, face->expr_probs[face->expr_index]);
    v = gst_structure_get_value (st, "expression-probs");
    fail_unless (v && GST_VALUE_HOLDS_ARRAY (v));
    fail_unless_equals_int (gst_value_array_get_size (v), face->n_expr);
    for (gint k = 0; k < face->n_expr; k++)
      fail_unless_equals_float (array_double (v, k), face->expr_probs[k]);
  }

  if (face->n_au > 0) {
    v = gst_structure_get_value (st, "au-probs");
    fail_unless (v && GST_VALUE_HOLDS_ARRAY (v));
    fail_unless_equals_int (gst_value_array_get_size (v), face->n_au);
    for (gint k = 0; k < face->n_au; k++)
      fail_unless_equals_float (array_double (v, k), face->au_probs[k]);
    v = gst_structure_get_value (st, "au-active");
    fail_unless (v && GST_VALUE_HOLDS_ARRAY (v));
    for (gint k = 0; k < face->n_au; k++) {
      if (!(face->au_active & (1u << k)))
        continue;
      fail_unless (n_active < gst_value_array_get_size (v));
      fail_unless_equals_string (g_value_get_string
          (gst_value_array_get_value (v, n_active)), face->au_names[k]);
      n_active++;
    }
    fail_unless_equals_int (gst_value_array_get_size (v), n_active);
  } else {
    fail_if (gst_structure_has_field (st, "au-probs"));
  }
}

static const GstDdamfnFace *
find_face (GstDdamfnMeta * meta, gint roi_id)
{
  for (guint i = 0; i < meta->n_faces; i++)
    if (meta->faces[i].roi_id == roi_id)
      return &meta->faces[i];
  return NULL;
}

/* Every face of the meta has a matching ROI parameter. */
static void
assert_meta_consistent (GstBuffer * buf)
{
  GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (buf);

  fail_unless (meta != NULL);
  for (guint i = 0; i < meta->n_faces; i++) {
    GstVideoRegionOfInterestMeta *roi =
        gst_buffer_get_video_region_of_interest_meta_id (buf,
        meta->faces[i].roi_id);
    fail_unless (roi != NULL);
    assert_roi_param_matches_face (roi, &meta->faces[i]);
  }
}

/* ------------------------------------------------------------------ */
/* Formats                                                              */
/* ------------------------------------------------------------------ */

static const struct
{
  GstVideoFormat format;
  gint width, height;
  const gchar *colorimetry;
} format_cases[] = {
  {GST_VIDEO_FORMAT_RGB, 320, 240, NULL},
  {GST_VIDEO_FORMAT_BGR, 320, 240, NULL},
  {GST_VIDEO_FORMAT_RGBx, 320, 240, NULL},
  {GST_VIDEO_FORMAT_BGRx, 320, 240, NULL},
  {GST_VIDEO_FORMAT_xRGB, 320, 240, NULL},
  {GST_VIDEO_FORMAT_xBGR, 320, 240, NULL},
  {GST_VIDEO_FORMAT_RGBA, 320, 240, NULL},
  {GST_VIDEO_FORMAT_BGRA, 320, 240, NULL},
  {GST_VIDEO_FORMAT_I420, 320, 240, "bt601"},
  {GST_VIDEO_FORMAT_NV12, 320, 240, "bt601"},
  {GST_VIDEO_FORMAT_I420, 320, 240, "bt709"},
  {GST_VIDEO_FORMAT_NV12, 320, 240, "bt709"},
  {GST_VIDEO_FORMAT_I420, 320, 240, "1:4:0:0"},      /* full range (JPEG) */
  {GST_VIDEO_FORMAT_NV12, 320, 240, "1:4:0:0"},
  /* odd sizes: chroma planes round up, rows are padded */
  {GST_VIDEO_FORMAT_I420, 321, 241, "bt601"},
  {GST_VIDEO_FORMAT_NV12, 321, 241, "bt709"},
  {GST_VIDEO_FORMAT_RGB, 321, 241, NULL},
  {GST_VIDEO_FORMAT_BGRx, 321, 241, NULL},
};

GST_START_TEST (test_format_results_equal_engine)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;
  GBytes *before;
  GstDdamfnMeta *meta;
  const struct
  {
    gint id, x, y, w, h;        /* as injected */
    gint cx, cy, cw, ch;        /* clipped */
  } rois[] = {
    {7, 40, 30, 120, 120, 40, 30, 120, 120},
    {8, 200, 100, 64, 80, 200, 100, 64, 80},
    {9, 280, 180, 80, 80, 280, 180, 0, 0},      /* right/bottom edges: clipped */
  };

  info_init (&info, format_cases[__i__].format, format_cases[__i__].width,
      format_cases[__i__].height, format_cases[__i__].colorimetry);
  h = make_harness (make_filter (), &info);

  in = make_frame (&info, __i__);
  for (guint i = 0; i < G_N_ELEMENTS (rois); i++)
    add_roi (in, "face", rois[i].id, rois[i].x, rois[i].y, rois[i].w,
        rois[i].h);
  before = buffer_bytes (in);
  out = gst_harness_push_and_pull (h, in);
  fail_unless (out != NULL);

  assert_pixels_equal (out, before);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 3);
  assert_meta_consistent (out);

  for (guint i = 0; i < G_N_ELEMENTS (rois); i++) {
    const GstDdamfnFace *face = find_face (meta, rois[i].id);
    gint cw = rois[i].cw ? rois[i].cw : info.width - rois[i].cx;
    gint ch = rois[i].ch ? rois[i].ch : info.height - rois[i].cy;
    DdamfnResult r;

    fail_unless (face != NULL);
    fail_unless_equals_int (face->x, rois[i].cx);
    fail_unless_equals_int (face->y, rois[i].cy);
    fail_unless_equals_int (face->w, cw);
    fail_unless_equals_int (face->h, ch);
    fail_unless_equals_int (face->track_id, i + 1);
    engine_result (out, &info, rois[i].cx, rois[i].cy, cw, ch, 1.0f, NULL,
        &r);
    assert_face_equals_result (face, &r);
    fail_unless (face->expr_label != NULL);
    fail_unless (face->expr_label == g_intern_string
        (ddamfn_model_get_expression_label (ref_model, r.expr_index)));
    for (gint k = 0; k < face->n_au; k++)
      fail_unless (face->au_names[k] == g_intern_string
          (ddamfn_model_get_au_name (ref_model, k)));
  }

  g_bytes_unref (before);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_crop_scale_is_applied)
{
  GstVideoInfo info;
  GstHarness *h;
  GstElement *e = make_filter ();
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  DdamfnResult r;

  g_object_set (e, "crop-scale", 1.5, NULL);
  info_init (&info, GST_VIDEO_FORMAT_BGRx, 320, 240, NULL);
  h = make_harness (e, &info);
  in = make_frame (&info, 3);
  add_roi (in, "face", 1, 100, 60, 90, 100);
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta && meta->n_faces == 1);
  /* the meta keeps the detector's box; the crop is enlarged */
  fail_unless_equals_int (meta->faces[0].w, 90);
  engine_result (out, &info, 100, 60, 90, 100, 1.5f, NULL, &r);
  assert_face_equals_result (&meta->faces[0], &r);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Upstream keeps a reference: the buffer must become writable for the
 * metas without the pixels being copied. */
GST_START_TEST (test_shared_buffer_pixels_not_copied)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;

  info_init (&info, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  h = make_harness (make_filter (), &info);
  in = make_frame (&info, 1);
  add_roi (in, "face", 1, 10, 10, 100, 100);

  out = gst_harness_push_and_pull (h, gst_buffer_ref (in));
  fail_unless (out != in);
  fail_unless (gst_buffer_peek_memory (out, 0) == gst_buffer_peek_memory (in,
          0), "the frame memory was copied");
  fail_unless (gst_buffer_get_ddamfn_meta (out) != NULL);
  fail_unless (gst_buffer_get_ddamfn_meta (in) == NULL);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Hostile ROIs                                                         */
/* ------------------------------------------------------------------ */

GST_START_TEST (test_hostile_rois_clipped_or_skipped)
{
  GstVideoInfo info;
  GstHarness *h;
  GstElement *e = make_filter ();
  GstBuffer *in, *out;
  GBytes *before;
  GstDdamfnMeta *meta;
  const GstDdamfnFace *f;
  DdamfnResult r;

  info_init (&info, GST_VIDEO_FORMAT_RGBA, 320, 240, NULL);
  h = make_harness (e, &info);
  in = make_frame (&info, 11);
  add_roi (in, "face", 1, -20, -10, 80, 80);    /* negative: 0,0 60x70 */
  add_roi (in, "face", 2, 300, 200, 100, 100);  /* part outside: 20x40 */
  add_roi (in, "face", 3, 400, 10, 50, 50);     /* wholly right */
  add_roi (in, "face", 4, 10, 500, 50, 50);     /* wholly below */
  add_roi (in, "face", 5, -100, -100, 50, 50);  /* wholly above-left */
  add_roi (in, "face", 6, 50, 50, 0, 0);        /* empty */
  add_roi (in, "face", 7, 50, 50, 0, 40);       /* zero width */
  add_roi (in, "face", 8, 60, 60, 1, 1);        /* one pixel */
  add_roi (in, "face", 9, 319, 239, 40, 40);    /* 1x1 after clipping */
  add_roi (in, "face", 10, -5, -5, G_MAXUINT, G_MAXUINT);      /* huge */
  add_roi (in, "face", 11, G_MAXINT, G_MAXINT, G_MAXUINT, G_MAXUINT);
  add_roi (in, "face", 12, 100, 100, 15, 40);   /* below min-face-size */
  before = buffer_bytes (in);
  out = gst_harness_push_and_pull (h, in);

  assert_pixels_equal (out, before);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 3);
  assert_meta_consistent (out);

  f = find_face (meta, 1);
  fail_unless (f && f->x == 0 && f->y == 0 && f->w == 60 && f->h == 70);
  engine_result (out, &info, 0, 0, 60, 70, 1.0f, NULL, &r);
  assert_face_equals_result (f, &r);

  f = find_face (meta, 2);
  fail_unless (f && f->x == 300 && f->y == 200 && f->w == 20 && f->h == 40);
  engine_result (out, &info, 300, 200, 20, 40, 1.0f, NULL, &r);
  assert_face_equals_result (f, &r);

  f = find_face (meta, 10);
  fail_unless (f && f->x == 0 && f->y == 0 && f->w == 320 && f->h == 240);

  for (gint id = 3; id <= 12; id++) {
    GstVideoRegionOfInterestMeta *roi;
    if (id == 10)
      continue;
    fail_unless (find_face (meta, id) == NULL, "ROI %d analysed", id);
    roi = gst_buffer_get_video_region_of_interest_meta_id (out, id);
    fail_unless (gst_video_region_of_interest_meta_get_param (roi,
            "ddamfn") == NULL);
  }

  g_bytes_unref (before);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_tiny_faces_with_min_face_size_zero)
{
  GstVideoInfo info;
  GstHarness *h;
  GstElement *e = make_filter ();
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  DdamfnResult r;

  g_object_set (e, "min-face-size", 0, NULL);
  info_init (&info, GST_VIDEO_FORMAT_I420, 64, 48, NULL);
  h = make_harness (e, &info);
  in = make_frame (&info, 5);
  add_roi (in, "face", 1, 10, 10, 1, 1);
  add_roi (in, "face", 2, 63, 47, 5, 5);        /* 1x1 after clipping */
  add_roi (in, "face", 3, 0, 0, 1, 48);
  add_roi (in, "face", 4, 20, 20, 0, 0);        /* still empty */
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 3);
  assert_meta_consistent (out);
  engine_result (out, &info, 10, 10, 1, 1, 1.0f, NULL, &r);
  assert_face_equals_result (find_face (meta, 1), &r);
  engine_result (out, &info, 63, 47, 1, 1, 1.0f, NULL, &r);
  assert_face_equals_result (find_face (meta, 2), &r);
  fail_unless (find_face (meta, 4) == NULL);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

typedef struct
{
  gint id;
  guint64 area;
} IdArea;

static gint
compare_area_desc (gconstpointer a, gconstpointer b)
{
  const IdArea *x = a, *y = b;
  if (x->area != y->area)
    return x->area > y->area ? -1 : 1;
  return x->id - y->id;
}

GST_START_TEST (test_ten_thousand_rois_keep_largest)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  GArray *expected = g_array_new (FALSE, FALSE, sizeof (IdArea));
  GRand *rand = g_rand_new_with_seed (42);
  const gint n = 10000;
  gint64 t0;

  info_init (&info, GST_VIDEO_FORMAT_NV12, 640, 480, NULL);
  h = make_harness (make_filter (), &info);
  in = make_frame (&info, 2);
  for (gint i = 0; i < n; i++) {
    gint x = g_rand_int_range (rand, -200, 700);
    gint y = g_rand_int_range (rand, -200, 600);
    gint w = g_rand_int_range (rand, 0, 300);
    gint hh = g_rand_int_range (rand, 0, 300);
    gint x0 = CLAMP (x, 0, 640), y0 = CLAMP (y, 0, 480);
    gint x1 = CLAMP (x + w, 0, 640), y1 = CLAMP (y + hh, 0, 480);
    const gchar *type = (i % 10 == 3) ? "hand" : "face";

    add_roi (in, type, i, x, y, w, hh);
    if (strcmp (type, "face") == 0 && x1 - x0 >= 16 && y1 - y0 >= 16) {
      IdArea ia = { i, (guint64) (x1 - x0) * (y1 - y0) };
      g_array_append_val (expected, ia);
    }
  }
  g_array_sort (expected, compare_area_desc);

  t0 = g_get_monotonic_time ();
  out = gst_harness_push_and_pull (h, in);
  GST_INFO ("10000 ROIs: %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 16);
  for (guint i = 0; i < 16; i++) {
    IdArea *ia = &g_array_index (expected, IdArea, i);
    const GstDdamfnFace *f = find_face (meta, ia->id);
    fail_unless (f != NULL, "face %d (rank %u) missing", ia->id, i);
    fail_unless_equals_uint64 ((guint64) f->w * f->h, ia->area);
  }
  assert_meta_consistent (out);

  g_array_unref (expected);
  g_rand_free (rand);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_max_faces_keeps_largest)
{
  GstVideoInfo info;
  GstHarness *h;
  GstElement *e = make_filter ();
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;

  g_object_set (e, "max-faces", 2, NULL);
  info_init (&info, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  h = make_harness (e, &info);
  in = make_frame (&info, 4);
  add_roi (in, "face", 1, 0, 0, 20, 20);
  add_roi (in, "face", 2, 30, 0, 90, 90);
  add_roi (in, "face", 3, 130, 0, 40, 40);
  add_roi (in, "face", 4, 180, 0, 60, 70);
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless_equals_int (meta->n_faces, 2);
  fail_unless (find_face (meta, 2) && find_face (meta, 4));
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_roi_type_selects_rois)
{
  GstVideoInfo info;
  GstElement *e;
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  const gchar *types[] = { "face", "", "hand" };
  const guint expected[] = { 2, 3, 1 };

  info_init (&info, GST_VIDEO_FORMAT_BGR, 320, 240, NULL);
  for (guint t = 0; t < G_N_ELEMENTS (types); t++) {
    e = make_filter ();
    g_object_set (e, "roi-type", types[t], NULL);
    h = make_harness (e, &info);
    in = make_frame (&info, t);
    add_roi (in, "face", 1, 0, 0, 50, 50);
    add_roi (in, "hand", 2, 100, 0, 50, 50);
    add_roi (in, "face", 3, 200, 0, 50, 50);
    out = gst_harness_push_and_pull (h, in);
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless_equals_int (meta->n_faces, expected[t]);
    fail_unless_equals_int (find_face (meta, 2) != NULL, t != 0);
    assert_meta_consistent (out);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

GST_START_TEST (test_frame_without_faces_gets_empty_meta)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *out;
  GstDdamfnMeta *meta;

  info_init (&info, GST_VIDEO_FORMAT_RGB, 32, 32, NULL);
  h = make_harness (make_filter (), &info);
  out = gst_harness_push_and_pull (h, make_frame (&info, 0));
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Landmarks                                                            */
/* ------------------------------------------------------------------ */

static void
add_landmarks (GstVideoRegionOfInterestMeta * roi, const float *lm, gint n)
{
  GstStructure *st = gst_structure_new_empty ("landmarks");

  for (gint i = 0; i < n; i++) {
    gchar xn[8], yn[8];
    g_snprintf (xn, sizeof (xn), "x%d", i);
    g_snprintf (yn, sizeof (yn), "y%d", i);
    gst_structure_set (st, xn, G_TYPE_DOUBLE, (gdouble) lm[2 * i], yn,
        G_TYPE_DOUBLE, (gdouble) lm[2 * i + 1], NULL);
  }
  gst_video_region_of_interest_meta_add_param (roi, st);
}

GST_START_TEST (test_landmarks_align_the_face)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  DdamfnResult with_lm, with_box;
  const float lm[10] = { 130, 110, 170, 108, 150, 130, 135, 152, 166, 150 };
  const float bad[10] = { 150, 120, 150, 120, 150, 120, 150, 120, 150, 120 };

  info_init (&info, GST_VIDEO_FORMAT_I420, 320, 240, "bt709");
  h = make_harness (make_filter (), &info);
  in = make_frame (&info, 9);
  add_landmarks (add_roi (in, "face", 1, 110, 80, 90, 100), lm, 5);
  add_landmarks (add_roi (in, "face", 2, 10, 10, 60, 60), lm, 4);       /* incomplete */
  add_landmarks (add_roi (in, "face", 3, 200, 100, 60, 60), bad, 5);    /* degenerate */
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless_equals_int (meta->n_faces, 3);
  assert_meta_consistent (out);

  engine_result (out, &info, 0, 0, 0, 0, 1.0f, lm, &with_lm);
  engine_result (out, &info, 110, 80, 90, 100, 1.0f, NULL, &with_box);
  fail_unless (results_differ (&with_lm, &with_box));
  assert_face_equals_result (find_face (meta, 1), &with_lm);

  /* without all five points, or with unusable ones: the box is cropped */
  engine_result (out, &info, 10, 10, 60, 60, 1.0f, NULL, &with_box);
  assert_face_equals_result (find_face (meta, 2), &with_box);
  engine_result (out, &info, 200, 100, 60, 60, 1.0f, NULL, &with_box);
  assert_face_equals_result (find_face (meta, 3), &with_box);

  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Tracking, interval, smoothing                                        */
/* ------------------------------------------------------------------ */

GST_START_TEST (test_inference_interval_reuses_results)
{
  GstVideoInfo info;
  GstElement *e = make_filter ();
  GstHarness *h;
  DdamfnResult inferred;
  const gint n_frames = 10;

  g_object_set (e, "inference-interval", 3, NULL);
  info_init (&info, GST_VIDEO_FORMAT_RGBx, 160, 120, NULL);
  h = make_harness (e, &info);

  for (gint k = 0; k < n_frames; k++) {
    GstBuffer *in = make_frame (&info, 100 + k), *out;
    GstDdamfnMeta *meta;
    DdamfnResult now;

    /* the box moves a little; the track continues */
    add_roi (in, "face", 1, 20 + k, 20, 80, 80);
    out = gst_harness_push_and_pull (h, in);
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless_equals_int (meta->n_faces, 1);
    fail_unless_equals_int (meta->faces[0].track_id, 1);
    fail_unless_equals_int (meta->faces[0].x, 20 + k);
    assert_meta_consistent (out);

    engine_result (out, &info, 20 + k, 20, 80, 80, 1.0f, NULL, &now);
    if (k % 3 == 0) {
      inferred = now;
    } else {
      /* the pixels changed, the network would say something else... */
      fail_unless (results_differ (&now, &inferred));
    }
    /* ...yet the element re-attached the result of frame k - k % 3 */
    assert_face_equals_result (&meta->faces[0], &inferred);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_new_face_is_inferred_at_once)
{
  GstVideoInfo info;
  GstElement *e = make_filter ();
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  DdamfnResult r;

  g_object_set (e, "inference-interval", 100, NULL);
  info_init (&info, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  h = make_harness (e, &info);
  in = make_frame (&info, 1);
  add_roi (in, "face", 1, 10, 10, 80, 80);
  gst_buffer_unref (gst_harness_push_and_pull (h, in));

  in = make_frame (&info, 2);
  add_roi (in, "face", 1, 10, 10, 80, 80);
  add_roi (in, "face", 2, 200, 100, 80, 80);
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless_equals_int (meta->n_faces, 2);
  fail_unless_equals_int (find_face (meta, 2)->track_id, 2);
  engine_result (out, &info, 200, 100, 80, 80, 1.0f, NULL, &r);
  assert_face_equals_result (find_face (meta, 2), &r);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_smoothing_is_exponential)
{
  GstVideoInfo info;
  GstElement *e = make_filter ();
  GstHarness *h;
  DdamfnResult s;
  const float a = 0.6f;

  g_object_set (e, "smoothing", (gdouble) a, NULL);
  info_init (&info, GST_VIDEO_FORMAT_BGRA, 160, 120, NULL);
  h = make_harness (e, &info);

  for (gint k = 0; k < 5; k++) {
    GstBuffer *in = make_frame (&info, 200 + k), *out;
    GstDdamfnMeta *meta;
    DdamfnResult r;
    const GstDdamfnFace *f;
    gint best = 0;

    add_roi (in, "face", 1, 30, 20, 90, 90);
    out = gst_harness_push_and_pull (h, in);
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless_equals_int (meta->n_faces, 1);
    f = &meta->faces[0];
    engine_result (out, &info, 30, 20, 90, 90, 1.0f, NULL, &r);
    if (k == 0) {
      s = r;
    } else {
      s.valence = a * s.valence + (1 - a) * r.valence;
      s.arousal = a * s.arousal + (1 - a) * r.arousal;
      for (gint i = 0; i < s.n_expr; i++)
        s.expr_probs[i] = a * s.expr_probs[i] + (1 - a) * r.expr_probs[i];
      for (gint i = 0; i < s.n_au; i++)
        s.au_probs[i] = a * s.au_probs[i] + (1 - a) * r.au_probs[i];
      s.au_active = 0;
      for (gint i = 0; i < s.n_au; i++)
        if (s.au_probs[i] >= ddamfn_model_get_au_threshold (ref_model, i))
          s.au_active |= 1u << i;
      for (gint i = 1; i < s.n_expr; i++)
        if (s.expr_probs[i] > s.expr_probs[best])
          best = i;
      s.expr_index = best;
      fail_unless (results_differ (&s, &r));
    }
    assert_face_equals_result (f, &s);
    assert_meta_consistent (out);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

static GstDdamfnMeta *
push_boxes (GstHarness * h, const GstVideoInfo * info, GstBuffer ** out,
    const gint (*boxes)[4], gint n)
{
  GstBuffer *in = make_frame (info, n);

  for (gint i = 0; i < n; i++)
    add_roi (in, "face", i, boxes[i][0], boxes[i][1], boxes[i][2],
        boxes[i][3]);
  *out = gst_harness_push_and_pull (h, in);
  return gst_buffer_get_ddamfn_meta (*out);
}

GST_START_TEST (test_track_ids_follow_faces_and_reset_on_flush)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *out;
  GstDdamfnMeta *meta;
  GstSegment segment;
  const gint a[][4] = { {10, 10, 80, 80} };
  const gint ab[][4] = { {14, 12, 80, 80}, {200, 100, 90, 90} };
  const gint b[][4] = { {200, 100, 90, 90} };

  info_init (&info, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  h = make_harness (make_filter (), &info);

  meta = push_boxes (h, &info, &out, a, 1);
  fail_unless_equals_int (meta->faces[0].track_id, 1);
  gst_buffer_unref (out);
  meta = push_boxes (h, &info, &out, ab, 2);
  fail_unless_equals_int (find_face (meta, 0)->track_id, 1);
  fail_unless_equals_int (find_face (meta, 1)->track_id, 2);
  gst_buffer_unref (out);

  /* a face unseen for more than five frames loses its track */
  for (gint k = 0; k < 6; k++) {
    meta = push_boxes (h, &info, &out, b, 1);
    fail_unless_equals_int (meta->faces[0].track_id, 2);
    gst_buffer_unref (out);
  }
  meta = push_boxes (h, &info, &out, a, 1);
  fail_unless_equals_int (meta->faces[0].track_id, 3);
  gst_buffer_unref (out);

  /* after a flush the numbering starts again */
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  meta = push_boxes (h, &info, &out, b, 1);
  fail_unless_equals_int (meta->faces[0].track_id, 1);
  gst_buffer_unref (out);

  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Models                                                               */
/* ------------------------------------------------------------------ */

GST_START_TEST (test_single_task_model_has_no_va_nor_aus)
{
  GstVideoInfo info;
  GstElement *e = make_filter ();
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  GstStructure *st;
  const GstDdamfnFace *f;

  g_object_set (e, "model", single_model_path, NULL);
  info_init (&info, GST_VIDEO_FORMAT_RGB, 160, 120, NULL);
  h = make_harness (e, &info);
  in = make_frame (&info, 1);
  add_roi (in, "face", 1, 10, 10, 80, 80);
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless_equals_int (meta->n_faces, 1);
  f = &meta->faces[0];
  fail_if (f->has_va);
  fail_unless_equals_int (f->n_expr, 7);
  fail_unless_equals_int (f->n_au, 0);
  fail_unless (f->expr_label != NULL);
  assert_meta_consistent (out);
  st = gst_video_region_of_interest_meta_get_param
      (gst_buffer_get_video_region_of_interest_meta_id (out, 1), "ddamfn");
  fail_if (gst_structure_has_field (st, "valence"));
  fail_if (gst_structure_has_field (st, "au-active"));
  fail_unless (gst_structure_has_field (st, "expression"));
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Sets a pipeline with a filter using MODEL to PAUSED and returns the text
 * of the error it posts. */
static gchar *
start_error_message (const gchar * model)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("fakesrc", NULL);
  GstElement *filter = gst_element_factory_make ("ddamfnfilter", NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GError *error = NULL;
  gchar *debug = NULL, *text;

  if (model)
    g_object_set (filter, "model", model, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, filter, sink, NULL);
  fail_unless (gst_element_link_many (src, filter, sink, NULL));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message on the bus");
  fail_unless (GST_MESSAGE_SRC (msg) == GST_OBJECT (filter));
  gst_message_parse_error (msg, &error, &debug);
  text = g_strdup (error->message);
  GST_INFO ("error: %s (%s)", error->message, debug);
  g_error_free (error);
  g_free (debug);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return text;
}

static void
assert_error_carries_loader_text (const gchar * path)
{
  GError *error = NULL;
  gchar *text;

  fail_unless (ddamfn_model_open (path, &error) == NULL);
  text = start_error_message (path);
  fail_unless (strstr (text, error->message) != NULL,
      "\"%s\" does not contain the loader's \"%s\"", text, error->message);
  g_free (text);
  g_error_free (error);
}

GST_START_TEST (test_missing_model_posts_loader_error)
{
  assert_error_carries_loader_text ("/nonexistent/dir/model.safetensors");
}

GST_END_TEST;

GST_START_TEST (test_invalid_model_posts_loader_error)
{
  gchar *dir = g_dir_make_tmp ("ddamfn-test-XXXXXX", NULL);
  gchar *garbage = g_build_filename (dir, "garbage.safetensors", NULL);
  gchar *truncated = g_build_filename (dir, "truncated.safetensors", NULL);
  gchar *contents;
  gsize len;

  fail_unless (g_file_set_contents (garbage, "this is not a model", -1,
          NULL));
  fail_unless (g_file_get_contents (model_path, &contents, &len, NULL));
  fail_unless (g_file_set_contents (truncated, contents, len / 2, NULL));
  g_free (contents);

  assert_error_carries_loader_text (garbage);
  assert_error_carries_loader_text (truncated);

  g_unlink (garbage);
  g_unlink (truncated);
  g_rmdir (dir);
  g_free (garbage);
  g_free (truncated);
  g_free (dir);
}

GST_END_TEST;

GST_START_TEST (test_no_model_set_posts_error)
{
  gchar *text = start_error_message (NULL);

  fail_unless (strstr (text, "model") != NULL);
  g_free (text);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Stream life: states, seeks, caps, EOS, messages                      */
/* ------------------------------------------------------------------ */

GST_START_TEST (test_state_cycling)
{
  GstElement *pipeline, *src, *sink;
  GstVideoInfo info;
  GstCaps *caps;

  pipeline = gst_parse_launch ("appsrc name=src format=time ! "
      "ddamfnfilter name=f ! appsink name=sink sync=false", NULL);
  fail_unless (pipeline != NULL);
  {
    GstElement *f = gst_bin_get_by_name (GST_BIN (pipeline), "f");
    g_object_set (f, "model", model_path, NULL);
    gst_object_unref (f);
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  info_init (&info, GST_VIDEO_FORMAT_RGB, 64, 64, NULL);
  caps = gst_video_info_to_caps (&info);
  g_object_set (src, "caps", caps, NULL);
  gst_caps_unref (caps);

  for (gint i = 0; i < 50; i++) {
    GstBuffer *in = make_frame (&info, i);
    GstSample *sample;
    GstDdamfnMeta *meta;

    add_roi (in, "face", 1, 8, 8, 48, 48);
    GST_BUFFER_PTS (in) = 0;
    fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE);
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src), in),
        GST_FLOW_OK);
    sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
    fail_unless (sample != NULL);
    meta = gst_buffer_get_ddamfn_meta (gst_sample_get_buffer (sample));
    fail_unless (meta && meta->n_faces == 1);
    fail_unless_equals_int (meta->faces[0].track_id, 1);
    gst_sample_unref (sample);
    fail_if (gst_element_set_state (pipeline, GST_STATE_NULL) ==
        GST_STATE_CHANGE_FAILURE);
  }
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
}

GST_END_TEST;

static GstPadProbeReturn
add_face_probe (G_GNUC_UNUSED GstPad * pad, GstPadProbeInfo * info,
    G_GNUC_UNUSED gpointer user_data)
{
  GstBuffer *buf = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));

  add_roi (buf, "face", 1, 16, 16, 64, 64);
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

GST_START_TEST (test_flushing_seek)
{
  GstElement *pipeline, *filter, *sink;
  GstPad *pad;
  GstSample *sample;
  GstBus *bus;
  GstMessage *msg;
  gint n_after = 0;

  pipeline = gst_parse_launch ("videotestsrc ! "
      "video/x-raw,format=I420,width=128,height=96,framerate=25/1 ! "
      "ddamfnfilter name=f ! appsink name=sink sync=false", NULL);
  filter = gst_bin_get_by_name (GST_BIN (pipeline), "f");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (filter, "model", model_path, NULL);
  pad = gst_element_get_static_pad (filter, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, add_face_probe, NULL,
      NULL);
  gst_object_unref (pad);

  fail_if (gst_element_set_state (pipeline, GST_STATE_PAUSED) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless_equals_int (gst_element_get_state (pipeline, NULL, NULL,
          GST_CLOCK_TIME_NONE), GST_STATE_CHANGE_SUCCESS);
  sample = gst_app_sink_pull_preroll (GST_APP_SINK (sink));
  fail_unless (gst_buffer_get_ddamfn_meta (gst_sample_get_buffer (sample)));
  gst_sample_unref (sample);

  fail_unless (gst_element_seek (pipeline, 1.0, GST_FORMAT_TIME,
          GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, GST_SEEK_TYPE_SET,
          GST_SECOND, GST_SEEK_TYPE_SET, 2 * GST_SECOND));
  fail_unless_equals_int (gst_element_get_state (pipeline, NULL, NULL,
          GST_CLOCK_TIME_NONE), GST_STATE_CHANGE_SUCCESS);
  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);

  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    GstBuffer *buf = gst_sample_get_buffer (sample);
    GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (buf);

    fail_unless (GST_BUFFER_PTS (buf) >= GST_SECOND);
    fail_unless (GST_BUFFER_PTS (buf) < 2 * GST_SECOND);
    fail_unless (meta && meta->n_faces == 1);
    /* the tracker restarted at the flush */
    fail_unless_equals_int (meta->faces[0].track_id, 1);
    n_after++;
    gst_sample_unref (sample);
  }
  fail_unless (gst_app_sink_is_eos (GST_APP_SINK (sink)));
  fail_unless_equals_int (n_after, 25);

  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_if (msg != NULL);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (filter);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
}

GST_END_TEST;

GST_START_TEST (test_renegotiation_size_and_format)
{
  GstVideoInfo info_a, info_b;
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  DdamfnResult r;
  GBytes *before;

  info_init (&info_a, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  info_init (&info_b, GST_VIDEO_FORMAT_NV12, 176, 144, "bt709");
  h = make_harness (make_filter (), &info_a);

  for (gint round = 0; round < 2; round++) {
    in = make_frame (&info_a, round);
    add_roi (in, "face", 1, 200, 100, 100, 100);
    out = gst_harness_push_and_pull (h, in);
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless_equals_int (meta->n_faces, 1);
    engine_result (out, &info_a, 200, 100, 100, 100, 1.0f, NULL, &r);
    assert_face_equals_result (&meta->faces[0], &r);
    gst_buffer_unref (out);

    gst_harness_set_src_caps (h, gst_video_info_to_caps (&info_b));
    in = make_frame (&info_b, 10 + round);
    add_roi (in, "face", 1, 150, 100, 100, 100);        /* clipped to 26x44 */
    before = buffer_bytes (in);
    out = gst_harness_push_and_pull (h, in);
    assert_pixels_equal (out, before);
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless_equals_int (meta->n_faces, 1);
    fail_unless_equals_int (meta->faces[0].w, 26);
    fail_unless_equals_int (meta->faces[0].h, 44);
    /* a new frame size starts new tracks */
    fail_unless_equals_int (meta->faces[0].track_id, 1);
    engine_result (out, &info_b, 150, 100, 26, 44, 1.0f, NULL, &r);
    assert_face_equals_result (&meta->faces[0], &r);
    g_bytes_unref (before);
    gst_buffer_unref (out);

    gst_harness_set_src_caps (h, gst_video_info_to_caps (&info_a));
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_eos_is_forwarded)
{
  GstVideoInfo info;
  GstHarness *h;
  GstEvent *ev;
  gboolean seen_eos = FALSE;

  info_init (&info, GST_VIDEO_FORMAT_RGB, 64, 64, NULL);
  h = make_harness (make_filter (), &info);
  gst_buffer_unref (gst_harness_push_and_pull (h, make_frame (&info, 0)));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((ev = gst_harness_try_pull_event (h))) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_EOS)
      seen_eos = TRUE;
    gst_event_unref (ev);
  }
  fail_unless (seen_eos);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_post_messages)
{
  GstVideoInfo info;
  GstElement *e = make_filter ();
  GstHarness *h;
  GstBus *bus = gst_bus_new ();
  GstBuffer *in, *out;
  GstMessage *msg;
  const GstStructure *st;
  const GValue *faces;
  const GstStructure *fs;
  guint64 ts;
  guint x, w;
  gint roi_id;
  gdouble v;

  g_object_set (e, "post-messages", TRUE, NULL);
  gst_element_set_bus (e, bus);
  info_init (&info, GST_VIDEO_FORMAT_RGB, 160, 120, NULL);
  h = make_harness (e, &info);

  for (gint k = 0; k < 3; k++) {
    in = make_frame (&info, k);
    GST_BUFFER_PTS (in) = k * 40 * GST_MSECOND;
    if (k != 1)
      add_roi (in, "face", 5, -10, 10, 80, 80);
    out = gst_harness_push_and_pull (h, in);

    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
    fail_unless (msg != NULL);
    st = gst_message_get_structure (msg);
    fail_unless (gst_structure_has_name (st, "ddamfn"));
    fail_unless (gst_structure_get_uint64 (st, "timestamp", &ts));
    fail_unless_equals_uint64 (ts, k * 40 * GST_MSECOND);
    fail_unless (gst_structure_get_uint64 (st, "running-time", &ts));
    fail_unless_equals_uint64 (ts, k * 40 * GST_MSECOND);
    fail_unless (gst_structure_get_uint64 (st, "stream-time", &ts));
    fail_unless_equals_uint64 (ts, k * 40 * GST_MSECOND);
    faces = gst_structure_get_value (st, "faces");
    fail_unless (faces && GST_VALUE_HOLDS_LIST (faces));
    fail_unless_equals_int (gst_value_list_get_size (faces), k != 1);
    if (k != 1) {
      const GstDdamfnFace *face = &gst_buffer_get_ddamfn_meta (out)->faces[0];
      fs = gst_value_get_structure (gst_value_list_get_value (faces, 0));
      fail_unless (gst_structure_get_uint (fs, "x", &x) && x == 0);
      fail_unless (gst_structure_get_uint (fs, "w", &w) && w == 70);
      fail_unless (gst_structure_get_int (fs, "roi-id", &roi_id)
          && roi_id == 5);
      fail_unless (gst_structure_get_double (fs, "valence", &v));
      fail_unless_equals_float (v, face->valence);
      fail_unless_equals_string (gst_structure_get_string (fs, "expression"),
          face->expr_label);
    }
    gst_message_unref (msg);
    fail_if (gst_bus_have_pending (bus), "more than one message per buffer");
    gst_buffer_unref (out);
  }

  gst_harness_teardown (h);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
}

GST_END_TEST;

GST_START_TEST (test_two_filters_do_not_duplicate)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *in, *out;
  GstDdamfnMeta *meta;
  gchar *desc;
  guint n_meta = 0;
  gpointer state = NULL;

  desc = g_strdup_printf ("ddamfnfilter model=%s ! ddamfnfilter model=%s",
      model_path, model_path);
  h = gst_harness_new_parse (desc);
  g_free (desc);
  info_init (&info, GST_VIDEO_FORMAT_RGB, 160, 120, NULL);
  gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
  in = make_frame (&info, 0);
  add_roi (in, "face", 1, 20, 20, 80, 80);
  out = gst_harness_push_and_pull (h, in);
  while (gst_buffer_iterate_meta_filtered (out, &state,
          GST_DDAMFN_META_API_TYPE))
    n_meta++;
  fail_unless_equals_int (n_meta, 1);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless_equals_int (meta->n_faces, 1);
  assert_meta_consistent (out);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* The meta                                                             */
/* ------------------------------------------------------------------ */

static void
fill_face (GstDdamfnFace * f, gint roi_id, guint x, guint y, guint w, guint h)
{
  memset (f, 0, sizeof (*f));
  f->roi_id = roi_id;
  f->track_id = roi_id + 100;
  f->x = x;
  f->y = y;
  f->w = w;
  f->h = h;
  f->has_va = TRUE;
  f->valence = 0.25f;
  f->arousal = -0.5f;
  f->n_expr = 2;
  f->expr_index = 1;
  f->expr_probs[0] = 0.3f;
  f->expr_probs[1] = 0.7f;
  f->expr_label = g_intern_static_string ("Happy");
  f->n_au = 1;
  f->au_probs[0] = 0.9f;
  f->au_active = 1;
  f->au_names[0] = g_intern_static_string ("AU12");
}

GST_START_TEST (test_meta_survives_copy)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 16, NULL), *copy, *writable;
  GstDdamfnFace faces[2];
  GstDdamfnMeta *meta, *cmeta;
  gchar label[] = "Happy";

  fill_face (&faces[0], 1, 10, 20, 30, 40);
  fill_face (&faces[1], 2, 0, 0, 5, 5);
  faces[1].expr_label = label;  /* not interned by the caller */
  meta = gst_buffer_add_ddamfn_meta (buf, faces, 2);
  fail_unless (meta != NULL);
  fail_unless (meta->faces != faces);
  fail_unless (meta->faces[1].expr_label == g_intern_string ("Happy"));
  fail_unless (gst_buffer_get_ddamfn_meta (buf) == meta);

  copy = gst_buffer_copy (buf);
  cmeta = gst_buffer_get_ddamfn_meta (copy);
  fail_unless (cmeta != NULL && cmeta != meta);
  fail_unless_equals_int (cmeta->n_faces, 2);
  fail_unless (cmeta->faces != meta->faces);
  fail_unless (memcmp (cmeta->faces, meta->faces,
          2 * sizeof (GstDdamfnFace)) == 0);
  cmeta->faces[0].valence = 1.0f;
  fail_unless_equals_float (meta->faces[0].valence, 0.25f);

  /* adding again replaces: one meta per buffer */
  gst_buffer_add_ddamfn_meta (copy, faces, 1);
  fail_unless (gst_buffer_get_ddamfn_meta (copy) == cmeta);
  fail_unless_equals_int (cmeta->n_faces, 1);

  writable = gst_buffer_make_writable (gst_buffer_ref (buf));
  fail_unless (writable != buf);
  fail_unless (gst_buffer_get_ddamfn_meta (writable) != meta);
  fail_unless_equals_int (gst_buffer_get_ddamfn_meta (writable)->n_faces, 2);

  gst_buffer_unref (writable);
  gst_buffer_unref (copy);
  gst_buffer_unref (buf);
}

GST_END_TEST;

GST_START_TEST (test_meta_scaled_by_videoscale)
{
  GstHarness *h = gst_harness_new ("videoscale");
  GstVideoInfo in_info, out_info;
  GstBuffer *in, *out;
  GstDdamfnFace faces[2];
  GstDdamfnMeta *meta;

  info_init (&in_info, GST_VIDEO_FORMAT_RGB, 320, 240, NULL);
  info_init (&out_info, GST_VIDEO_FORMAT_RGB, 160, 480, NULL);
  gst_harness_set_caps (h, gst_video_info_to_caps (&in_info),
      gst_video_info_to_caps (&out_info));
  in = make_frame (&in_info, 0);
  fill_face (&faces[0], 1, 100, 50, 61, 40);
  fill_face (&faces[1], 2, 319, 239, 1, 1);
  gst_buffer_add_ddamfn_meta (in, faces, 2);
  out = gst_harness_push_and_pull (h, in);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->n_faces, 2);
  fail_unless_equals_int (meta->faces[0].x, 50);
  fail_unless_equals_int (meta->faces[0].y, 100);
  fail_unless_equals_int (meta->faces[0].w, 31);
  fail_unless_equals_int (meta->faces[0].h, 80);
  fail_unless_equals_float (meta->faces[0].valence, 0.25f);
  /* at least a pixel, inside the frame */
  fail_unless (meta->faces[1].w >= 1 && meta->faces[1].h >= 1);
  fail_unless (meta->faces[1].x + meta->faces[1].w <= 160);
  fail_unless (meta->faces[1].y + meta->faces[1].h <= 480);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Elements that move pixels treat GstDdamfnMeta as they treat the ROI
 * meta it describes (same tags): kept by videoconvert, dropped by
 * videocrop, and (in GStreamer 1.22) copied unchanged by videoflip. */
GST_START_TEST (test_meta_follows_roi_meta)
{
  const gchar *elements[] = { "videoconvert", "videocrop left=8",
    "videoflip method=horizontal-flip"
  };
  const gboolean kept[] = { TRUE, FALSE, TRUE };

  for (guint i = 0; i < G_N_ELEMENTS (elements); i++) {
    GstHarness *h = gst_harness_new_parse (elements[i]);
    GstVideoInfo info;
    GstBuffer *in, *out;
    GstDdamfnFace face;
    GstDdamfnMeta *meta;

    info_init (&info, GST_VIDEO_FORMAT_RGBx, 64, 64, NULL);
    gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
    in = make_frame (&info, 0);
    add_roi (in, "face", 1, 0, 0, 10, 10);
    fill_face (&face, 1, 0, 0, 10, 10);
    gst_buffer_add_ddamfn_meta (in, &face, 1);
    out = gst_harness_push_and_pull (h, in);
    meta = gst_buffer_get_ddamfn_meta (out);
    fail_unless_equals_int (meta != NULL, kept[i]);
    fail_unless_equals_int (meta != NULL,
        gst_buffer_get_video_region_of_interest_meta_id (out, 1) != NULL);
    if (meta)
      fail_unless (memcmp (&meta->faces[0], &face, sizeof (face)) == 0);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

GST_START_TEST (test_properties_defaults)
{
  GstElement *e = gst_element_factory_make ("ddamfnfilter", NULL);
  gchar *model, *roi_type;
  guint min_size, max_faces, interval, n_threads;
  gdouble smoothing, crop_scale;
  gboolean post;

  g_object_get (e, "model", &model, "roi-type", &roi_type, "min-face-size",
      &min_size, "max-faces", &max_faces, "inference-interval", &interval,
      "smoothing", &smoothing, "crop-scale", &crop_scale, "n-threads",
      &n_threads, "post-messages", &post, NULL);
  fail_unless (model == NULL);
  fail_unless_equals_string (roi_type, "face");
  fail_unless_equals_int (min_size, 16);
  fail_unless_equals_int (max_faces, 16);
  fail_unless_equals_int (interval, 1);
  fail_unless_equals_float (smoothing, 0.0);
  fail_unless_equals_float (crop_scale, 1.0);
  fail_unless_equals_int (n_threads, 1);
  fail_if (post);
  g_free (roi_type);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
ddamfnfilter_suite (void)
{
  Suite *s = suite_create ("ddamfnfilter");
  TCase *tc_formats = tcase_create ("formats");
  TCase *tc_rois = tcase_create ("rois");
  TCase *tc_tracking = tcase_create ("tracking");
  TCase *tc_models = tcase_create ("models");
  TCase *tc_stream = tcase_create ("stream");
  TCase *tc_meta = tcase_create ("meta");

  suite_add_tcase (s, tc_formats);
  tcase_add_loop_test (tc_formats, test_format_results_equal_engine, 0,
      G_N_ELEMENTS (format_cases));
  tcase_add_test (tc_formats, test_crop_scale_is_applied);
  tcase_add_test (tc_formats, test_shared_buffer_pixels_not_copied);

  suite_add_tcase (s, tc_rois);
  tcase_add_test (tc_rois, test_hostile_rois_clipped_or_skipped);
  tcase_add_test (tc_rois, test_tiny_faces_with_min_face_size_zero);
  tcase_add_test (tc_rois, test_ten_thousand_rois_keep_largest);
  tcase_add_test (tc_rois, test_max_faces_keeps_largest);
  tcase_add_test (tc_rois, test_roi_type_selects_rois);
  tcase_add_test (tc_rois, test_frame_without_faces_gets_empty_meta);
  tcase_add_test (tc_rois, test_landmarks_align_the_face);

  suite_add_tcase (s, tc_tracking);
  tcase_add_test (tc_tracking, test_inference_interval_reuses_results);
  tcase_add_test (tc_tracking, test_new_face_is_inferred_at_once);
  tcase_add_test (tc_tracking, test_smoothing_is_exponential);
  tcase_add_test (tc_tracking, test_track_ids_follow_faces_and_reset_on_flush);

  suite_add_tcase (s, tc_models);
  tcase_add_test (tc_models, test_single_task_model_has_no_va_nor_aus);
  tcase_add_test (tc_models, test_missing_model_posts_loader_error);
  tcase_add_test (tc_models, test_invalid_model_posts_loader_error);
  tcase_add_test (tc_models, test_no_model_set_posts_error);

  suite_add_tcase (s, tc_stream);
  tcase_add_test (tc_stream, test_state_cycling);
  tcase_add_test (tc_stream, test_flushing_seek);
  tcase_add_test (tc_stream, test_renegotiation_size_and_format);
  tcase_add_test (tc_stream, test_eos_is_forwarded);
  tcase_add_test (tc_stream, test_post_messages);
  tcase_add_test (tc_stream, test_two_filters_do_not_duplicate);
  tcase_add_test (tc_stream, test_properties_defaults);

  suite_add_tcase (s, tc_meta);
  tcase_add_test (tc_meta, test_meta_survives_copy);
  tcase_add_test (tc_meta, test_meta_scaled_by_videoscale);
  tcase_add_test (tc_meta, test_meta_follows_roi_meta);

  /* generous: valgrind runs are slow */
  tcase_set_timeout (tc_formats, 3600);
  tcase_set_timeout (tc_rois, 3600);
  tcase_set_timeout (tc_tracking, 3600);
  tcase_set_timeout (tc_models, 3600);
  tcase_set_timeout (tc_stream, 3600);
  tcase_set_timeout (tc_meta, 3600);
  return s;
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  Suite *s;
  int ret;

  gst_check_init (&argc, &argv);

  model_path = g_getenv ("DDAMFN_TEST_MODEL");
  single_model_path = g_getenv ("DDAMFN_TEST_MODEL_SINGLE");
  if (model_path == NULL || single_model_path == NULL
      || !g_file_test (model_path, G_FILE_TEST_EXISTS)
      || !g_file_test (single_model_path, G_FILE_TEST_EXISTS)) {
    g_printerr ("SKIP: set DDAMFN_TEST_MODEL and DDAMFN_TEST_MODEL_SINGLE "
        "to test models (bench/make-bench-model.py)\n");
    return 77;
  }
  ref_model = ddamfn_model_open (model_path, &error);
  if (ref_model == NULL)
    g_error ("cannot open %s: %s", model_path, error->message);
  ref_session = ddamfn_session_new (ref_model, 1, &error);
  if (ref_session == NULL)
    g_error ("cannot create a session: %s", error->message);
  ddamfn_model_get_normalization (ref_model, ref_mean, ref_std);

  s = ddamfnfilter_suite ();
  ret = gst_check_run_suite (s, "ddamfnfilter", __FILE__);

  ddamfn_session_free (ref_session);
  ddamfn_model_unref (ref_model);
  return ret;
}
