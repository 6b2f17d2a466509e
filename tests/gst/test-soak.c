/* Long run and concurrency of ddamfnfilter.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * usage: test-soak MODEL [FRAMES]
 *
 * soak: FRAMES (default 10 000) 320×240 frames with three moving faces each
 * through one ddamfnfilter (inference-interval 3, so the network runs on
 * every face every third frame and the tracker re-attaches results in
 * between); resident memory after a warm-up of 500 frames and at the end
 * must not differ by more than 2 MB.
 *
 * concurrency: four elements in four threads, each pushing its own stream,
 * all naming the same model file. They must share one loaded model (the
 * four together cost less than two copies of its weights) and every
 * result must equal the engine's answer for the same face (no races).
 * tests/scripts/tsan.sh runs this part under ThreadSanitizer (and sets
 * DDAMFN_SOAK_NO_RSS_BOUND: shadow memory makes RSS meaningless there).
 */
#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <gst/ddamfn/gstddamfnmeta.h>
#include <ddamfn/ddamfn.h>

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "soft-check.h"

#define WIDTH 320
#define HEIGHT 240
#define N_FACES 3
#define N_THREADS 4
#define THREAD_FRAMES 40
#define N_DISTINCT 4            /* distinct frames the threads cycle over */


static const gchar *model_path;

/* Resident set size in bytes. */
static gint64
rss_bytes (void)
{
  long pages_total = 0, pages_rss = 0;
  FILE *f = fopen ("/proc/self/statm", "r");

  if (f == NULL)
    return -1;
  if (fscanf (f, "%ld %ld", &pages_total, &pages_rss) != 2)
    pages_rss = -1;
  fclose (f);
  return pages_rss < 0 ? -1 : (gint64) pages_rss * sysconf (_SC_PAGESIZE);
}

static GstBuffer *
make_frame (guint seed)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, WIDTH * HEIGHT * 3, NULL);
  GstMapInfo map;
  guint32 state = 2654435761u * (seed + 1);

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (gsize i = 0; i < map.size; i++) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    map.data[i] = (guint8) (((i * 5) & 0x7f) + (state >> 25));
  }
  gst_buffer_unmap (buf, &map);
  return buf;
}

/* Face I of frame number N: three boxes drifting slowly, so that the
 * tracker keeps their tracks. */
static void
face_box (guint n, guint i, gint * x, gint * y, gint * w, gint * h)
{
  gint drift = (gint) (n % 40) - 20;

  *w = 72 + 8 * (gint) i;
  *h = 80;
  *x = 10 + 100 * (gint) i + drift / 4;
  *y = 40 + (gint) i * 30 + drift / 5;
}

static GstHarness *
make_harness (guint interval)
{
  GstElement *e = gst_element_factory_make ("ddamfnfilter", NULL);
  GstHarness *h;

  if (e == NULL)
    g_error ("ddamfnfilter not found; is GST_PLUGIN_PATH set?");
  g_object_set (e, "model", model_path, "inference-interval", interval,
      NULL);
  h = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);
  gst_harness_set_src_caps_str (h, "video/x-raw, format=RGB, width=320, "
      "height=240, framerate=25/1");
  return h;
}

/* Pushes frame N (sharing the memory of BASE) with its faces; returns the
 * output buffer. */
static GstBuffer *
push_frame (GstHarness * h, GstBuffer * base, guint n)
{
  GstBuffer *buf = gst_buffer_copy (base);
  GstBuffer *out;

  GST_BUFFER_PTS (buf) = n * GST_SECOND / 25;
  for (guint i = 0; i < N_FACES; i++) {
    gint x, y, w, hh;
    face_box (n, i, &x, &y, &w, &hh);
    gst_buffer_add_video_region_of_interest_meta (buf, "face", x, y, w,
        hh)->id = (gint) i;
  }
  if (gst_harness_push (h, buf) != GST_FLOW_OK)
    return NULL;
  out = gst_harness_pull (h);
  return out;
}

static void
soak (guint n_frames)
{
  GstHarness *h = make_harness (3);
  GstBuffer *base = make_frame (0);
  gint64 rss_warm = 0, rss_end;
  guint64 faces = 0;
  gint64 t0 = g_get_monotonic_time ();

  for (guint n = 0; n < n_frames; n++) {
    GstBuffer *out = push_frame (h, base, n);
    GstDdamfnMeta *meta;

    if (out == NULL) {
      CHECK (out != NULL, "frame %u was not processed", n);
      break;
    }
    meta = gst_buffer_get_ddamfn_meta (out);
    CHECK (meta && meta->n_faces == N_FACES, "frame %u: %u faces", n,
        meta ? meta->n_faces : 0);
    faces += meta ? meta->n_faces : 0;
    gst_buffer_unref (out);
    if (n == 499)
      rss_warm = rss_bytes ();
    if (n > 0 && n % 2000 == 0)
      g_print ("soak: frame %u, RSS %.2f MB\n", n, rss_bytes () / 1048576.0);
  }
  rss_end = rss_bytes ();
  g_print ("soak: %u frames, %" G_GUINT64_FORMAT " faces in %.1f s; RSS "
      "after 500 frames %.2f MB, at the end %.2f MB (%+.2f MB)\n", n_frames,
      faces, (g_get_monotonic_time () - t0) / 1e6, rss_warm / 1048576.0,
      rss_end / 1048576.0, (rss_end - rss_warm) / 1048576.0);
  if (n_frames > 500)
    CHECK (llabs (rss_end - rss_warm) <= 2 * 1048576, "RSS moved by %.2f MB",
        (rss_end - rss_warm) / 1048576.0);
  gst_harness_teardown (h);
  gst_buffer_unref (base);
}

