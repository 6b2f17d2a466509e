/* The face detector's milliseconds per frame, one thread: each BlazeFace
 * model on 720×528 (Megamind) and 1920×1080 frames, RGB and I420, and the
 * small-face case: messi5.jpg's face (about 34 px wide in a 548×342 photo)
 * pasted into a 1920×1080 grey frame at 1×, 2× and 3× (faces of about 34,
 * 68 and 102 px), searched with 1 … 4 tiles (found or not, and the cost).
 *
 *   bench-detector MODEL_DIR PHOTO [RUNS]
 *
 * Prints the median of RUNS runs (default 50) of ddamfn_detector_detect()
 * per case. BLAS: libddamfn's (meson option blas), one thread per call.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ddamfn/ddamfn-detector.h>
#include "ddamfn-tool.h"
#include "bench-stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  DdamfnImage image;
  guint8 *data;
} Frame;

/* A W × H RGB frame: grey, with PHOTO (PW × PH) pasted at (X, Y) and,
 * when SCALE > 1, enlarged by nearest neighbour (so its face grows). */
static Frame
make_rgb (int w, int h, const guint8 * photo, int pw, int ph, int x, int y,
    int scale)
{
  Frame f = { {DDAMFN_PIXEL_RGB, w, h, {NULL}, {3 * w}, DDAMFN_YUV_BT601},
  NULL
  };

  f.data = g_malloc ((gsize) w * h * 3);
  memset (f.data, 128, (gsize) w * h * 3);
  for (int j = 0; j < ph * scale && y + j < h; j++)
    for (int i = 0; i < pw * scale && x + i < w; i++)
      memcpy (f.data + ((gsize) (y + j) * w + x + i) * 3,
          photo + ((gsize) (j / scale) * pw + i / scale) * 3, 3);
  f.image.planes[0] = f.data;
  return f;
}

/* The same picture as I420 (full-range BT.601). */
static Frame
to_i420 (const Frame * rgb)
{
  const int w = rgb->image.width, h = rgb->image.height;
  const int cw = (w + 1) / 2, ch = (h + 1) / 2;
  Frame f = { {DDAMFN_PIXEL_I420, w, h, {NULL}, {w, cw, cw},
      DDAMFN_YUV_BT601_FULL}, NULL
  };
  guint8 *yp, *up, *vp;

  f.data = g_malloc0 ((gsize) w * h + 2 * (gsize) cw * ch);
  yp = f.data;
  up = yp + (gsize) w * h;
  vp = up + (gsize) cw * ch;
  for (int j = 0; j < h; j++)
    for (int i = 0; i < w; i++) {
      const guint8 *p = rgb->data + ((gsize) j * w + i) * 3;
      double Y = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];

      yp[(gsize) j * w + i] = (guint8) CLAMP (Y + 0.5, 0, 255);
      if (!(i & 1) && !(j & 1)) {
        up[(gsize) (j / 2) * cw + i / 2] =
            (guint8) CLAMP ((p[2] - Y) * 0.564 + 128.5, 0, 255);
        vp[(gsize) (j / 2) * cw + i / 2] =
            (guint8) CLAMP ((p[0] - Y) * 0.713 + 128.5, 0, 255);
      }
    }
  f.image.planes[0] = yp;
  f.image.planes[1] = up;
  f.image.planes[2] = vp;
  return f;
}

static double
median_ms (DdamfnDetector * d, const DdamfnImage * image,
    const DdamfnDetectorOptions * opt, int runs, int *n_faces,
    DdamfnFace * faces)
{
  double *t = g_new (double, runs), m;
  GError *error = NULL;

  for (int r = 0; r < runs; r++) {
    gint64 s = g_get_monotonic_time ();
    *n_faces = ddamfn_detector_detect (d, image, opt, faces, 16, &error);
    t[r] = (g_get_monotonic_time () - s) / 1000.0;
    if (*n_faces < 0) {
      fprintf (stderr, "%s\n", error->message);
      exit (1);
    }
  }
  m = bench_median (t, runs);
  g_free (t);
  return m;
}

