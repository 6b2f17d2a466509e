/* The kernels graph models add (ops/eltwise.c, ops/pool.c, ops/reorder.c,
 * the channel-major im2col convolution) against plain C written from
 * their definitions, under every kernel variant this CPU runs.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/ops.h"
#include "ops/dispatch.h"

#include <math.h>
#include <string.h>

static float *
rnd (GRand * r, gsize n, double lo, double hi)
{
  float *p = g_new (float, n + DDAMFN_ROW_SLACK);
  for (gsize i = 0; i < n + DDAMFN_ROW_SLACK; i++)
    p[i] = (float) g_rand_double_range (r, lo, hi);
  return p;
}

static void
assert_close (const float *got, const double *want, gsize n, double tol)
{
  for (gsize i = 0; i < n; i++)
    if (fabs (got[i] - want[i]) > tol * (1 + fabs (want[i])))
      g_error ("element %" G_GSIZE_FORMAT ": got %.9g, want %.9g", i,
          got[i], want[i]);
}

static double
ref_act (double v, DdamfnAct act, double slope)
{
  switch (act) {
    case ACT_NONE:
      return v;
    case ACT_PRELU:
      return v > 0 ? v : slope * v;
    case ACT_RELU:
      return v > 0 ? v : 0;
    case ACT_HARDSWISH:
      return v * fmin (fmax (v + 3, 0), 6) / 6;
    case ACT_SIGMOID:
      return 1 / (1 + exp (-v));
    case ACT_TANH:
      return tanh (v);
    case ACT_RELU6:
      return fmin (fmax (v, 0), 6);
    case ACT_SWISH:
      return v / (1 + exp (-v));
  }
  return NAN;
}

static double
ref_bin (double u, double v, DdamfnBinOp op)
{
  switch (op) {
    case BIN_ADD:
      return u + v;
    case BIN_SUB:
      return u - v;
    case BIN_MUL:
      return u * v;
    case BIN_DIV:
      return u / v;
    case BIN_RSUB:
      return v - u;
    case BIN_RDIV:
      return v / u;
    case BIN_MAX:
      return fmax (u, v);
    case BIN_MIN:
      return fmin (u, v);
    default:
      return u;
  }
}

/* Every operation with every broadcast, with a clamp and an activation. */
static void
test_eltwise (void)
{
  GRand *r = g_rand_new_with_seed (7);
  const int c = 5, n = 3, h = 7, w = 9;
  const gsize plane = h * w, total = (gsize) c * n * plane;
  float *a = rnd (r, total, -4, 4), *b = rnd (r, total, 0.5, 3);
  float *bc = rnd (r, c, 0.5, 3), *slope = rnd (r, c, 0, 0.5);
  float *scale = rnd (r, c, -2, 2), *shift = rnd (r, c, -1, 1);
  float *y = g_new (float, total + DDAMFN_ROW_SLACK);
  double *want = g_new (double, total);

  for (DdamfnBinOp op = BIN_NONE; op <= BIN_MIN; op++)
    for (DdamfnBroadcast bm = BCAST_FULL; bm <= BCAST_SCALAR; bm++)
      for (int variant = 0; variant < 3; variant++) {
        DdamfnEltwise e = {.op = op,.bcast = bm,.b_const = bc,.scale = scale,
          .shift = shift,.slope = slope,
          .act = variant == 0 ? ACT_NONE : variant == 1 ? ACT_PRELU
              : ACT_RELU6,
          .clamp = variant == 2,.alpha = 0.5f,.beta = 0.25f,.lo = -1,.hi = 1
        };
        for (int ch = 0; ch < c; ch++)
          for (int f = 0; f < n; f++)
            for (gsize p = 0; p < plane; p++) {
              const gsize i = ((gsize) ch * n + f) * plane + p;
              double v = bm == BCAST_FULL ? b[i] : bm == BCAST_CHANNEL_FACE
                  ? b[ch * n + f] : bm == BCAST_CHANNEL ? bc[ch] : bc[0];
              double u = op == BIN_AFFINE ? a[i] * (double) scale[ch]
                  + shift[ch] : ref_bin (a[i], v, op);
              if (e.clamp)
                u = fmin (fmax (0.5 * u + 0.25, -1), 1);
              want[i] = ref_act (u, e.act, slope[ch]);
            }
        ddamfn_op_eltwise (&e, y, a, b, c, n, plane);
        assert_close (y, want, total, 1e-6);
      }
  /* in place */
  {
    DdamfnEltwise e = {.op = BIN_ADD,.bcast = BCAST_FULL,.act = ACT_RELU };
    for (gsize i = 0; i < total; i++)
      want[i] = fmax ((double) a[i] + b[i], 0);
    ddamfn_op_eltwise (&e, a, a, b, c, n, plane);
    assert_close (a, want, total, 1e-6);
  }
  g_free (a);
  g_free (b);
  g_free (bc);
  g_free (slope);
  g_free (scale);
  g_free (shift);
  g_free (y);
  g_free (want);
  g_rand_free (r);
}

