/* ddamfnoverlay and ddamfnfilter under hostile input (issue 13): ROIs whose
 * coordinates wrap are analysed and drawn at the same place, max-faces caps
 * what is drawn and says so once per stream, a GstVideoMeta that lies about
 * its strides or offsets is an error and no crash, one 2264x1324 frame with
 * 4000 full-frame ROIs stays within bounded memory, and the filter reads
 * ARGB and ABGR as it reads xRGB and xBGR.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Environment: GST_PLUGIN_PATH must reach the built plugin,
 * DDAMFN_TEST_MODEL(_SINGLE) the test models.
 */
#include "element-common.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define W 320
#define H 240
/* the grey of plain boxes (0.62) */
#define PLAIN 158

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

/* A black BGRx or I420 frame (Y 16) without a video meta. */
static GstBuffer *
black_frame (const GstVideoInfo * info)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info),
      NULL);
  GstMapInfo map;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  memset (map.data, 0, map.size);
  if (GST_VIDEO_INFO_IS_YUV (info)) {
    memset (map.data, 16, GST_VIDEO_INFO_PLANE_OFFSET (info, 1));
    memset (map.data + GST_VIDEO_INFO_PLANE_OFFSET (info, 1), 128,
        map.size - GST_VIDEO_INFO_PLANE_OFFSET (info, 1));
  }
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 25;
  return buf;
}

typedef struct
{
  gint x, y, w, h;
} Box;

/* The bounding box of the pixels of plane 0 that differ from BEFORE;
 * FALSE when none does. */
static gboolean
changed_bounds (GstBuffer * buf, GBytes * before, const GstVideoInfo * info,
    Box * box)
{
  const guint8 *old = g_bytes_get_data (before, NULL);
  gint stride = GST_VIDEO_INFO_PLANE_STRIDE (info, 0);
  gint pstride = GST_VIDEO_INFO_COMP_PSTRIDE (info, 0);
  gint x0 = G_MAXINT, y0 = G_MAXINT, x1 = -1, y1 = -1;
  GstMapInfo map;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  for (gint y = 0; y < GST_VIDEO_INFO_HEIGHT (info); y++)
    for (gint x = 0; x < GST_VIDEO_INFO_WIDTH (info); x++) {
      gsize o = (gsize) y * stride + (gsize) x * pstride;

      if (memcmp (map.data + o, old + o, pstride) != 0) {
        x0 = MIN (x0, x);
        y0 = MIN (y0, y);
        x1 = MAX (x1, x);
        y1 = MAX (y1, y);
      }
    }
  gst_buffer_unmap (buf, &map);
  if (x1 < 0)
    return FALSE;
  box->x = x0;
  box->y = y0;
  box->w = x1 - x0 + 1;
  box->h = y1 - y0 + 1;
  return TRUE;
}

static GstHarness *
overlay_harness (const GstVideoInfo * info, guint max_faces)
{
  GstElement *e = gst_element_factory_make ("ddamfnoverlay", NULL);

  fail_unless (e != NULL, "ddamfnoverlay not found; is GST_PLUGIN_PATH set?");
  if (max_faces != 16)           /* the default */
    g_object_set (e, "max-faces", max_faces, NULL);
  return make_harness (e, info);
}

/* Messages of TYPE the element posted so far on BUS. */
static guint
count_messages (GstBus * bus, GstMessageType type, gchar ** first_text)
{
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop_filtered (bus, type))) {
    if (n++ == 0 && first_text) {
      GError *err = NULL;
      gchar *debug = NULL;

      if (type == GST_MESSAGE_ERROR)
        gst_message_parse_error (msg, &err, &debug);
      else
        gst_message_parse_warning (msg, &err, &debug);
      *first_text = g_strdup_printf ("%s | %s", err->message,
          debug ? debug : "");
      g_error_free (err);
      g_free (debug);
    }
    gst_message_unref (msg);
  }
  return n;
}

static GstBus *
watch (GstHarness * h)
{
  GstBus *bus = gst_bus_new ();

  gst_element_set_bus (h->element, bus);
  return bus;
}

