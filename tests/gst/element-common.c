/* Helpers shared by the ddamfnfilter element tests.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "element-common.h"

#include <math.h>

const gchar *model_path;
const gchar *single_model_path;
DdamfnModel *ref_model;
DdamfnSession *ref_session;
float ref_mean[3], ref_std[3];

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

GstElement *
make_filter (void)
{
  GstElement *e = gst_element_factory_make ("ddamfnfilter", NULL);

  fail_unless (e != NULL, "ddamfnfilter not found; is GST_PLUGIN_PATH set?");
  g_object_set (e, "model", model_path, NULL);
  return e;
}

/* A harness around ELEMENT (already configured), negotiated to INFO. */
GstHarness *
make_harness (GstElement * element, const GstVideoInfo * info)
{
  GstHarness *h = gst_harness_new_with_element (element, "sink", "src");

  gst_harness_set_src_caps (h, gst_video_info_to_caps (info));
  gst_object_unref (element);
  return h;
}

void
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
GstBuffer *
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

GstVideoRegionOfInterestMeta *
add_roi (GstBuffer * buf, const gchar * type, gint id, gint x, gint y,
    guint w, guint h)
{
  GstVideoRegionOfInterestMeta *roi =
      gst_buffer_add_video_region_of_interest_meta (buf, type, (guint) x,
      (guint) y, w, h);
  roi->id = id;
  return roi;
}

GBytes *
buffer_bytes (GstBuffer * buf)
{
  GstMapInfo map;
  GBytes *bytes;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  bytes = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buf, &map);
  return bytes;
}

void
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
DdamfnYuvMatrix
expected_matrix (const GstVideoInfo * info)
{
  if (info->colorimetry.matrix == GST_VIDEO_COLOR_MATRIX_BT709)
    return DDAMFN_YUV_BT709;
  if (info->colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255)
    return DDAMFN_YUV_BT601_FULL;
  return DDAMFN_YUV_BT601;
}

DdamfnPixelFormat
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
void
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

gboolean
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

void
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

gdouble
array_double (const GValue * array, guint i)
{
  return g_value_get_double (gst_value_array_get_value (array, i));
}

/* The ROI's "ddamfn" parameter says the same as the typed meta's FACE. */
void
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
    fail_unless_six_decimals_of (d, face->valence);
    fail_unless (gst_structure_get_double (st, "arousal", &d));
    fail_unless_six_decimals_of (d, face->arousal);
  } else {
    fail_if (gst_structure_has_field (st, "valence"));
    fail_if (gst_structure_has_field (st, "arousal"));
  }

  if (face->n_expr > 0) {
    fail_unless_equals_string (gst_structure_get_string (st, "expression"),
        face->expr_label);
    fail_unless (gst_structure_get_double (st, "confidence", &d));
    fail_unless_six_decimals_of (d, face->expr_probs[face->expr_index]);
    v = gst_structure_get_value (st, "expression-probs");
    fail_unless (v && GST_VALUE_HOLDS_ARRAY (v));
    fail_unless_equals_int (gst_value_array_get_size (v), face->n_expr);
    for (gint k = 0; k < face->n_expr; k++)
      fail_unless_six_decimals_of (array_double (v, k), face->expr_probs[k]);
  }

  if (face->n_au > 0) {
    v = gst_structure_get_value (st, "au-probs");
    fail_unless (v && GST_VALUE_HOLDS_ARRAY (v));
    fail_unless_equals_int (gst_value_array_get_size (v), face->n_au);
    for (gint k = 0; k < face->n_au; k++)
      fail_unless_six_decimals_of (array_double (v, k), face->au_probs[k]);
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

const GstDdamfnFace *
find_face (GstDdamfnMeta * meta, gint roi_id)
{
  for (guint i = 0; i < meta->n_faces; i++)
    if (meta->faces[i].roi_id == roi_id)
      return &meta->faces[i];
  return NULL;
}

/* Every face of the meta that came from an ROI (roi_id not -1: faces
 * given as analytics object detections only have none) has a matching
 * ROI parameter. */
void
assert_meta_consistent (GstBuffer * buf)
{
  GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (buf);

  fail_unless (meta != NULL);
  for (guint i = 0; i < meta->n_faces; i++) {
    GstVideoRegionOfInterestMeta *roi;

    if (meta->faces[i].roi_id == -1)
      continue;
    roi = gst_buffer_get_video_region_of_interest_meta_id (buf,
        meta->faces[i].roi_id);
    fail_unless (roi != NULL);
    assert_roi_param_matches_face (roi, &meta->faces[i]);
  }
}

int
element_test_main (int argc, char **argv, Suite * (*make_suite) (void),
    const gchar * name)
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

  s = make_suite ();
  ret = gst_check_run_suite (s, name, __FILE__);

  ddamfn_session_free (ref_session);
  ddamfn_model_unref (ref_model);
  return ret;
}