/* Windows, strides and padding as TensorFlow's SAME and ONNX's pads and
 * ceil_mode give them; global average pooling as one window. */
static void
test_pool (void)
{
  static const struct
  {
    int h, w, kh, kw, sh, sw, pt, pl, oh, ow;
  } cases[] = {
    {29, 29, 3, 3, 2, 2, 1, 1, 15, 15},
    {15, 15, 3, 3, 2, 2, 1, 1, 8, 8},
    {8, 8, 8, 8, 1, 1, 0, 0, 1, 1},
    {9, 7, 2, 3, 2, 1, 0, 1, 5, 7},     /* ceil_mode: last window half out */
    {5, 6, 3, 3, 1, 1, 1, 1, 5, 6},
    {13, 11, 13, 1, 1, 1, 0, 0, 1, 11}, /* mean over H: whole columns */
    {13, 11, 1, 11, 1, 1, 0, 0, 13, 1}, /* mean over W: whole rows */
  };
  GRand *r = g_rand_new_with_seed (3);

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    for (int is_max = 0; is_max < 2; is_max++) {
      const int planes = 4, h = cases[k].h, w = cases[k].w;
      const int oh = cases[k].oh, ow = cases[k].ow;
      DdamfnPool p = { is_max, cases[k].kh, cases[k].kw, cases[k].sh,
        cases[k].sw, cases[k].pt, cases[k].pl
      };
      float *x = rnd (r, (gsize) planes * h * w, -3, 3);
      float *y = g_new (float, (gsize) planes * oh * ow);
      double *want = g_new (double, (gsize) planes * oh * ow);

      for (int pl = 0; pl < planes; pl++)
        for (int oy = 0; oy < oh; oy++)
          for (int ox = 0; ox < ow; ox++) {
            double acc = is_max ? -INFINITY : 0;
            int cnt = 0;
            for (int ky = 0; ky < p.kh; ky++)
              for (int kx = 0; kx < p.kw; kx++) {
                int iy = oy * p.sh + ky - p.pad_t, ix = ox * p.sw + kx - p.pad_l;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                  continue;
                double v = x[((gsize) pl * h + iy) * w + ix];
                acc = is_max ? fmax (acc, v) : acc + v;
                cnt++;
              }
            want[((gsize) pl * oh + oy) * ow + ox] = is_max ? acc : acc / cnt;
          }
      ddamfn_op_pool (&p, y, x, planes, h, w, oh, ow);
      assert_close (y, want, (gsize) planes * oh * ow, 1e-6);
      g_free (x);
      g_free (y);
      g_free (want);
    }
  g_rand_free (r);
}

static void
test_softmax (void)
{
  GRand *r = g_rand_new_with_seed (5);
  const int c = 7, n = 3;
  float *x = rnd (r, c * n, -30, 30), *y = g_new (float, c * n);
  double want[21];

  for (int f = 0; f < n; f++) {
    double mx = -INFINITY, s = 0;
    for (int k = 0; k < c; k++)
      mx = fmax (mx, x[k * n + f]);
    for (int k = 0; k < c; k++)
      s += exp (x[k * n + f] - mx);
    for (int k = 0; k < c; k++)
      want[k * n + f] = exp (x[k * n + f] - mx) / s;
  }
  ddamfn_op_softmax_channels (y, x, c, n);
  assert_close (y, want, c * n, 1e-6);
  g_free (x);
  g_free (y);
  g_rand_free (r);
}