/* ------------------------------------------------------------------ */
/* One clipping rule for both elements                                  */
/* ------------------------------------------------------------------ */

/* An ROI as a hostile producer writes it, and where it lies in a 320x240
 * frame (w == 0: nowhere). */
static const struct
{
  guint x, y, w, h;
  Box expect;
} hostile[] = {
  {0xFFFFFFF0u, 0xFFFFFF00u, 0x40, 0x200, {0, 0, 48, 240}},
  {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, {0, 0, W, H}},
  {0x80000000u, 0x80000000u, 0xFFFFFFFFu, 0xFFFFFFFFu, {0, 0, W, H}},
  {300, 200, 0xFFFFFFFFu, 0xFFFFFFFFu, {300, 200, 20, 40}},
  {0xFFFFFF9Cu, 20, 150, 0xFFFFFFF0u, {0, 20, 50, 220}},
  {0x7FFFFFFFu, 10, 0xFFFFFFFFu, 50, {0, 0, 0, 0}},
  {100, 0xFFFFFFFEu, 60, 1, {0, 0, 0, 0}},
  {0xFFFFFF00u, 0xFFFFFF00u, 0x100, 0x100, {0, 0, 0, 0}},
  {50, 60, 0, 0, {0, 0, 0, 0}},
};

/* Where ddamfnfilter analyses ROI I: the box of its face in the meta. */
static gboolean
filter_box (guint i, Box * box)
{
  GstVideoInfo info;
  GstElement *filter = make_filter ();
  GstHarness *h;
  GstBuffer *buf, *out;
  GstDdamfnMeta *meta;
  gboolean found;

  g_object_set (filter, "min-face-size", 1, NULL);
  info_init (&info, GST_VIDEO_FORMAT_BGRx, W, H, NULL);
  h = make_harness (filter, &info);
  buf = make_frame (&info, i);
  gst_buffer_add_video_region_of_interest_meta (buf, "face", hostile[i].x,
      hostile[i].y, hostile[i].w, hostile[i].h);
  out = gst_harness_push_and_pull (h, buf);
  fail_unless (out != NULL);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL);
  fail_unless (meta->n_faces <= 1);
  found = meta->n_faces == 1;
  if (found) {
    box->x = meta->faces[0].x;
    box->y = meta->faces[0].y;
    box->w = meta->faces[0].w;
    box->h = meta->faces[0].h;
  }
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  return found;
}

/* Where ddamfnoverlay draws ROI I as a plain box on a FORMAT frame. */
static gboolean
overlay_box (guint i, GstVideoFormat format, Box * box)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *buf, *out;
  GBytes *before;
  gboolean drawn;

  info_init (&info, format, W, H, NULL);
  h = overlay_harness (&info, 16);
  g_object_set (h->element, "draw-label", FALSE, NULL);
  buf = black_frame (&info);
  before = buffer_bytes (buf);
  gst_buffer_add_video_region_of_interest_meta (buf, "face", hostile[i].x,
      hostile[i].y, hostile[i].w, hostile[i].h);
  out = gst_harness_push_and_pull (h, buf);
  fail_unless (out != NULL);
  drawn = changed_bounds (out, before, &info, box);
  g_bytes_unref (before);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  return drawn;
}