typedef struct
{
  guint index;
  GstHarness *harness;
  GstBuffer **frames;
  DdamfnResult (*want)[N_FACES];
} Worker;

static gboolean
close_enough (const GstDdamfnFace * f, const DdamfnResult * r)
{
  if (fabsf (f->valence - r->valence) > 1e-4f
      || fabsf (f->arousal - r->arousal) > 1e-4f
      || f->expr_index != r->expr_index)
    return FALSE;
  for (gint k = 0; k < f->n_expr; k++)
    if (fabsf (f->expr_probs[k] - r->expr_probs[k]) > 1e-4f)
      return FALSE;
  for (gint k = 0; k < f->n_au; k++)
    if (fabsf (f->au_probs[k] - r->au_probs[k]) > 1e-4f)
      return FALSE;
  return TRUE;
}

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;

  for (guint n = 0; n < THREAD_FRAMES; n++) {
    /* frame numbers repeat the same boxes every N_DISTINCT frames */
    guint d = (n + w->index) % N_DISTINCT;
    GstBuffer *out = push_frame (w->harness, w->frames[d], d);
    GstDdamfnMeta *meta = out ? gst_buffer_get_ddamfn_meta (out) : NULL;

    CHECK (meta && meta->n_faces == N_FACES, "thread %u frame %u", w->index,
        n);
    for (guint i = 0; meta && i < meta->n_faces; i++) {
      const GstDdamfnFace *f = &meta->faces[i];
      CHECK (f->roi_id >= 0 && f->roi_id < N_FACES
          && close_enough (f, &w->want[d][f->roi_id]),
          "thread %u frame %u face %d differs from the engine", w->index, n,
          f->roi_id);
    }
    if (out)
      gst_buffer_unref (out);
  }
  return NULL;
}

/* The engine's answers for the faces of the distinct frames. */
static void
reference_results (GstBuffer ** frames, DdamfnResult want[][N_FACES])
{
  GError *error = NULL;
  DdamfnModel *model = ddamfn_model_open (model_path, &error);
  DdamfnSession *session;
  float mean[3], std[3];
  float *input = g_new (float, DDAMFN_INPUT_FLOATS);

  if (model == NULL)
    g_error ("%s", error->message);
  session = ddamfn_session_new (model, 1, &error);
  ddamfn_model_get_normalization (model, mean, std);
  for (guint d = 0; d < N_DISTINCT; d++) {
    GstMapInfo map;
    DdamfnImage image = { 0 };

    gst_buffer_map (frames[d], &map, GST_MAP_READ);
    image.format = DDAMFN_PIXEL_RGB;
    image.width = WIDTH;
    image.height = HEIGHT;
    image.planes[0] = map.data;
    image.strides[0] = WIDTH * 3;
    for (guint i = 0; i < N_FACES; i++) {
      gint x, y, w, h;
      DdamfnBox box;

      face_box (d, i, &x, &y, &w, &h);
      box.x = x;
      box.y = y;
      box.w = w;
      box.h = h;
      if (!ddamfn_preprocess_box (&image, &box, 1.0f, mean, std, input,
              &error) || !ddamfn_session_run (session, input, 1,
              &want[d][i], &error))
        g_error ("%s", error->message);
    }
    gst_buffer_unmap (frames[d], &map);
  }
  g_free (input);
  ddamfn_session_free (session);
  ddamfn_model_unref (model);
}

static void
concurrency (void)
{
  GstBuffer *frames[N_DISTINCT];
  DdamfnResult want[N_DISTINCT][N_FACES];
  Worker workers[N_THREADS];
  GThread *threads[N_THREADS];
  GStatBuf st;
  gint64 rss0, rss1;

  for (guint d = 0; d < N_DISTINCT; d++)
    frames[d] = make_frame (100 + d);
  reference_results (frames, want);

  /* Start the four elements (each loads "its" model) and measure. */
  rss0 = rss_bytes ();
  for (guint t = 0; t < N_THREADS; t++) {
    workers[t].index = t;
    workers[t].harness = make_harness (1);
    workers[t].frames = frames;
    workers[t].want = want;
  }
  rss1 = rss_bytes ();
  CHECK (g_stat (model_path, &st) == 0, "cannot stat %s", model_path);
  g_print ("concurrency: 4 elements on one %.1f MB model file added %.1f MB "
      "of resident memory\n", st.st_size / 1048576.0,
      (rss1 - rss0) / 1048576.0);
  /* (sanitizers' shadow memory grows with the heap: no bound there) */
  if (g_getenv ("DDAMFN_SOAK_NO_RSS_BOUND") == NULL)
    CHECK (rss1 - rss0 < 2 * (gint64) st.st_size, "the four elements do not "
      "share their model: %.1f MB for 4 elements",
      (rss1 - rss0) / 1048576.0);

  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("soak-worker", worker_run, &workers[t]);
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  g_print ("concurrency: %d threads x %d frames x %d faces checked against "
      "the engine\n", N_THREADS, THREAD_FRAMES, N_FACES);

  for (guint t = 0; t < N_THREADS; t++)
    gst_harness_teardown (workers[t].harness);
  for (guint d = 0; d < N_DISTINCT; d++)
    gst_buffer_unref (frames[d]);
}

int
main (int argc, char **argv)
{
  guint n_frames = 10000;

  gst_init (&argc, &argv);
  if (argc < 2 || argc > 4) {
    g_printerr ("usage: %s MODEL [FRAMES [soak|concurrency]]\n", argv[0]);
    return 2;
  }
  model_path = argv[1];
  if (argc > 2)
    n_frames = (guint) atoi (argv[2]);
  if (argc < 4 || strcmp (argv[3], "concurrency") == 0)
    concurrency ();
  if (argc < 4 || strcmp (argv[3], "soak") == 0)
    soak (n_frames);
  return soft_check_exit_status ();
}