/* Each layout move by its index formula. */
static void
test_reorder (void)
{
  const int c = 3, n = 2, h = 4, w = 5;
  const gsize plane = h * w, total = (gsize) c * n * plane;
  float *x = g_new (float, total), *y = g_new (float, total);
  double *want = g_new (double, total);

  for (gsize i = 0; i < total; i++)
    x[i] = (float) i;
  for (DdamfnReorder how = REORDER_FROM_NCHW; how <= REORDER_COPY; how++) {
    for (int ch = 0; ch < c; ch++)
      for (int f = 0; f < n; f++)
        for (int i = 0; i < h; i++)
          for (int j = 0; j < w; j++) {
            const gsize p = (gsize) i * w + j;
            const gsize cm = ((gsize) ch * n + f) * plane + p;
            switch (how) {
              case REORDER_FROM_NCHW:
                want[cm] = x[((gsize) f * c + ch) * plane + p];
                break;
              case REORDER_FROM_NHWC:
                want[cm] = x[((gsize) f * plane + p) * c + ch];
                break;
              case REORDER_FLATTEN_CHW:
                want[((gsize) ch * plane + p) * n + f] = x[cm];
                break;
              case REORDER_FLATTEN_HWC:
                want[(p * c + ch) * n + f] = x[cm];
                break;
              case REORDER_TRANSPOSE_HW:
                want[((gsize) ch * n + f) * plane + (gsize) j * h + i] = x[cm];
                break;
              case REORDER_COPY:
                want[cm] = x[cm];
                break;
              case REORDER_ROWS:       /* test_copy_rows */
                break;
            }
          }
    ddamfn_op_reorder (how, y, x, c, n, h, w);
    assert_close (y, want, total, 0);
  }
  g_free (x);
  g_free (y);
  g_free (want);
}

/* Planes broadcast along H and W (BCAST_PLANES): every pairing of full,
 * column (h × 1) and row (1 × w) operands, every binary operation, with a
 * PReLU or a clamp and ReLU6, against the formula in double. */
static void
test_eltwise_planes (void)
{
  static const int shapes[][4] = {    /* ah, aw, bh, bw */
    {7, 9, 7, 1}, {7, 9, 1, 9}, {7, 1, 1, 9}, {1, 9, 7, 1}, {7, 1, 7, 9},
    {1, 9, 7, 9}, {7, 9, 1, 1},
  };
  GRand *r = g_rand_new_with_seed (17);
  const int c = 4, n = 3, h = 7, w = 9;
  const gsize total = (gsize) c * n * h * w;
  float *a = rnd (r, total, -4, 4), *b = rnd (r, total, 0.5, 3);
  float *slope = rnd (r, c, 0, 0.5);
  float *y = g_new (float, total + DDAMFN_ROW_SLACK);
  double *want = g_new (double, total);

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (DdamfnBinOp op = BIN_ADD; op <= BIN_MIN; op++)
      for (int variant = 0; variant < 2; variant++) {
        const int ah = shapes[s][0], aw = shapes[s][1];
        const int bh = shapes[s][2], bw = shapes[s][3];
        DdamfnEltwise e = {.op = op,.bcast = BCAST_PLANES,.slope = slope,
          .act = variant ? ACT_RELU6 : ACT_PRELU,.clamp = variant == 1,
          .alpha = 0.5f,.beta = 0.25f,.lo = -1,.hi = 1,
          .ah = ah,.aw = aw,.bh = bh,.bw = bw
        };
        if (op == BIN_AFFINE)
          continue;
        for (int ch = 0; ch < c; ch++)
          for (int f = 0; f < n; f++)
            for (int i = 0; i < h; i++)
              for (int j = 0; j < w; j++) {
                const gsize pl = (gsize) ch * n + f;
                double u = a[pl * ah * aw + (ah > 1 ? i : 0) * aw
                    + (aw > 1 ? j : 0)];
                double v = b[pl * bh * bw + (bh > 1 ? i : 0) * bw
                    + (bw > 1 ? j : 0)];
                double o = ref_bin (u, v, op);
                if (e.clamp)
                  o = fmin (fmax (0.5 * o + 0.25, -1), 1);
                want[pl * h * w + (gsize) i * w + j] = ref_act (o, e.act,
                    slope[ch]);
              }
        ddamfn_op_eltwise (&e, y, a, b, c, n, (gsize) h * w);
        assert_close (y, want, total, 1e-6);
      }
  g_free (a);
  g_free (b);
  g_free (slope);
  g_free (y);
  g_free (want);
  g_rand_free (r);
}