GST_START_TEST (test_hostile_rois_agree)
{
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++) {
    const Box *e = &hostile[i].expect;
    Box f = { 0 }, o = { 0 }, y = { 0 };
    gboolean analysed = filter_box (i, &f);
    gboolean drawn = overlay_box (i, GST_VIDEO_FORMAT_BGRx, &o);
    gboolean drawn_yuv = overlay_box (i, GST_VIDEO_FORMAT_I420, &y);

    GST_INFO ("ROI %u (%08x,%08x %08x×%08x): filter %d %d,%d %dx%d, "
        "overlay %d %d,%d %dx%d", i, hostile[i].x, hostile[i].y,
        hostile[i].w, hostile[i].h, analysed, f.x, f.y, f.w, f.h, drawn,
        o.x, o.y, o.w, o.h);
    fail_unless_equals_int (analysed, e->w > 0);
    fail_unless_equals_int (drawn, e->w > 0);
    fail_unless_equals_int (drawn_yuv, e->w > 0);
    if (e->w == 0)
      continue;
    /* the filter analyses the expected box, the overlay draws exactly
     * its edges, on the frame itself and blended alike */
    fail_unless (f.x == e->x && f.y == e->y && f.w == e->w && f.h == e->h,
        "ROI %u analysed at %d,%d %dx%d", i, f.x, f.y, f.w, f.h);
    fail_unless (memcmp (&o, &f, sizeof (Box)) == 0,
        "ROI %u drawn at %d,%d %dx%d, analysed at %d,%d %dx%d", i, o.x, o.y,
        o.w, o.h, f.x, f.y, f.w, f.h);
    fail_unless (memcmp (&y, &f, sizeof (Box)) == 0,
        "ROI %u drawn on I420 at %d,%d %dx%d", i, y.x, y.y, y.w, y.h);
  }
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* max-faces and its warning                                            */
/* ------------------------------------------------------------------ */

static gboolean
box_edge_changed (GstBuffer * buf, GBytes * before, const GstVideoInfo * info,
    gint x, gint y)
{
  GstMapInfo map;
  gsize o = (gsize) y * GST_VIDEO_INFO_PLANE_STRIDE (info, 0) + (gsize) x *
      4;
  gboolean changed;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  changed = memcmp (map.data + o, (const guint8 *) g_bytes_get_data (before,
          NULL) + o, 4) != 0;
  fail_unless (!changed || map.data[o] == PLAIN);
  gst_buffer_unmap (buf, &map);
  return changed;
}

GST_START_TEST (test_max_faces_caps_and_warns_once)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBus *bus;
  gchar *text = NULL;
  GParamSpec *pspec;
  guint def;

  /* the same default as ddamfnfilter's */
  {
    GstElement *o = gst_element_factory_make ("ddamfnoverlay", NULL);
    GstElement *f = make_filter ();
    guint fdef;

    pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (o),
        "max-faces");
    fail_unless (pspec != NULL);
    def = G_PARAM_SPEC_UINT (pspec)->default_value;
    fail_unless (strlen (g_param_spec_get_blurb (pspec)) > 20);
    pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (f),
        "max-faces");
    fdef = G_PARAM_SPEC_UINT (pspec)->default_value;
    fail_unless_equals_int (def, 16);
    fail_unless_equals_int (def, fdef);
    gst_object_unref (o);
    gst_object_unref (f);
  }

  info_init (&info, GST_VIDEO_FORMAT_BGRx, W, H, NULL);
  h = overlay_harness (&info, 5);
  g_object_set (h->element, "draw-label", FALSE, NULL);
  bus = watch (h);

  for (gint round = 0; round < 4; round++) {
    GstBuffer *buf, *out;
    GBytes *before;

    if (round == 3)
      fail_unless (gst_harness_push_event (h,
              gst_event_new_stream_start ("second")));
    buf = black_frame (&info);
    before = buffer_bytes (buf);
    /* 30 boxes of 8x8 on a grid; the first 5 are drawn */
    for (gint i = 0; i < 30; i++)
      gst_buffer_add_video_region_of_interest_meta (buf, "face",
          12 + (i % 10) * 30, 12 + (i / 10) * 60, 8, 8);
    out = gst_harness_push_and_pull (h, buf);
    fail_unless (out != NULL);
    for (gint i = 0; i < 30; i++)
      fail_unless_equals_int (box_edge_changed (out, before, &info,
              12 + (i % 10) * 30, 12 + (i / 10) * 60), i < 5);
    g_bytes_unref (before);
    gst_buffer_unref (out);

    /* one warning for the first stream, one more after a new stream */
    fail_unless_equals_int (count_messages (bus, GST_MESSAGE_WARNING,
            round == 0 ? &text : NULL), round == 0 || round == 3 ? 1 : 0);
    if (round == 0) {
      fail_unless (strstr (text, "5 drawn, 25 skipped") != NULL, "%s", text);
      fail_unless (strstr (text, "max-faces") != NULL, "%s", text);
      g_free (text);
    }
  }
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Video metas that lie                                                 */
/* ------------------------------------------------------------------ */

