/* Element tests of ddamfnoverlay: a known GstDdamfnMeta on a uniform frame,
 * pixels checked where the box, the label, the dial and the AU bars must be
 * and where nothing may change; cairo's direct path (BGRx), the overlay
 * composition path (RGB, I420, NV12), plain boxes for ROIs without results,
 * the properties, and buffers with nothing to draw.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Environment: GST_PLUGIN_PATH must reach the built plugin.
 */
#include <gst/gst.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <gst/ddamfn/gstddamfnmeta.h>

#include <string.h>

#define WIDTH 320
#define HEIGHT 240

/* The face of most tests: a 80×80 box whose label fits above it and whose
 * dial and AU bars fit right of and below it. */
#define FX 100
#define FY 90
#define FW 80
#define FH 80

/* Background: grey 64 in RGB, Y 100 / U V 128 in YUV. */
#define BG 64
#define BG_Y 100
#define BG_C 128

/* "Happy" is drawn in (1.0, 0.84, 0.0); cairo rounds 0.84 to 214 or 215. */
static const guint8 happy_rgb[3] = { 255, 214, 0 };

/* The plain box colour (0.62 grey). */
#define PLAIN 158

static const gchar *labels[8] = {
  "Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust", "Anger",
  "Contempt"
};

static const gchar *au_names[12] = {
  "AU1", "AU2", "AU4", "AU6", "AU7", "AU10", "AU12", "AU15", "AU23",
  "AU24", "AU25", "AU26"
};

/* ------------------------------------------------------------------ */
/* Frames and metas                                                     */
/* ------------------------------------------------------------------ */

static void
info_init (GstVideoInfo * info, GstVideoFormat format)
{
  gst_video_info_init (info);
  fail_unless (gst_video_info_set_format (info, format, WIDTH, HEIGHT));
  GST_VIDEO_INFO_FPS_N (info) = 25;
  GST_VIDEO_INFO_FPS_D (info) = 1;
}

/* A uniform frame: grey BG in RGB formats, (BG_Y, BG_C, BG_C) in YUV. */
static GstBuffer *
make_frame (const GstVideoInfo * info)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info),
      NULL);
  GstVideoFrame frame;

  fail_unless (gst_video_frame_map (&frame, info, buf, GST_MAP_WRITE));
  if (GST_VIDEO_INFO_IS_YUV (info)) {
    for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (&frame); p++) {
      gint rows = GST_VIDEO_FRAME_COMP_HEIGHT (&frame, p == 0 ? 0 : 1);
      memset (GST_VIDEO_FRAME_PLANE_DATA (&frame, p), p == 0 ? BG_Y : BG_C,
          (gsize) GST_VIDEO_FRAME_PLANE_STRIDE (&frame, p) * rows);
    }
  } else {
    /* every channel, alpha included: opaque where there is alpha */
    guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (&frame, 0);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
    gint pstride = GST_VIDEO_FRAME_COMP_PSTRIDE (&frame, 0);

    for (gint y = 0; y < HEIGHT; y++) {
      memset (data + (gsize) y * stride, BG, (gsize) WIDTH * pstride);
      if (GST_VIDEO_INFO_HAS_ALPHA (info)) {
        gint aoff = GST_VIDEO_FRAME_COMP_POFFSET (&frame, 3);
        for (gint x = 0; x < WIDTH; x++)
          data[(gsize) y * stride + x * pstride + aoff] = 255;
      }
    }
  }
  gst_video_frame_unmap (&frame);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 25;
  return buf;
}

/* A face at (X, Y, W, H), track 3, "Happy" at 90 %, valence 0.5, arousal
 * 0.5, with the action units of AU_ACTIVE active (each at 0.8). */