/* Rows of planes: a slice along H and the parts of a concatenation. */
static void
test_copy_rows (void)
{
  const int planes = 5, w = 3, xh = 7, yh = 11;
  float *x = g_new (float, planes * xh * w), *y = g_new (float,
      planes * yh * w);

  for (int i = 0; i < planes * xh * w; i++)
    x[i] = (float) i;
  for (int i = 0; i < planes * yh * w; i++)
    y[i] = -1.f;
  /* rows 2 … 5 of each x plane to rows 6 … 9 of each y plane */
  ddamfn_op_copy_rows (y, x, planes, w, xh, 2, yh, 6, 4);
  for (int p = 0; p < planes; p++)
    for (int i = 0; i < yh; i++)
      for (int j = 0; j < w; j++) {
        float got = y[(p * yh + i) * w + j];
        float exp = i >= 6 && i < 10 ? x[(p * xh + i - 4) * w + j] : -1.f;
        g_assert_cmpfloat (got, ==, exp);
      }
  g_free (x);
  g_free (y);
}

/* The channel-major im2col convolution against a direct one in double,
 * with asymmetric ("same") padding and strides. */
static void
test_conv_im2col_cm (void)
{
  static const struct
  {
    int cin, cout, k, s, pad, h, w, oh, ow;
  } cases[] = {
    {1, 32, 3, 2, 0, 64, 64, 31, 31},
    {3, 8, 3, 1, 1, 9, 11, 9, 11},
    {4, 6, 1, 2, 0, 29, 29, 15, 15},
    {5, 7, 3, 2, 0, 8, 8, 4, 4},        /* TF SAME: 0 before, 1 after */
    {2, 3, 5, 1, 2, 6, 7, 6, 7},
  };
  GRand *r = g_rand_new_with_seed (11);

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++) {
    const int n = 3, cin = cases[k].cin, cout = cases[k].cout;
    const int kk = cases[k].k, h = cases[k].h, w = cases[k].w;
    const int oh = cases[k].oh, ow = cases[k].ow;
    DdamfnConv cv = {.cin = cin,.cout = cout,.kh = kk,.kw = kk,
      .stride = cases[k].s,.pad_h = cases[k].pad,.pad_w = cases[k].pad,
      .groups = 1,.act = ACT_RELU6
    };
    const gsize out = (gsize) cout * n * oh * ow;
    float *x = rnd (r, (gsize) cin * n * h * w, -1, 1);
    float *cols = g_new (float, (gsize) cin * kk * kk * n * oh * ow);
    float *y = g_new (float, out + DDAMFN_ROW_SLACK);
    double *want = g_new (double, out);

    cv.weight = rnd (r, (gsize) cout * cin * kk * kk, -1, 1);
    cv.bias = rnd (r, cout, -1, 1);
    for (int o = 0; o < cout; o++)
      for (int f = 0; f < n; f++)
        for (int oy = 0; oy < oh; oy++)
          for (int ox = 0; ox < ow; ox++) {
            double acc = cv.bias[o];
            for (int ci = 0; ci < cin; ci++)
              for (int ky = 0; ky < kk; ky++)
                for (int kx = 0; kx < kk; kx++) {
                  int iy = oy * cv.stride + ky - cv.pad_h;
                  int ix = ox * cv.stride + kx - cv.pad_w;
                  if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                    acc += (double) cv.weight[((o * cin + ci) * kk + ky) * kk
                        + kx] * x[(((gsize) ci * n + f) * h + iy) * w + ix];
                }
            want[(((gsize) o * n + f) * oh + oy) * ow + ox] =
                fmin (fmax (acc, 0), 6);
          }
    ddamfn_op_conv_im2col_cm (&cv, x, n, h, w, oh, ow, cols, y, TRUE);
    assert_close (y, want, out, 1e-5);
    g_free (x);
    g_free (cols);
    g_free (y);
    g_free (want);
    g_free (cv.weight);
    g_free (cv.bias);
  }
  g_rand_free (r);
}