int
main (int argc, char **argv)
{
  static const char *const files[2] = { "blazeface-short-range.safetensors",
    "blazeface-full-range.safetensors"
  };
  GError *error = NULL;
  guint8 *photo;
  int pw, ph, runs;
  Frame f720, f1080, i720, i1080;

  if (argc < 3) {
    fprintf (stderr, "usage: %s MODEL_DIR PHOTO [RUNS]\n", argv[0]);
    return 2;
  }
  runs = argc > 3 ? atoi (argv[3]) : 50;
  photo = ddamfn_jpeg_decode_file (argv[2], &pw, &ph, &error);
  if (photo == NULL) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  /* messi5 at its own scale in the middle of the frame, and enlarged 2×
   * (face ~68 px) in a 1080p frame, for the timing rows */
  f720 = make_rgb (720, 528, photo, pw, ph, 86, 93, 1);
  f1080 = make_rgb (1920, 1080, photo, pw, ph, 412, 198, 2);
  i720 = to_i420 (&f720);
  i1080 = to_i420 (&f1080);
  printf ("face detector, 1 thread, median of %d runs; backend %s\n", runs,
      ddamfn_backend_info ());
  printf ("%-12s %-22s %5s %8s %6s\n", "model", "frame", "tiles", "ms",
      "faces");
  for (int mi = 0; mi < 2; mi++) {
    char *path = g_build_filename (argv[1], files[mi], NULL);
    DdamfnDetectorModel *m = ddamfn_detector_model_open (path, &error);
    DdamfnDetector *d = m ? ddamfn_detector_new (m, &error) : NULL;
    const char *name = mi ? "full-range" : "short-range";
    struct
    {
      const char *label;
      const Frame *f;
    } rows[] = {
      {"720x528 RGB", &f720}, {"720x528 I420", &i720},
      {"1920x1080 RGB", &f1080}, {"1920x1080 I420", &i1080},
    };
    DdamfnDetectorOptions opt;
    DdamfnFace faces[16];
    int n;

    if (d == NULL) {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
    ddamfn_detector_options_init (&opt, m);
    for (guint r = 0; r < G_N_ELEMENTS (rows); r++) {
      double ms = median_ms (d, &rows[r].f->image, &opt, runs, &n, faces);
      printf ("%-12s %-22s %5d %8.2f %6d\n", name, rows[r].label, 1, ms, n);
    }
    /* messi5 scaled k× at (1000, 500): its face box (226, 94) 38 × 38 in
     * the photo is then centred near (1000 + 245 k, 500 + 113 k) */
    for (int k = 1; k <= 3; k++) {
      Frame small = make_rgb (1920, 1080, photo, pw, ph, 1000, 500, k);
      const float fx = 1000 + 245.f * k, fy = 500 + 113.f * k;
      char label[32];

      g_snprintf (label, sizeof label, "1920x1080, %d px face", 34 * k);
      for (int tiles = 1; tiles <= DDAMFN_DETECTOR_MAX_TILES; tiles++) {
        gboolean found = FALSE;
        double ms;

        opt.tiles = tiles;
        ms = median_ms (d, &small.image, &opt, MAX (5, runs / 5), &n, faces);
        for (int i = 0; i < n; i++) {
          const float cx = faces[i].box.x + faces[i].box.w / 2;
          const float cy = faces[i].box.y + faces[i].box.h / 2;
          found |= cx > fx - 19 * k && cx < fx + 19 * k
              && cy > fy - 19 * k && cy < fy + 19 * k;
        }
        printf ("%-12s %-22s %5d %8.2f %6d  small face %s\n", name, label,
            tiles, ms, n, found ? "found" : "missed");
      }
      g_free (small.data);
    }
    ddamfn_detector_free (d);
    ddamfn_detector_model_unref (m);
    g_free (path);
  }
  g_free (f720.data);
  g_free (f1080.data);
  g_free (i720.data);
  g_free (i1080.data);
  g_free (photo);
  return 0;
}