static GstDdamfnFace
make_face (guint x, guint y, guint w, guint h, guint32 au_active)
{
  GstDdamfnFace face;

  memset (&face, 0, sizeof (face));
  face.roi_id = -1;
  face.track_id = 3;
  face.x = x;
  face.y = y;
  face.w = w;
  face.h = h;
  face.has_va = TRUE;
  face.valence = 0.5f;
  face.arousal = 0.5f;
  face.n_expr = 8;
  face.expr_index = 1;
  for (gint k = 0; k < 8; k++)
    face.expr_probs[k] = k == 1 ? 0.9f : 0.1f / 7;
  face.expr_label = g_intern_string (labels[1]);
  face.n_au = 12;
  for (gint k = 0; k < 12; k++) {
    face.au_probs[k] = (au_active & (1u << k)) ? 0.8f : 0.1f;
    face.au_names[k] = g_intern_string (au_names[k]);
  }
  face.au_active = au_active;
  return face;
}

static GstBuffer *
frame_with_face (const GstVideoInfo * info, guint32 au_active)
{
  GstBuffer *buf = make_frame (info);
  GstDdamfnFace face = make_face (FX, FY, FW, FH, au_active);

  gst_buffer_add_ddamfn_meta (buf, &face, 1);
  return buf;
}

/* Pushes BUF through a ddamfnoverlay with the given properties (name,
 * value pairs, NULL-terminated) and returns what comes out. */
static GstBuffer *
overlay (const GstVideoInfo * info, GstBuffer * buf, const gchar * first,
    ...)
{
  GstElement *e = gst_element_factory_make ("ddamfnoverlay", NULL);
  GstHarness *h;
  GstBuffer *out;
  va_list args;

  fail_unless (e != NULL, "ddamfnoverlay not found; is GST_PLUGIN_PATH set?");
  va_start (args, first);
  if (first)
    g_object_set_valist (G_OBJECT (e), first, args);
  va_end (args);
  h = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);
  gst_harness_set_src_caps (h, gst_video_info_to_caps (info));
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out != NULL);
  gst_harness_teardown (h);
  return out;
}

/* ------------------------------------------------------------------ */
/* Reading pixels                                                       */
/* ------------------------------------------------------------------ */

typedef struct
{
  GstVideoFrame frame;
  GstBuffer *buf;
} Pixels;

static void
pixels_map (Pixels * px, const GstVideoInfo * info, GstBuffer * buf)
{
  px->buf = buf;
  fail_unless (gst_video_frame_map (&px->frame, info, buf, GST_MAP_READ));
}

static void
pixels_unmap (Pixels * px)
{
  gst_video_frame_unmap (&px->frame);
  gst_buffer_unref (px->buf);
}

/* R, G, B of a pixel of a packed RGB frame. */
static void
rgb_at (Pixels * px, gint x, gint y, guint8 rgb[3])
{
  GstVideoFrame *f = &px->frame;
  const guint8 *p = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (f, 0) +
      (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (f, 0) +
      (gsize) x * GST_VIDEO_FRAME_COMP_PSTRIDE (f, 0);

  for (gint c = 0; c < 3; c++)
    rgb[c] = p[GST_VIDEO_FRAME_COMP_POFFSET (f, c)];
}

/* Component C (0 = Y, 1 = U, 2 = V) of a YUV frame at frame pixel (x, y). */
static guint8
yuv_at (Pixels * px, gint c, gint x, gint y)
{
  GstVideoFrame *f = &px->frame;
  gint cx = GST_VIDEO_FORMAT_INFO_SCALE_WIDTH (f->info.finfo, c, x);
  gint cy = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT (f->info.finfo, c, y);

  return ((const guint8 *) GST_VIDEO_FRAME_COMP_DATA (f, c))
      [(gsize) cy * GST_VIDEO_FRAME_COMP_STRIDE (f, c) +
      (gsize) cx * GST_VIDEO_FRAME_COMP_PSTRIDE (f, c)];
}

static gboolean
rgb_is (Pixels * px, gint x, gint y, guint8 r, guint8 g, guint8 b, gint tol)
{
  guint8 rgb[3];

  rgb_at (px, x, y, rgb);
  return ABS (rgb[0] - r) <= tol && ABS (rgb[1] - g) <= tol
      && ABS (rgb[2] - b) <= tol;
}

#define assert_rgb(px, x, y, r, g, b, tol) G_STMT_START {                 \
  guint8 _rgb[3];                                                        \
  rgb_at (px, x, y, _rgb);                                               \
  fail_unless (rgb_is (px, x, y, r, g, b, tol),                          \
      "pixel (%d, %d) is (%u, %u, %u), expected (%u, %u, %u) ± %d",      \
      x, y, _rgb[0], _rgb[1], _rgb[2], r, g, b, tol);                    \
} G_STMT_END