/* A FORMAT frame of the real size whose video meta multiplies plane
 * PLANE's stride by STRIDE_FACTOR and adds EXTRA_OFFSET to its offset. */
static GstBuffer *
lying_frame (const GstVideoInfo * info, guint plane, gint stride_factor,
    gsize extra_offset)
{
  GstBuffer *buf = black_frame (info);
  gsize offset[GST_VIDEO_MAX_PLANES];
  gint stride[GST_VIDEO_MAX_PLANES];
  GstDdamfnFace face;

  memcpy (offset, info->offset, sizeof (offset));
  memcpy (stride, info->stride, sizeof (stride));
  stride[plane] *= stride_factor;
  offset[plane] += extra_offset;
  gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_INFO_FORMAT (info), GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info), GST_VIDEO_INFO_N_PLANES (info), offset,
      stride);
  memset (&face, 0, sizeof (face));
  face.roi_id = -1;
  face.x = 10;
  face.y = 10;
  face.w = 100;
  face.h = 100;
  face.expr_index = -1;
  gst_buffer_add_ddamfn_meta (buf, &face, 1);
  return buf;
}

GST_START_TEST (test_lying_video_meta_is_an_error)
{
  static const struct
  {
    GstVideoFormat format;
    guint plane;
    gint factor;
    gsize extra;
  } cases[] = {
    {GST_VIDEO_FORMAT_RGBx, 0, 8, 0},
    {GST_VIDEO_FORMAT_BGRx, 0, 8, 0},   /* drawn on directly */
    {GST_VIDEO_FORMAT_RGB, 0, 2, 0},
    {GST_VIDEO_FORMAT_I420, 2, 1, 4096},
    {GST_VIDEO_FORMAT_NV12, 1, 4, 0},
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
    GstVideoInfo info;
    GstHarness *h;
    GstBus *bus;
    gchar *text = NULL;

    info_init (&info, cases[c].format, W, H, NULL);
    h = overlay_harness (&info, 16);
    bus = watch (h);
    fail_unless_equals_int (gst_harness_push (h, lying_frame (&info,
                cases[c].plane, cases[c].factor, cases[c].extra)),
        GST_FLOW_ERROR);
    fail_unless_equals_int (count_messages (bus, GST_MESSAGE_ERROR, &text),
        1);
    fail_unless (strstr (text, "stride or offset too large") != NULL,
        "%s", text);
    g_free (text);
    gst_element_set_bus (h->element, NULL);
    gst_object_unref (bus);
    gst_harness_teardown (h);

    /* an honest meta on the same frame is drawn */
    h = overlay_harness (&info, 16);
    {
      GstBuffer *out = gst_harness_push_and_pull (h, lying_frame (&info,
              cases[c].plane, 1, 0));
      fail_unless (out != NULL);
      gst_buffer_unref (out);
    }
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* 4000 full-frame ROIs on a 2264x1324 frame                            */
/* ------------------------------------------------------------------ */

#define BIG_W 2264
#define BIG_H 1324
#define N_ROIS 4000
#define BOUND_MB 300.0

static GstBuffer *
crowded_frame (const GstVideoInfo * info, gboolean with_results)
{
  GstBuffer *buf = make_frame (info, 7);

  for (gint i = 0; i < N_ROIS; i++)
    add_roi (buf, "face", i, 0, 0, BIG_W, BIG_H);
  if (with_results) {
    GstDdamfnFace *faces = g_new0 (GstDdamfnFace, 256);

    for (guint i = 0; i < 256; i++) {
      faces[i].roi_id = i;
      faces[i].track_id = i + 1;
      faces[i].w = BIG_W;
      faces[i].h = BIG_H;
      faces[i].has_va = TRUE;
      faces[i].n_expr = 1;
      faces[i].expr_probs[0] = 1;
      faces[i].expr_label = g_intern_string ("Neutral");
    }
    gst_buffer_add_ddamfn_meta (buf, faces, 256);
    g_free (faces);
  }
  return buf;
}

static gdouble
peak_mb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

/* Runs DESCRIPTION ("ddamfnoverlay", or a chain) on one crowded FORMAT
 * frame in a child process; returns the growth of its peak resident memory
 * in MB. With DRAWS, the frame must have changed. */
static gdouble
crowded_run (const gchar * description, GstVideoFormat format,
    gboolean with_results, gboolean draws)
{
  int fds[2];
  pid_t pid;
  gdouble growth = -1;
  int status;

  fail_unless (pipe (fds) == 0);
  pid = fork ();
  fail_unless (pid >= 0);
  if (pid == 0) {
    GstVideoInfo info;
    GstHarness *h = gst_harness_new_parse (description);
    GstBuffer *in, *out;
    GBytes *before;
    gdouble base, grown;
    Box drawn;

    close (fds[0]);
    info_init (&info, format, BIG_W, BIG_H, NULL);
    gst_harness_set_caps (h, gst_video_info_to_caps (&info),
        gst_video_info_to_caps (&info));
    in = crowded_frame (&info, with_results);
    before = buffer_bytes (in);
    base = peak_mb ();
    out = gst_harness_push_and_pull (h, in);
    grown = peak_mb () - base;
    /* something was drawn */
    if (out == NULL || (draws && !changed_bounds (out, before, &info,
                &drawn)))
      grown = -2;
    if (write (fds[1], &grown, sizeof (grown)) != sizeof (grown))
      _exit (3);
    _exit (0);
  }
  close (fds[1]);
  fail_unless (read (fds[0], &growth, sizeof (growth)) == sizeof (growth),
      "the child running %s died", description);
  close (fds[0]);
  fail_unless (waitpid (pid, &status, 0) == pid);
  fail_unless (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  fail_unless (growth != -2, "%s gave nothing back or drew nothing",
      description);
  return growth;
}

GST_START_TEST (test_crowded_frame_overlay_bounded)
{
  static const GstVideoFormat formats[] = { GST_VIDEO_FORMAT_RGB,
    GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_BGRx
  };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    /* every face drawn, and the default cap */
    gdouble all = crowded_run ("ddamfnoverlay max-faces=4096", formats[f],
        TRUE, TRUE);
    gdouble capped = crowded_run ("ddamfnoverlay", formats[f], TRUE, TRUE);

    g_print ("ddamfnoverlay, %s %dx%d, %d ROIs + 256 results: peak RSS "
        "+%.1f MB with every face drawn, +%.1f MB with max-faces=16\n",
        gst_video_format_to_string (formats[f]), BIG_W, BIG_H, N_ROIS, all,
        capped);
#ifndef UNDER_ASAN
    /* one frame of ARGB is 12 MB */
    fail_unless (all < 64, "overlay grew by %.1f MB", all);
    fail_unless (capped < 64, "overlay grew by %.1f MB", capped);
#endif
  }
}

GST_END_TEST;

/* The whole pipeline of the issue. Its bound needs ddamfnfilter's session
 * scratch to stay bounded for a 256-face batch as well; while the filter
 * alone exceeds it, the overlay's share of the pipeline is what is held
 * to the bound, and the filter's figure is printed. */
GST_START_TEST (test_crowded_frame_pipeline_bounded)
{
  static const GstVideoFormat formats[] = { GST_VIDEO_FORMAT_RGB,
    GST_VIDEO_FORMAT_I420
  };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    gchar *filter = g_strdup_printf ("ddamfnfilter model=\"%s\" "
        "max-faces=256", model_path);
    gchar *both = g_strdup_printf ("%s ! ddamfnoverlay", filter);
    gdouble whole = crowded_run (both, formats[f], FALSE, TRUE);
    gdouble alone = crowded_run (filter, formats[f], FALSE, FALSE);

    g_print ("%s, %dx%d, %d full-frame ROIs: peak RSS +%.1f MB, "
        "ddamfnfilter alone +%.1f MB\n", gst_video_format_to_string
        (formats[f]), BIG_W, BIG_H, N_ROIS, whole, alone);
#ifndef UNDER_ASAN
    if (alone < BOUND_MB)
      fail_unless (whole < BOUND_MB, "pipeline grew by %.1f MB", whole);
    else
      g_print ("  ddamfnfilter alone exceeds %.0f MB (its session scratch "
          "for a 256-face batch): only the overlay's share is checked\n",
          BOUND_MB);
    fail_unless (whole - alone < 64, "the overlay added %.1f MB",
        whole - alone);
#endif
    g_free (both);
    g_free (filter);
  }
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* ARGB and ABGR in ddamfnfilter                                        */
/* ------------------------------------------------------------------ */

/* The face ddamfnfilter finds in a FORMAT copy of FRAME (xRGB bytes). */
static GstDdamfnFace
analyse_as (GstBuffer * xrgb, GstVideoFormat format)
{
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *buf, *out;
  GstDdamfnMeta *meta;
  GstDdamfnFace face;

  info_init (&info, format, W, H, NULL);
  h = make_harness (make_filter (), &info);
  buf = gst_buffer_copy_deep (xrgb);
  add_roi (buf, "face", 1, 60, 40, 150, 150);
  out = gst_harness_push_and_pull (h, buf);
  fail_unless (out != NULL);
  meta = gst_buffer_get_ddamfn_meta (out);
  fail_unless (meta != NULL && meta->n_faces == 1);
  face = meta->faces[0];
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  return face;
}

GST_START_TEST (test_filter_reads_argb_and_abgr)
{
  GstVideoInfo info;
  GstBuffer *frame;
  GstDdamfnFace x, a;

  info_init (&info, GST_VIDEO_FORMAT_xRGB, W, H, NULL);
  frame = make_frame (&info, 3);
  gst_buffer_remove_meta (frame,
      (GstMeta *) gst_buffer_get_video_meta (frame));
  /* same bytes: the first byte of a pixel is unused or alpha */
  x = analyse_as (frame, GST_VIDEO_FORMAT_xRGB);
  a = analyse_as (frame, GST_VIDEO_FORMAT_ARGB);
  fail_unless (x.n_expr > 0);
  fail_unless (memcmp (x.expr_probs, a.expr_probs, sizeof (x.expr_probs))
      == 0, "ARGB read differently from xRGB");
  fail_unless (x.valence == a.valence && x.arousal == a.arousal);
  x = analyse_as (frame, GST_VIDEO_FORMAT_xBGR);
  a = analyse_as (frame, GST_VIDEO_FORMAT_ABGR);
  fail_unless (memcmp (x.expr_probs, a.expr_probs, sizeof (x.expr_probs))
      == 0, "ABGR read differently from xBGR");
  /* and RGB order matters: xRGB and xBGR differ */
  fail_unless (memcmp (analyse_as (frame, GST_VIDEO_FORMAT_ARGB).expr_probs,
          x.expr_probs, sizeof (x.expr_probs)) != 0);
  gst_buffer_unref (frame);
}

GST_END_TEST;

static Suite *
overlay_bounded_suite (void)
{
  Suite *s = suite_create ("ddamfn-overlay-bounded");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 600);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_hostile_rois_agree);
  tcase_add_test (tc, test_max_faces_caps_and_warns_once);
  tcase_add_test (tc, test_lying_video_meta_is_an_error);
  tcase_add_test (tc, test_filter_reads_argb_and_abgr);
  tcase_add_test (tc, test_crowded_frame_overlay_bounded);
#ifndef UNDER_ASAN
  /* 256 faces through the network twice per format: minutes under ASan */
  tcase_add_test (tc, test_crowded_frame_pipeline_bounded);
#endif
  return s;
}

int
main (int argc, char **argv)
{
  return element_test_main (argc, argv, overlay_bounded_suite,
      "overlay-bounded");
}