/* Every activation as a bias epilogue, into another buffer and in place,
 * over values that reach the clamps of e^x (±100), on rows whose lengths
 * leave vector tails. */
static void
test_activations (void)
{
  GRand *r = g_rand_new_with_seed (11);
  const int rows = 3, cols = 37, ld = 40;
  float *x = rnd (r, (gsize) rows * ld, -9, 9), *bias = rnd (r, rows, -1, 1);
  float *slope = rnd (r, rows, 0, 0.5);
  float *y = g_new (float, (gsize) rows * ld + DDAMFN_ROW_SLACK);
  double *want = g_new (double, (gsize) rows * ld);

  x[0] = -100.f;
  x[1] = 100.f;
  x[2] = 0.f;
  for (DdamfnAct act = ACT_NONE; act <= ACT_SWISH; act++) {
    memcpy (y, x, sizeof (float) * rows * ld);
    for (int i = 0; i < rows; i++)
      for (int j = 0; j < ld; j++)
        want[i * ld + j] = j < cols ? ref_act ((double) x[i * ld + j]
            + bias[i], act, slope[i]) : x[i * ld + j];
    ddamfn_op_bias_act (y, rows, cols, ld, bias, act == ACT_PRELU ? slope
        : NULL, act);
    for (int i = 0; i < rows * ld; i++)
      if (fabs (y[i] - want[i]) > 2e-6 * (1 + fabs (want[i])))
        g_error ("%s, element %d (x %.9g): got %.9g, want %.9g",
            act == ACT_SWISH ? "swish" : "activation", i, x[i], y[i],
            want[i]);
  }
  g_free (x);
  g_free (bias);
  g_free (slope);
  g_free (y);
  g_free (want);
  g_rand_free (r);
}

/* ---- under every variant ---------------------------------------------- */

static const char *const variants[] = { "generic", "avx2", "avx512" };

typedef struct
{
  const char *variant;
  GTestFunc func;
} VariantCase;

static void
run_with_variant (gconstpointer data)
{
  const VariantCase *vc = data;
  const DdamfnKernels *saved = ddamfn_kernels_get ();

  if (!ddamfn_kernels_use (vc->variant)) {
    g_test_skip ("this CPU cannot run the variant");
    return;
  }
  vc->func ();
  g_assert_true (ddamfn_kernels_use (saved->name));
}

static void
add_for_variants (const char *path, GTestFunc func)
{
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++) {
    VariantCase *vc = g_new (VariantCase, 1);
    char *p = g_strdup_printf ("%s/%s", path, variants[i]);
    vc->variant = variants[i];
    vc->func = func;
    g_test_add_data_func_full (p, vc, run_with_variant, g_free);
    g_free (p);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add_for_variants ("/graph-ops/eltwise", test_eltwise);
  add_for_variants ("/graph-ops/activations", test_activations);
  add_for_variants ("/graph-ops/pool", test_pool);
  add_for_variants ("/graph-ops/softmax", test_softmax);
  add_for_variants ("/graph-ops/eltwise-planes", test_eltwise_planes);
  add_for_variants ("/graph-ops/reorder", test_reorder);
  add_for_variants ("/graph-ops/copy-rows", test_copy_rows);
  add_for_variants ("/graph-ops/conv-im2col-cm", test_conv_im2col_cm);
  return g_test_run ();
}