#define assert_background(px, x, y) assert_rgb (px, x, y, BG, BG, BG, 0)
#define assert_happy(px, x, y) \
  assert_rgb (px, x, y, happy_rgb[0], happy_rgb[1], happy_rgb[2], 2)

/* Pixels in the rectangle that are not the background. */
static guint
count_changed (Pixels * px, gint x0, gint y0, gint x1, gint y1)
{
  guint n = 0;

  for (gint y = y0; y < y1; y++)
    for (gint x = x0; x < x1; x++)
      if (GST_VIDEO_INFO_IS_YUV (&px->frame.info)) {
        if (yuv_at (px, 0, x, y) != BG_Y)
          n++;
      } else if (!rgb_is (px, x, y, BG, BG, BG, 0)) {
        n++;
      }
  return n;
}

/* Pixels in the rectangle that are nearly black (label text on yellow). */
static guint
count_dark (Pixels * px, gint x0, gint y0, gint x1, gint y1)
{
  guint n = 0;

  for (gint y = y0; y < y1; y++)
    for (gint x = x0; x < x1; x++)
      if (rgb_is (px, x, y, 0, 0, 0, 40))
        n++;
  return n;
}

/* ------------------------------------------------------------------ */
/* Packed RGB                                                           */
/* ------------------------------------------------------------------ */

/* The parts of the face drawn with the default properties, checked on a
 * packed RGB frame in FORMAT. */
static void
check_face_on_packed (GstVideoFormat format)
{
  GstVideoInfo info;
  Pixels px;

  info_init (&info, format);
  pixels_map (&px, &info, overlay (&info, frame_with_face (&info,
              (1u << 3) | (1u << 6)), NULL));

  /* The box: its 2-pixel edge in the Happy colour, all four sides. */
  assert_happy (&px, FX, FY + FH / 2);
  assert_happy (&px, FX + 1, FY + FH / 2);
  assert_happy (&px, FX + FW - 1, FY + FH / 2);
  assert_happy (&px, FX + FW / 2, FY + FH - 2);
  assert_happy (&px, FX + FW / 2, FY + 1);
  /* Inside the box and just outside its left edge: untouched. */
  assert_background (&px, FX + 2, FY + FH / 2);
  assert_background (&px, FX + FW / 2, FY + FH / 2);
  assert_background (&px, FX + 10, FY + 10);
  assert_background (&px, FX - 1, FY + FH / 2);
  fail_unless_equals_int (count_changed (&px, FX + 2, FY + 2, FX + FW - 2,
          FY + FH - 2), 0);

  /* The label: a Happy-coloured band right above the box (its padding is
   * plain colour) with dark text in it, nothing higher up. */
  assert_happy (&px, FX, FY - 1);
  assert_happy (&px, FX + 1, FY - 2);
  fail_unless (count_dark (&px, FX, FY - 20, FX + 80, FY) > 40,
      "no label text above the box");
  assert_background (&px, FX + 5, FY - 40);
  assert_background (&px, FX - 1, FY - 5);

  /* The dial right of the box (dark disc), the AU bars below it (dark
   * panel with two rows). */
  fail_unless (count_changed (&px, FX + FW + 2, FY, FX + FW + 40,
          FY + 30) > 300, "no dial right of the box");
  fail_unless (count_changed (&px, FX, FY + FH + 2, FX + 60,
          FY + FH + 30) > 600, "no AU bars below the box");
  assert_background (&px, FX + 5, FY + FH + 50);

  /* Far from the face: untouched. */
  fail_unless_equals_int (count_changed (&px, 0, 0, WIDTH, 40), 0);
  fail_unless_equals_int (count_changed (&px, 0, 0, 60, HEIGHT), 0);
  fail_unless_equals_int (count_changed (&px, 250, 0, WIDTH, HEIGHT), 0);
  fail_unless_equals_int (count_changed (&px, 0, 220, WIDTH, HEIGHT), 0);
  pixels_unmap (&px);
}

