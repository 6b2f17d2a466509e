/* Tensor binding for the plan builders (see loader.h).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "loader.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

/* PyTorch's BatchNorm default. */
#define BN_EPS 1e-5

const StTensor *
ddamfn_loader_find (DdamfnLoader * ld, const char *name)
{
  const StTensor *t = st_file_lookup (ld->file, name);

  if (t == NULL) {
    char *prefixed = g_strconcat ("module.", name, NULL);
    t = st_file_lookup (ld->file, prefixed);
    g_free (prefixed);
  }
  return t;
}

const StTensor *
ddamfn_loader_find2 (DdamfnLoader * ld, const char *prefix,
    const char *suffix)
{
  char *name = g_strconcat (prefix, suffix, NULL);
  const StTensor *t = ddamfn_loader_find (ld, name);

  g_free (name);
  return t;
}

void
ddamfn_loader_fail (DdamfnLoader * ld, const char *fmt, ...)
{
  va_list ap;

  if (ld->error)
    return;
  va_start (ap, fmt);
  ld->error = g_error_new_valist (DDAMFN_ERROR, DDAMFN_ERROR_TENSOR, fmt, ap);
  va_end (ap);
}

static char *
format_shape (const gint64 * shape, int ndim)
{
  GString *s = g_string_new ("[");

  for (int i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "",
        shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static float *
take_tensor (DdamfnLoader * ld, const char *name, int ndim,
    const gint64 * dims)
{
  const StTensor *t = ddamfn_loader_find (ld, name);
  float *out;

  if (t == NULL) {
    ddamfn_loader_fail (ld, "%s: missing tensor '%s'", ld->path, name);
    return NULL;
  }
  if (t->dtype != ST_DTYPE_F32) {
    ddamfn_loader_fail (ld, "%s: tensor '%s' has dtype %s, expected F32",
        ld->path, name, st_dtype_name (t->dtype));
    return NULL;
  }
  if (t->ndim != ndim || memcmp (t->shape, dims, ndim * sizeof (gint64))) {
    char *want = format_shape (dims, ndim);
    char *have = format_shape (t->shape, t->ndim);
    ddamfn_loader_fail (ld, "%s: tensor '%s' has shape %s, expected %s",
        ld->path, name, have, want);
    g_free (want);
    g_free (have);
    return NULL;
  }
  out = ddamfn_plan_alloc_weights (ld->plan, (t->nbytes + 3) / 4);
  if (out == NULL) {
    g_set_error (&ld->error, DDAMFN_ERROR, DDAMFN_ERROR_NO_MEMORY,
        "%s: out of memory reading tensor '%s'", ld->path, name);
    return NULL;
  }
  /* The data section is only byte-aligned in general: copy, then check. */
  memcpy (out, t->data, t->nbytes);
  for (gint64 i = 0; i < t->numel; i++) {
    if (!isfinite (out[i])) {
      ddamfn_loader_fail (ld, "%s: tensor '%s' holds a non-finite value at "
          "element %" G_GINT64_FORMAT, ld->path, name, i);
      return NULL;
    }
  }
  return out;
}

float *
ddamfn_loader_take (DdamfnLoader * ld, const char *prefix,
    const char *suffix, int ndim, const gint64 * dims)
{
  char *name;
  float *out;

  if (ld->error)
    return NULL;
  name = g_strconcat (prefix, suffix, NULL);
  out = take_tensor (ld, name, ndim, dims);
  g_free (name);
  return out;
}

static float *
take1 (DdamfnLoader * ld, const char *prefix, const char *suffix, gint64 d0)
{
  return ddamfn_loader_take (ld, prefix, suffix, 1, &d0);
}

DdamfnConv *
ddamfn_loader_new_conv (DdamfnLoader * ld)
{
  return ddamfn_plan_own (ld->plan, g_new0 (DdamfnConv, 1));
}

DdamfnGate *
ddamfn_loader_new_gate (DdamfnLoader * ld)
{
  return ddamfn_plan_own (ld->plan, g_new0 (DdamfnGate, 1));
}

DdamfnDense *
ddamfn_loader_new_dense (DdamfnLoader * ld)
{
  return ddamfn_plan_own (ld->plan, g_new0 (DdamfnDense, 1));
}

/* Folds BatchNorm PREFIX into conv->weight (tensor WEIGHT_NAME) and
 * conv->bias (which already holds the conv's own bias, or zeros). */
static void
fold_bn (DdamfnLoader * ld, const char *prefix, DdamfnConv * conv,
    const char *weight_name)
{
  const int c = conv->cout;
  const gsize per_out = (gsize) (conv->cin / conv->groups) * conv->kh
      * conv->kw;
  const float *gamma = take1 (ld, prefix, ".weight", c);
  const float *beta = take1 (ld, prefix, ".bias", c);
  const float *mean = take1 (ld, prefix, ".running_mean", c);
  const float *var = take1 (ld, prefix, ".running_var", c);

  if (ld->error)
    return;
  for (int o = 0; o < c; o++) {
    double s;
    if (var[o] < 0) {
      ddamfn_loader_fail (ld, "%s: tensor '%s.running_var' has a negative "
          "variance at element %d", ld->path, prefix, o);
      return;
    }
    s = gamma[o] / sqrt ((double) var[o] + BN_EPS);
    /* finite weights can still overflow float once scaled: the network
     * would then give NaN or uniform probabilities without a word */
    for (gsize i = 0; i < per_out; i++) {
      double w = conv->weight[o * per_out + i] * s;
      if (!(fabs (w) <= FLT_MAX)) {
        ddamfn_loader_fail (ld, "%s: tensor '%s' (with BatchNorm "
            "'%s' folded in) overflows float at output channel %d: the "
            "weights are not usable", ld->path, weight_name, prefix, o);
        return;
      }
      conv->weight[o * per_out + i] = (float) w;
    }
    conv->bias[o] = (float) ((conv->bias[o] - mean[o]) * s + beta[o]);
    if (!isfinite (conv->bias[o])) {
      ddamfn_loader_fail (ld, "%s: BatchNorm '%s' folded into its conv "
          "gives a bias that overflows float at channel %d: the weights "
          "are not usable", ld->path, prefix, o);
      return;
    }
  }
}

static float *
zeros (DdamfnLoader * ld, int n)
{
  float *p = ddamfn_plan_alloc_weights (ld->plan, MAX (n, 1));

  if (p == NULL)
    g_error ("out of memory allocating %d weights", n);
  return p;
}

void
ddamfn_loader_conv_block (DdamfnLoader * ld, const char *prefix,
    DdamfnConv * conv, int cin, int cout, int kh, int kw, int stride,
    int pad, int groups, DdamfnAct act)
{
  const gint64 dims[4] = { cout, cin / groups, kh, kw };
  char *bn = g_strconcat (prefix, ".bn", NULL);

  *conv = (DdamfnConv) {
  .cin = cin,.cout = cout,.kh = kh,.kw = kw,.stride = stride,.pad_h =
        pad,.pad_w = pad,.groups = groups,.act = act};
  conv->weight = ddamfn_loader_take (ld, prefix, ".conv.weight", 4, dims);
  conv->bias = zeros (ld, cout);
  {
    char *weight = g_strconcat (prefix, ".conv.weight", NULL);
    fold_bn (ld, bn, conv, weight);
    g_free (weight);
  }
  g_free (bn);
  if (act == ACT_PRELU)
    conv->slope = take1 (ld, prefix, ".prelu.weight", cout);
}

void
ddamfn_loader_depthwise (DdamfnLoader * ld, const char *prefix,
    DdamfnConv * conv, int c, int k, int stride)
{
  const gint64 dims[4] = { c, 1, k, k };

  *conv = (DdamfnConv) {
  .cin = c,.cout = c,.kh = k,.kw = k,.stride = stride,.pad_h = k / 2,.pad_w =
        k / 2,.groups = c,.act = ACT_NONE};
  conv->weight = ddamfn_loader_take (ld, prefix, ".weight", 4, dims);
}

/* A 1×1 convolution with its own bias: "<prefix>.weight", "<prefix>.bias". */
static void
pointwise (DdamfnLoader * ld, const char *prefix, DdamfnConv * conv, int cin,
    int cout, DdamfnAct act)
{
  const gint64 dims[4] = { cout, cin, 1, 1 };
  char *w = g_strconcat (prefix, ".weight", NULL);

  *conv = (DdamfnConv) {
  .cin = cin,.cout = cout,.kh = 1,.kw = 1,.stride = 1,.groups = 1,.act = act};
  conv->weight = ddamfn_loader_take (ld, w, "", 4, dims);
  conv->bias = take1 (ld, prefix, ".bias", cout);
  if (conv->bias == NULL)
    conv->bias = zeros (ld, cout);
  g_free (w);
}

void
ddamfn_loader_gate (DdamfnLoader * ld, const char *prefix, DdamfnGate * gate,
    int c, int mip)
{
  char *conv1 = g_strconcat (prefix, ".conv1", NULL);
  char *bn1 = g_strconcat (prefix, ".bn1", NULL);
  char *conv2 = g_strconcat (prefix, ".conv2", NULL);
  char *conv3 = g_strconcat (prefix, ".conv3", NULL);

  gate->channels = c;
  gate->mip = mip;
  pointwise (ld, conv1, &gate->conv1, c, mip, ACT_HARDSWISH);
  {
    char *weight = g_strconcat (conv1, ".weight", NULL);
    fold_bn (ld, bn1, &gate->conv1, weight);
    g_free (weight);
  }
  pointwise (ld, conv2, &gate->conv2, mip, c, ACT_SIGMOID);
  pointwise (ld, conv3, &gate->conv3, mip, c, ACT_SIGMOID);
  g_free (conv1);
  g_free (bn1);
  g_free (conv2);
  g_free (conv3);
}

void
ddamfn_loader_dense (DdamfnLoader * ld, const char *prefix,
    DdamfnDense * d, int in, int out)
{
  const gint64 dims[2] = { out, in };

  d->in = in;
  d->out = out;
  d->weight = ddamfn_loader_take (ld, prefix, ".weight", 2, dims);
  d->bias = take1 (ld, prefix, ".bias", out);
}
