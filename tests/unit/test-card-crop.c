/* Unit tests of the crops a model card describes (src/prepare.c,
 * src/preprocess.c): ddamfn_sample_spec_box / _affine and
 * ddamfn_model_prepare_box against a plain double-precision reference
 * written here — bilinear at pixel centres, output pixel u of a W-wide
 * crop of the region (x0, w) centred at source x0 + (u + 0.5)·w/W − 0.5,
 * every tap outside the frame black — then value = (pixel·range/255 −
 * mean)/std, grey = weights·(R, G, B) first, in the card's channel order
 * and layout.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "sample-private.h"

#include <math.h>
#include <string.h>

#define FW 40
#define FH 30
#define GUARD 16
#define TOL 1e-4

/* ---- the frame and the reference --------------------------------------- */

/* A 40 × 30 packed frame (FORMAT RGB or BGRx) whose colours are not linear
 * in x and y, so that the bilinear weights matter. */
static guint8 *
make_frame (DdamfnPixelFormat format, DdamfnImage * image)
{
  const int bpp = format == DDAMFN_PIXEL_RGB ? 3 : 4;
  guint8 *p = g_malloc0 ((gsize) FW * FH * bpp);

  for (int y = 0; y < FH; y++)
    for (int x = 0; x < FW; x++) {
      const guint8 r = (guint8) ((x * 37 + y * 11) % 256);
      const guint8 g = (guint8) ((x * x + 3 * y * y) % 256);
      const guint8 b = (guint8) ((255 - 5 * x - 7 * y + 512) % 256);
      guint8 *q = p + (y * FW + x) * bpp;
      if (format == DDAMFN_PIXEL_RGB) {
        q[0] = r;
        q[1] = g;
        q[2] = b;
      } else {
        q[0] = b;
        q[1] = g;
        q[2] = r;
        q[3] = 99;
      }
    }
  memset (image, 0, sizeof *image);
  image->format = format;
  image->width = FW;
  image->height = FH;
  image->planes[0] = p;
  image->strides[0] = FW * bpp;
  return p;
}

/* R, G, B (0 … 255) of frame pixel (X, Y), black outside. */
static void
ref_pixel (int x, int y, double rgb[3])
{
  rgb[0] = rgb[1] = rgb[2] = 0.0;
  if (x < 0 || y < 0 || x >= FW || y >= FH)
    return;
  rgb[0] = (x * 37 + y * 11) % 256;
  rgb[1] = (x * x + 3 * y * y) % 256;
  rgb[2] = (255 - 5 * x - 7 * y + 512) % 256;
}

/* Bilinear at (X, Y), pixel centres at integers, black outside. */
static void
ref_bilinear (double x, double y, double rgb[3])
{
  const int i = (int) floor (x), j = (int) floor (y);
  const double a = x - i, b = y - j;

  rgb[0] = rgb[1] = rgb[2] = 0.0;
  for (int dy = 0; dy < 2; dy++)
    for (int dx = 0; dx < 2; dx++) {
      const double w = (dx ? a : 1 - a) * (dy ? b : 1 - b);
      double p[3];
      ref_pixel (i + dx, j + dy, p);
      for (int c = 0; c < 3; c++)
        rgb[c] += w * p[c];
    }
}

/* Tensor channel C of a pixel of colour RGB, as IN says. */
static double
ref_value (const DdamfnInputSpec * in, const double rgb[3], int c)
{
  double v;

  if (in->colour == DDAMFN_COLOUR_GREY) {
    v = in->grey_weights[0] * rgb[0] + in->grey_weights[1] * rgb[1]
        + in->grey_weights[2] * rgb[2];
    return (v * in->range / 255.0 - in->mean[0]) / in->std[0];
  }
  v = rgb[in->colour == DDAMFN_COLOUR_BGR ? 2 - c : c];
  return (v * in->range / 255.0 - in->mean[c]) / in->std[c];
}