GST_START_TEST (test_draws_on_bgrx_directly)
{
  check_face_on_packed (GST_VIDEO_FORMAT_BGRx);
}

GST_END_TEST;

GST_START_TEST (test_draws_on_rgb_by_composition)
{
  check_face_on_packed (GST_VIDEO_FORMAT_RGB);
}

GST_END_TEST;

GST_START_TEST (test_draws_on_rgba_keeping_it_opaque)
{
  GstVideoInfo info;
  Pixels px;
  const guint8 *p;

  info_init (&info, GST_VIDEO_FORMAT_RGBA);
  check_face_on_packed (GST_VIDEO_FORMAT_RGBA);
  pixels_map (&px, &info, overlay (&info, frame_with_face (&info, 0), NULL));
  p = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&px.frame, 0) +
      (gsize) (FY + FH / 2) * GST_VIDEO_FRAME_PLANE_STRIDE (&px.frame, 0) +
      FX * 4;
  fail_unless_equals_int (p[3], 255);
  pixels_unmap (&px);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Planar YUV                                                           */
/* ------------------------------------------------------------------ */

static void
check_face_on_yuv (GstVideoFormat format)
{
  GstVideoInfo info;
  Pixels px;

  info_init (&info, format);
  pixels_map (&px, &info, overlay (&info, frame_with_face (&info, 1u << 6),
          NULL));

  /* Yellow is bright, with little blue: Y well above the background, U
   * well below neutral, on the box edge and in the label's padding. */
  fail_unless (yuv_at (&px, 0, FX, FY + FH / 2) > BG_Y + 60);
  fail_unless (yuv_at (&px, 0, FX + FW - 1, FY + FH / 2) > BG_Y + 60);
  fail_unless (yuv_at (&px, 1, FX, FY + FH / 2) < BG_C - 40);
  fail_unless (yuv_at (&px, 0, FX + 1, FY - 1) > BG_Y + 60);
  fail_unless (count_changed (&px, FX, FY - 20, FX + 80, FY) > 800,
      "no label above the box");

  /* Inside the box, and far from the face: Y, U and V untouched. */
  fail_unless_equals_int (count_changed (&px, FX + 2, FY + 2, FX + FW - 2,
          FY + FH - 2), 0);
  fail_unless_equals_int (yuv_at (&px, 1, FX + FW / 2, FY + FH / 2), BG_C);
  fail_unless_equals_int (yuv_at (&px, 2, FX + FW / 2, FY + FH / 2), BG_C);
  fail_unless_equals_int (count_changed (&px, 0, 0, WIDTH, 40), 0);
  fail_unless_equals_int (count_changed (&px, 250, 0, WIDTH, HEIGHT), 0);
  fail_unless_equals_int (yuv_at (&px, 1, 10, 10), BG_C);
  fail_unless_equals_int (yuv_at (&px, 2, 300, 230), BG_C);

  /* dial and AU bars */
  fail_unless (count_changed (&px, FX + FW + 2, FY, FX + FW + 40,
          FY + 30) > 300);
  fail_unless (count_changed (&px, FX, FY + FH + 2, FX + 60,
          FY + FH + 18) > 300);
  pixels_unmap (&px);
}

GST_START_TEST (test_draws_on_i420_by_composition)
{
  check_face_on_yuv (GST_VIDEO_FORMAT_I420);
}

GST_END_TEST;