/* Index of channel C at output pixel (U, V). */
static gsize
at (const DdamfnInputSpec * in, int c, int u, int v)
{
  const int nc = in->colour == DDAMFN_COLOUR_GREY ? 1 : 3;

  if (in->nhwc)
    return ((gsize) v * in->width + u) * nc + c;
  return ((gsize) c * in->height + v) * in->width + u;
}

static gsize
n_floats (const DdamfnInputSpec * in)
{
  return (gsize) in->width * in->height
      * (in->colour == DDAMFN_COLOUR_GREY ? 1 : 3);
}

static float *
new_output (const DdamfnInputSpec * in)
{
  const gsize n = n_floats (in) + GUARD;
  float *t = g_new (float, n);

  /* NaN where nothing was written shows; the guard must stay as it is. */
  for (gsize i = 0; i < n; i++)
    t[i] = NAN;
  return t;
}

/* Compares OUT with the reference of the affine map M (x = m0·u + m1·v +
 * m2, y = m3·u + m4·v + m5); returns the largest error. */
static double
check_against_reference (const DdamfnInputSpec * in, const double m[6],
    const float *out, const char *what)
{
  const int nc = in->colour == DDAMFN_COLOUR_GREY ? 1 : 3;
  double worst = 0.0;

  for (int v = 0; v < in->height; v++)
    for (int u = 0; u < in->width; u++) {
      double rgb[3];
      ref_bilinear (m[0] * u + m[1] * v + m[2], m[3] * u + m[4] * v + m[5],
          rgb);
      for (int c = 0; c < nc; c++) {
        const double want = ref_value (in, rgb, c);
        const double got = out[at (in, c, u, v)];
        const double e = fabs (got - want);
        if (!(e <= TOL))
          g_error ("%s: channel %d at (%d, %d): %.7g, reference %.7g",
              what, c, u, v, got, want);
        worst = MAX (worst, e);
      }
    }
  for (int i = 0; i < GUARD; i++)
    g_assert_true (isnan (out[n_floats (in) + i]));
  return worst;
}

/* The box (X0, Y0, W, H) as the affine map of a pixel-centre resize. */
static void
box_map (const DdamfnInputSpec * in, double x0, double y0, double w,
    double h, double m[6])
{
  m[0] = w / in->width;
  m[1] = 0.0;
  m[2] = x0 + 0.5 * w / in->width - 0.5;
  m[3] = 0.0;
  m[4] = h / in->height;
  m[5] = y0 + 0.5 * h / in->height - 0.5;
}

/* ---- the inputs tested ------------------------------------------------ */

static DdamfnInputSpec
spec_of (int width, int height, DdamfnColour colour, gboolean nhwc,
    float range, const float mean[3], const float std[3])
{
  DdamfnInputSpec in = { 0 };

  in.width = width;
  in.height = height;
  in.colour = colour;
  in.grey_weights[0] = 0.2989f;
  in.grey_weights[1] = 0.5870f;
  in.grey_weights[2] = 0.1140f;
  in.range = range;
  memcpy (in.mean, mean, sizeof in.mean);
  memcpy (in.std, std, sizeof in.std);
  in.nhwc = nhwc;
  in.crop = DDAMFN_CROP_BOX;
  in.box_scale = 1.f;
  return in;
}

static const float half[3] = { 0.5f, 0.5f, 0.5f };
static const float m255[3] = { 120.f, 110.f, 100.f };
static const float s255[3] = { 60.f, 55.f, 50.f };
static const float in_mean[3] = { 0.485f, 0.456f, 0.406f };
static const float in_std[3] = { 0.229f, 0.224f, 0.225f };
static const float zero[3] = { 0.f, 0.f, 0.f };
static const float one[3] = { 1.f, 1.f, 1.f };

typedef struct
{
  const char *name;
  DdamfnInputSpec in;
} Case;

static Case *
cases (int *n)
{
  static Case c[7];

  /* FER2013-like grey NHWC, wider than the frame; FER+-like grey on
   * 0 … 255; colour NCHW and NHWC in both orders, down- and
   * up-sampling; non-square. */
  c[0] = (Case) { "grey nhwc 48x40", spec_of (48, 40, DDAMFN_COLOUR_GREY,
          TRUE, 1.f, half, half) };
  c[1] = (Case) { "grey nchw 0-255 21x19", spec_of (21, 19,
          DDAMFN_COLOUR_GREY, FALSE, 255.f, zero, one) };
  c[2] = (Case) { "rgb nchw 20x16", spec_of (20, 16, DDAMFN_COLOUR_RGB,
          FALSE, 255.f, m255, s255) };
  c[3] = (Case) { "bgr nchw 20x16", spec_of (20, 16, DDAMFN_COLOUR_BGR,
          FALSE, 255.f, m255, s255) };
  c[4] = (Case) { "rgb nhwc 17x23", spec_of (17, 23, DDAMFN_COLOUR_RGB,
          TRUE, 1.f, in_mean, in_std) };
  c[5] = (Case) { "bgr nhwc 33x31", spec_of (33, 31, DDAMFN_COLOUR_BGR,
          TRUE, 1.f, in_mean, in_std) };
  /* grey with weights of its own (they need not sum to 1) */
  c[6] = (Case) { "grey weights 0.5/0.25/0.75", spec_of (16, 16,
          DDAMFN_COLOUR_GREY, FALSE, 1.f, half, half) };
  c[6].in.grey_weights[0] = 0.5f;
  c[6].in.grey_weights[1] = 0.25f;
  c[6].in.grey_weights[2] = 0.75f;
  *n = G_N_ELEMENTS (c);
  return c;
}

/* Boxes inside, across each edge, around the whole frame, outside. */
static const double boxes[][4] = {
  {5.3, 4.7, 22.1, 17.9},
  {-6.2, -3.5, 30.0, 24.0},
  {25.0, 18.0, 24.0, 20.0},
  {-10.0, -8.0, 60.0, 46.0},
  {0.0, 0.0, FW, FH},
  {100.0, 100.0, 10.0, 10.0},
  {12.25, 9.75, 3.5, 2.5},
};

/* ---- tests ---------------------------------------------------------------- */

static void
test_spec_box_matches_reference (void)
{
  DdamfnImage image;
  guint8 *pixels = make_frame (DDAMFN_PIXEL_RGB, &image);
  int n;
  Case *c = cases (&n);

  for (int k = 0; k < n; k++) {
    DdamfnSampleSpec spec;
    double worst = 0.0;

    ddamfn_sample_spec_init (&spec, &c[k].in);
    for (guint b = 0; b < G_N_ELEMENTS (boxes); b++) {
      float *out = new_output (&c[k].in);
      double m[6];
      char *what = g_strdup_printf ("%s, box %u", c[k].name, b);

      ddamfn_sample_spec_box (&image, boxes[b][0], boxes[b][1], boxes[b][2],
          boxes[b][3], &spec, out);
      box_map (&c[k].in, boxes[b][0], boxes[b][1], boxes[b][2], boxes[b][3],
          m);
      worst = MAX (worst, check_against_reference (&c[k].in, m, out, what));
      g_free (what);
      g_free (out);
    }
    g_test_message ("%s: max |error| %.3g", c[k].name, worst);
  }
  g_free (pixels);
}

/* The box entirely outside gives black: -mean/std (grey: the same). */
static void
test_outside_is_black (void)
{
  DdamfnImage image;
  guint8 *pixels = make_frame (DDAMFN_PIXEL_RGB, &image);
  int n;
  Case *c = cases (&n);

  for (int k = 0; k < n; k++) {
    DdamfnSampleSpec spec;
    float *out = new_output (&c[k].in);
    const int nc = c[k].in.colour == DDAMFN_COLOUR_GREY ? 1 : 3;

    ddamfn_sample_spec_init (&spec, &c[k].in);
    ddamfn_sample_spec_box (&image, -500, -500, 20, 20, &spec, out);
    for (int v = 0; v < c[k].in.height; v++)
      for (int u = 0; u < c[k].in.width; u++)
        for (int ch = 0; ch < nc; ch++)
          g_assert_cmpfloat_with_epsilon (out[at (&c[k].in, ch, u, v)],
              -c[k].in.mean[ch] / c[k].in.std[ch], 1e-5);
    g_free (out);
  }
  g_free (pixels);
}