GST_START_TEST (test_draws_on_nv12_by_composition)
{
  check_face_on_yuv (GST_VIDEO_FORMAT_NV12);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* What is drawn                                                        */
/* ------------------------------------------------------------------ */

GST_START_TEST (test_roi_without_result_is_a_plain_box)
{
  GstVideoInfo info;
  GstBuffer *buf;
  Pixels px;

  info_init (&info, GST_VIDEO_FORMAT_BGRx);
  buf = make_frame (&info);
  gst_buffer_add_video_region_of_interest_meta (buf, "face", FX, FY, FW, FH);
  /* another type is not drawn */
  gst_buffer_add_video_region_of_interest_meta (buf, "car", 10, 10, 40, 40);
  pixels_map (&px, &info, overlay (&info, buf, NULL));

  assert_rgb (&px, FX, FY + FH / 2, PLAIN, PLAIN, PLAIN, 1);
  assert_rgb (&px, FX + FW - 1, FY + 5, PLAIN, PLAIN, PLAIN, 1);
  assert_background (&px, FX + FW / 2, FY + FH / 2);
  /* no label, dial or bars */
  fail_unless_equals_int (count_changed (&px, 0, 0, WIDTH, FY), 0);
  fail_unless_equals_int (count_changed (&px, FX + FW, 0, WIDTH, HEIGHT), 0);
  fail_unless_equals_int (count_changed (&px, 0, FY + FH, WIDTH, HEIGHT), 0);
  pixels_unmap (&px);
}

GST_END_TEST;

GST_START_TEST (test_roi_type_empty_draws_every_roi)
{
  GstVideoInfo info;
  GstBuffer *buf;
  Pixels px;

  info_init (&info, GST_VIDEO_FORMAT_BGRx);
  buf = make_frame (&info);
  gst_buffer_add_video_region_of_interest_meta (buf, "car", 10, 10, 40, 40);
  pixels_map (&px, &info, overlay (&info, buf, "roi-type", "", NULL));
  assert_rgb (&px, 10, 30, PLAIN, PLAIN, PLAIN, 1);
  assert_background (&px, 30, 30);
  pixels_unmap (&px);
}

GST_END_TEST;

GST_START_TEST (test_analysed_roi_is_drawn_once_from_the_meta)
{
  GstVideoInfo info;
  GstBuffer *buf;
  GstVideoRegionOfInterestMeta *roi;
  Pixels px;

  /* As ddamfnfilter leaves it: the ROI carries a "ddamfn" parameter and
   * the meta holds its result; the grey plain box must not cover the
   * Happy-coloured one. */
  info_init (&info, GST_VIDEO_FORMAT_BGRx);
  buf = frame_with_face (&info, 0);
  roi = gst_buffer_add_video_region_of_interest_meta (buf, "face", FX, FY,
      FW, FH);
  gst_video_region_of_interest_meta_add_param (roi,
      gst_structure_new ("ddamfn", "expression", G_TYPE_STRING, "Happy",
          NULL));
  pixels_map (&px, &info, overlay (&info, buf, NULL));
  assert_happy (&px, FX, FY + FH / 2);
  assert_happy (&px, FX + FW - 1, FY + FH / 2);
  pixels_unmap (&px);
}

GST_END_TEST;

GST_START_TEST (test_draw_properties_switch_parts_off)
{
  GstVideoInfo info;
  Pixels px;

  info_init (&info, GST_VIDEO_FORMAT_BGRx);

  /* no box: the edge stays background, the label is still there */
  pixels_map (&px, &info, overlay (&info, frame_with_face (&info, 1u << 6),
          "draw-box", FALSE, NULL));
  assert_background (&px, FX, FY + FH / 2);
  assert_background (&px, FX + FW - 1, FY + FH / 2);
  assert_happy (&px, FX, FY - 1);
  pixels_unmap (&px);

  /* no label: nothing above the box */
  pixels_map (&px, &info, overlay (&info, frame_with_face (&info, 1u << 6),
          "draw-label", FALSE, NULL));
  assert_happy (&px, FX, FY + FH / 2);
  fail_unless_equals_int (count_changed (&px, 0, 0, WIDTH, FY), 0);
  pixels_unmap (&px);

  /* no dial, no bars: nothing right of or below the box */
  pixels_map (&px, &info, overlay (&info, frame_with_face (&info, 1u << 6),
          "draw-va", FALSE, "draw-aus", FALSE, NULL));
  assert_happy (&px, FX, FY + FH / 2);
  fail_unless_equals_int (count_changed (&px, FX + FW, FY, WIDTH, HEIGHT),
      0);
  fail_unless_equals_int (count_changed (&px, 0, FY + FH, WIDTH, HEIGHT), 0);
  pixels_unmap (&px);

  /* no active AU: no bars even with draw-aus */
  pixels_map (&px, &info, overlay (&info, frame_with_face (&info, 0), NULL));
  fail_unless_equals_int (count_changed (&px, 0, FY + FH, WIDTH, HEIGHT), 0);
  pixels_unmap (&px);
}

GST_END_TEST;

GST_START_TEST (test_line_width_and_font)
{
  GstVideoInfo info;
  Pixels px;

  info_init (&info, GST_VIDEO_FORMAT_BGRx);

  pixels_map (&px, &info, overlay (&info, frame_with_face (&info, 0),
          "line-width", 6.0, "draw-label", FALSE, NULL));
  assert_happy (&px, FX + 5, FY + FH / 2);
  assert_background (&px, FX + 6, FY + FH / 2);
  assert_happy (&px, FX + FW - 6, FY + FH / 2);
  pixels_unmap (&px);

  /* A 30-pixel font makes the label about 40 pixels tall, the default
   * one about 23. */
  pixels_map (&px, &info, overlay (&info, frame_with_face (&info, 0),
          "font", "Sans Bold 30px", NULL));
  fail_unless (count_changed (&px, 0, FY - 33, WIDTH, FY - 32) > 150);
  pixels_unmap (&px);
  pixels_map (&px, &info, overlay (&info, frame_with_face (&info, 0), NULL));
  fail_unless_equals_int (count_changed (&px, 0, FY - 33, WIDTH, FY - 32), 0);
  fail_unless (count_changed (&px, 0, FY - 10, WIDTH, FY - 9) > 50);
  pixels_unmap (&px);
}

GST_END_TEST;

GST_START_TEST (test_label_moves_inside_at_the_top_edge)
{
  GstVideoInfo info;
  GstBuffer *buf;
  GstDdamfnFace face = make_face (FX, 0, FW, FH, 0);
  Pixels px;

  info_init (&info, GST_VIDEO_FORMAT_BGRx);
  buf = make_frame (&info);
  gst_buffer_add_ddamfn_meta (buf, &face, 1);
  pixels_map (&px, &info, overlay (&info, buf, NULL));
  /* the label's padding just inside the top edge */
  assert_happy (&px, FX + 2, 3);
  fail_unless (count_dark (&px, FX, 2, FX + 80, 26) > 40);
  pixels_unmap (&px);
}

GST_END_TEST;

GST_START_TEST (test_face_at_the_frame_edges_stays_inside)
{
  GstVideoInfo info;
  GstBuffer *buf;
  GstDdamfnFace face = make_face (WIDTH - 40, HEIGHT - 40, 40, 40, 0xfff);
  Pixels px;

  /* Dial and bars have no room right of and below the box: they move
   * inside the frame; nothing crashes, the box edge is drawn. */
  info_init (&info, GST_VIDEO_FORMAT_I420);
  buf = make_frame (&info);
  gst_buffer_add_ddamfn_meta (buf, &face, 1);
  pixels_map (&px, &info, overlay (&info, buf, NULL));
  fail_unless (yuv_at (&px, 0, WIDTH - 40, HEIGHT - 20) != BG_Y);
  fail_unless (yuv_at (&px, 0, WIDTH - 1, HEIGHT - 20) != BG_Y);
  fail_unless_equals_int (count_changed (&px, 0, 0, 100, 100), 0);
  pixels_unmap (&px);
}

GST_END_TEST;

GST_START_TEST (test_nothing_to_draw_keeps_the_memory)
{
  GstVideoInfo info;
  GstBuffer *buf, *out;
  GstMemory *mem;

  /* A buffer someone else holds: drawing would have to copy its memory;
   * with nothing to draw the same memory comes out. */
  info_init (&info, GST_VIDEO_FORMAT_I420);
  buf = make_frame (&info);
  gst_buffer_ref (buf);
  mem = gst_buffer_peek_memory (buf, 0);
  out = overlay (&info, buf, NULL);
  fail_unless (gst_buffer_peek_memory (out, 0) == mem);
  gst_buffer_unref (out);
  gst_buffer_unref (buf);

  /* A meta without faces: same. */
  buf = make_frame (&info);
  gst_buffer_add_ddamfn_meta (buf, NULL, 0);
  gst_buffer_ref (buf);
  mem = gst_buffer_peek_memory (buf, 0);
  out = overlay (&info, buf, NULL);
  fail_unless (gst_buffer_peek_memory (out, 0) == mem);
  gst_buffer_unref (out);
  gst_buffer_unref (buf);
}

GST_END_TEST;

GST_START_TEST (test_shared_buffer_is_not_drawn_on)
{
  GstVideoInfo info;
  GstBuffer *buf, *out;
  Pixels px;

  /* The input is held elsewhere: the overlay draws on a copy. */
  info_init (&info, GST_VIDEO_FORMAT_BGRx);
  buf = frame_with_face (&info, 0);
  gst_buffer_ref (buf);
  out = overlay (&info, buf, NULL);
  pixels_map (&px, &info, buf);
  assert_background (&px, FX, FY + FH / 2);
  pixels_unmap (&px);
  pixels_map (&px, &info, out);
  assert_happy (&px, FX, FY + FH / 2);
  pixels_unmap (&px);
}

GST_END_TEST;

GST_START_TEST (test_properties_defaults)
{
  GstElement *e = gst_element_factory_make ("ddamfnoverlay", NULL);
  gboolean box, label, va, aus;
  gdouble line_width;
  gchar *font, *roi_type;

  fail_unless (e != NULL);
  g_object_get (e, "draw-box", &box, "draw-label", &label, "draw-va", &va,
      "draw-aus", &aus, "line-width", &line_width, "font", &font,
      "roi-type", &roi_type, NULL);
  fail_unless (box && label && va && aus);
  fail_unless_equals_float (line_width, 2.0);
  fail_unless_equals_string (font, "Sans Bold 12");
  fail_unless_equals_string (roi_type, "face");
  g_free (font);
  g_free (roi_type);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
ddamfnoverlay_suite (void)
{
  Suite *s = suite_create ("ddamfnoverlay");
  TCase *tc_formats = tcase_create ("formats");
  TCase *tc_drawing = tcase_create ("drawing");

  suite_add_tcase (s, tc_formats);
  tcase_add_test (tc_formats, test_draws_on_bgrx_directly);
  tcase_add_test (tc_formats, test_draws_on_rgb_by_composition);
  tcase_add_test (tc_formats, test_draws_on_rgba_keeping_it_opaque);
  tcase_add_test (tc_formats, test_draws_on_i420_by_composition);
  tcase_add_test (tc_formats, test_draws_on_nv12_by_composition);

  suite_add_tcase (s, tc_drawing);
  tcase_add_test (tc_drawing, test_roi_without_result_is_a_plain_box);
  tcase_add_test (tc_drawing, test_roi_type_empty_draws_every_roi);
  tcase_add_test (tc_drawing, test_analysed_roi_is_drawn_once_from_the_meta);
  tcase_add_test (tc_drawing, test_draw_properties_switch_parts_off);
  tcase_add_test (tc_drawing, test_line_width_and_font);
  tcase_add_test (tc_drawing, test_label_moves_inside_at_the_top_edge);
  tcase_add_test (tc_drawing, test_face_at_the_frame_edges_stays_inside);
  tcase_add_test (tc_drawing, test_nothing_to_draw_keeps_the_memory);
  tcase_add_test (tc_drawing, test_shared_buffer_is_not_drawn_on);
  tcase_add_test (tc_drawing, test_properties_defaults);

  /* generous: valgrind runs are slow */
  tcase_set_timeout (tc_formats, 3600);
  tcase_set_timeout (tc_drawing, 3600);
  return s;
}

GST_CHECK_MAIN (ddamfnoverlay);