static void
test_spec_affine_matches_reference (void)
{
  /* A rotation-and-scale well inside the frame (the kernel's unclamped
   * path) and one that leaves it. */
  static const double maps[][6] = {
    {0.30, 0.08, 8.0, -0.06, 0.28, 6.0},
    {0.9, 0.35, -4.0, -0.3, 0.95, 2.5},
  };
  DdamfnImage image;
  guint8 *pixels = make_frame (DDAMFN_PIXEL_RGB, &image);
  int n;
  Case *c = cases (&n);

  for (int k = 0; k < n; k++) {
    DdamfnSampleSpec spec;

    ddamfn_sample_spec_init (&spec, &c[k].in);
    for (guint i = 0; i < G_N_ELEMENTS (maps); i++) {
      float *out = new_output (&c[k].in);
      char *what = g_strdup_printf ("%s, map %u", c[k].name, i);
      ddamfn_sample_spec_affine (&image, maps[i], &spec, out);
      check_against_reference (&c[k].in, maps[i], out, what);
      g_free (what);
      g_free (out);
    }
  }
  g_free (pixels);
}

/* A model holding only a card: all ddamfn_model_prepare_box reads. */
static DdamfnModel *
model_with_input (const DdamfnInputSpec * in)
{
  DdamfnModel *m = g_new0 (DdamfnModel, 1);

  m->card.input = *in;
  return m;
}

static void
check_prepare_box (const DdamfnImage * image, const DdamfnInputSpec * in,
    const char *name)
{
  static const float scales[] = { 0.f, 1.f, 1.3f, 0.6f };
  static const DdamfnBox fboxes[] = {
    {6.5f, 5.25f, 20.0f, 16.0f},
    {-4.0f, 20.0f, 18.0f, 14.0f},
    {30.0f, -3.0f, 15.5f, 12.0f},
  };
  DdamfnModel *m = model_with_input (in);

  for (guint b = 0; b < G_N_ELEMENTS (fboxes); b++)
    for (guint s = 0; s < G_N_ELEMENTS (scales); s++) {
      const DdamfnBox *box = &fboxes[b];
      /* 0 takes the card's box scale */
      const double k = scales[s] == 0.f ? in->box_scale : scales[s];
      const double w = box->w * k, h = box->h * k;
      float *out = new_output (in);
      GError *err = NULL;
      double map[6];
      char *what = g_strdup_printf ("%s, box %u, scale %g", name, b,
          scales[s]);

      g_assert_true (ddamfn_model_prepare_box (m, image, box, scales[s], out,
              &err));
      g_assert_no_error (err);
      box_map (in, box->x + 0.5 * box->w - 0.5 * w,
          box->y + 0.5 * box->h - 0.5 * h, w, h, map);
      check_against_reference (in, map, out, what);
      g_free (what);
      g_free (out);
    }
  g_free (m);
}

static void
test_prepare_box_matches_reference (void)
{
  DdamfnImage image;
  guint8 *pixels = make_frame (DDAMFN_PIXEL_RGB, &image);
  int n;
  Case *c = cases (&n);
  DdamfnInputSpec ddamfn, ddamfn255;

  for (int k = 0; k < n; k++) {
    c[k].in.box_scale = 1.15f;
    check_prepare_box (&image, &c[k].in, c[k].name);
  }
  /* DDAMFN's layout takes its fast path: it too must honour the card's
   * range and box scale. */
  ddamfn = spec_of (DDAMFN_INPUT_SIZE, DDAMFN_INPUT_SIZE, DDAMFN_COLOUR_RGB,
      FALSE, 1.f, in_mean, in_std);
  ddamfn.box_scale = 1.2f;
  check_prepare_box (&image, &ddamfn, "ddamfn layout");
  ddamfn255 = spec_of (DDAMFN_INPUT_SIZE, DDAMFN_INPUT_SIZE,
      DDAMFN_COLOUR_RGB, FALSE, 255.f, m255, s255);
  check_prepare_box (&image, &ddamfn255, "ddamfn layout, range 255");
  g_free (pixels);
}

/* Another pixel format of the same frame gives the same tensor. */
static void
test_frame_format_does_not_matter (void)
{
  DdamfnImage rgb, bgrx;
  guint8 *p1 = make_frame (DDAMFN_PIXEL_RGB, &rgb);
  guint8 *p2 = make_frame (DDAMFN_PIXEL_BGRX, &bgrx);
  int n;
  Case *c = cases (&n);

  for (int k = 0; k < n; k++) {
    DdamfnSampleSpec spec;
    float *a = new_output (&c[k].in), *b = new_output (&c[k].in);

    ddamfn_sample_spec_init (&spec, &c[k].in);
    ddamfn_sample_spec_box (&rgb, -3.5, 2.25, 37.0, 29.0, &spec, a);
    ddamfn_sample_spec_box (&bgrx, -3.5, 2.25, 37.0, 29.0, &spec, b);
    g_assert_cmpmem (a, n_floats (&c[k].in) * sizeof (float), b,
        n_floats (&c[k].in) * sizeof (float));
    g_free (a);
    g_free (b);
  }
  g_free (p1);
  g_free (p2);
}

/* What prepare_box refuses, by name. */
static void
test_prepare_box_errors (void)
{
  DdamfnImage image;
  guint8 *pixels = make_frame (DDAMFN_PIXEL_RGB, &image);
  DdamfnInputSpec in = spec_of (20, 16, DDAMFN_COLOUR_RGB, FALSE, 1.f,
      in_mean, in_std);
  DdamfnModel *m;
  DdamfnBox box = { 1, 1, 10, 10 }, empty = { 1, 1, 0, 10 };
  float *out = new_output (&in);
  GError *err = NULL;

  m = model_with_input (&in);
  g_assert_false (ddamfn_model_prepare_box (m, &image, &box, -1.f, out,
          &err));
  g_assert_error (err, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (err->message, "box scale is -1"));
  g_clear_error (&err);
  g_assert_false (ddamfn_model_prepare_box (m, &image, &empty, 1.f, out,
          &err));
  g_assert_nonnull (strstr (err->message, "is empty"));
  g_clear_error (&err);
  g_assert_false (ddamfn_model_prepare_box (NULL, &image, &box, 1.f, out,
          &err));
  g_assert_nonnull (strstr (err->message, "model must not be NULL"));
  g_clear_error (&err);
  g_free (m);

  /* A card whose std is 0 cannot be applied. */
  in.std[1] = 0.f;
  m = model_with_input (&in);
  g_assert_false (ddamfn_model_prepare_box (m, &image, &box, 1.f, out,
          &err));
  g_assert_nonnull (strstr (err->message, "standard deviation of channel "
          "G is 0"));
  g_clear_error (&err);
  g_free (m);

  in.std[1] = 1.f;
  in.width = DDAMFN_SAMPLE_MAX_SIZE + 1;
  m = model_with_input (&in);
  g_assert_false (ddamfn_model_prepare_box (m, &image, &box, 1.f, out,
          &err));
  g_assert_nonnull (strstr (err->message, "at most 512×512"));
  g_clear_error (&err);
  g_free (m);
  g_free (out);
  g_free (pixels);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/card-crop/spec-box-matches-reference",
      test_spec_box_matches_reference);
  g_test_add_func ("/card-crop/outside-is-black", test_outside_is_black);
  g_test_add_func ("/card-crop/spec-affine-matches-reference",
      test_spec_affine_matches_reference);
  g_test_add_func ("/card-crop/prepare-box-matches-reference",
      test_prepare_box_matches_reference);
  g_test_add_func ("/card-crop/frame-format-does-not-matter",
      test_frame_format_does_not_matter);
  g_test_add_func ("/card-crop/prepare-box-errors", test_prepare_box_errors);

  return g_test_run ();
}
