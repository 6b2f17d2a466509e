/* A model and its card: where the card comes from (argument, the file's
 * own metadata, a sidecar file, a preset chosen from the shapes), whether
 * it fits the model, and the finisher that turns a graph model's outputs
 * into DdamfnResult as the card maps them.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "import/graph-model.h"
#include "import/graph.h"

#include <math.h>
#include <string.h>

#define CARD_KEY "gst-ddamfn.card"

/* ---- the finisher of a graph model ---------------------------------------- */

typedef struct
{
  int out, index, count;
  CardActivation act;
} Pick;

typedef struct
{
  const DdamfnGraphOutputs *o;
  gboolean has_expr, has_va, has_au;
  Pick expr, valence, arousal, au;
  float au_thresholds[DDAMFN_N_AU];
} CardMap;

/* Value I of output P.out for face F (outputs lie [c][n][h][w]). */
static float
value_at (const CardMap * m, float *const *slots, int n, int f, int out,
    int i)
{
  const DdamfnTensor *t = &m->o->tensors[out];
  const int plane = t->h * t->w;
  const float *base = slots[t->slot] + (gsize) t->c0 * n * plane;

  return base[((gsize) (i / plane) * n + f) * plane + i % plane];
}

static float
activate (CardActivation act, float v)
{
  if (act == CARD_ACT_SIGMOID)
    return 1.f / (1.f + expf (-v));
  if (act == CARD_ACT_TANH)
    return tanhf (v);
  return v;
}

static void
card_finish (gconstpointer data, float *const *slots, int n,
    gpointer results)
{
  const CardMap *m = data;
  DdamfnResult *r = results;

  for (int f = 0; f < n; f++) {
    memset (&r[f], 0, sizeof r[f]);
    r[f].expr_index = -1;
    if (m->has_expr) {
      float v[DDAMFN_MAX_EXPRESSIONS];
      const int k = m->expr.count;
      for (int i = 0; i < k; i++)
        v[i] = value_at (m, slots, n, f, m->expr.out, m->expr.index + i);
      r[f].n_expr = k;
      if (m->expr.act == CARD_ACT_SOFTMAX)
        ddamfn_softmax (v, k, r[f].expr_probs);
      else
        for (int i = 0; i < k; i++)
          r[f].expr_probs[i] = activate (m->expr.act, v[i]);
      r[f].expr_index = 0;
      for (int i = 1; i < k; i++)
        if (r[f].expr_probs[i] > r[f].expr_probs[r[f].expr_index])
          r[f].expr_index = i;
    }
    if (m->has_va) {
      r[f].has_va = TRUE;
      r[f].valence = activate (m->valence.act, value_at (m, slots, n, f,
              m->valence.out, m->valence.index));
      r[f].arousal = activate (m->arousal.act, value_at (m, slots, n, f,
              m->arousal.out, m->arousal.index));
    }
    if (m->has_au) {
      r[f].n_au = m->au.count;
      for (int i = 0; i < m->au.count; i++) {
        const float p = activate (m->au.act, value_at (m, slots, n, f,
                m->au.out, m->au.index + i));
        r[f].au_probs[i] = p;
        if (p >= m->au_thresholds[i])
          r[f].au_active |= 1u << i;
      }
    }
  }
}

/* ---- checking a card against a model ------------------------------------- */

static gboolean G_GNUC_PRINTF (3, 4)
misfit (GError ** error, const DdamfnModel * m, const char *fmt, ...)
{
  va_list ap;
  char *why;

  va_start (ap, fmt);
  why = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_METADATA,
      "%s: the model card \"%s\" does not fit the model: %s", m->path,
      m->card.name ? m->card.name : "ddamfn", why);
  g_free (why);
  return FALSE;
}

static gboolean
check_input (const DdamfnModel * m, int c, int h, int w, gboolean nhwc,
    GError ** error)
{
  const DdamfnInputSpec *in = &m->card.input;
  const int cc = in->colour == DDAMFN_COLOUR_GREY ? 1 : 3;

  if (in->width != w || in->height != h || cc != c)
    return misfit (error, m, "it says the input is %d×%d with %d channel%s "
        "(%s); the model takes %d×%d with %d", in->width, in->height, cc,
        cc == 1 ? "" : "s", cc == 1 ? "grey" : "colour", w, h, c);
  if (in->nhwc != nhwc)
    return misfit (error, m, "it says the layout is %s; the model's input "
        "is %s", in->nhwc ? "NHWC" : "NCHW", nhwc ? "NHWC" : "NCHW");
  return TRUE;
}

static gboolean
resolve_pick (const DdamfnModel * m, const char *head, const CardPick * cp,
    Pick * p, GError ** error)
{
  const DdamfnGraphOutputs *o = m->graph;
  gsize floats;

  p->out = -1;
  if (cp->output == NULL)
    p->out = 0;
  for (int k = 0; k < o->n_outputs && p->out < 0; k++)
    if (strcmp (o->names[k], cp->output) == 0)
      p->out = k;
  if (p->out < 0) {
    GString *names = g_string_new (NULL);
    for (int k = 0; k < o->n_outputs; k++)
      g_string_append_printf (names, "%s\"%s\"", k ? ", " : "", o->names[k]);
    misfit (error, m, "%s: no output \"%s\" (the model's outputs: %s)", head,
        cp->output, names->str);
    g_string_free (names, TRUE);
    return FALSE;
  }
  floats = (gsize) o->tensors[p->out].c * o->tensors[p->out].h
      * o->tensors[p->out].w;
  if ((gsize) cp->index + cp->count > floats)
    return misfit (error, m, "%s: values %d to %d of output \"%s\", which "
        "has %" G_GSIZE_FORMAT, head, cp->index, cp->index + cp->count - 1,
        o->names[p->out], floats);
  p->index = cp->index;
  p->count = cp->count;
  p->act = cp->act;
  /* Scores the graph already turned into probabilities are not
   * softmaxed twice. */
  if (p->act == CARD_ACT_SOFTMAX && o->softmaxed[p->out] && p->index == 0
      && (gsize) p->count == floats)
    p->act = CARD_ACT_NONE;
  return TRUE;
}

/* Every value of an output the card reads from must be read: values left
 * over mean the card describes another model (a 7-class card on an
 * 8-class output). */
static gboolean
check_coverage (const DdamfnModel * m, const CardMap * map, GError ** error)
{
  const DdamfnGraphOutputs *o = m->graph;
  const Pick *picks[4] = {
    map->has_expr ? &map->expr : NULL, map->has_va ? &map->valence : NULL,
    map->has_va ? &map->arousal : NULL, map->has_au ? &map->au : NULL
  };

  for (int k = 0; k < o->n_outputs; k++) {
    const gsize floats = (gsize) o->tensors[k].c * o->tensors[k].h
        * o->tensors[k].w;
    gboolean used = FALSE;

    for (int p = 0; p < 4; p++)
      used |= picks[p] && picks[p]->out == k;
    for (gsize i = 0; used && i < floats; i++) {
      gboolean read = FALSE;
      for (int p = 0; p < 4; p++)
        read |= picks[p] && picks[p]->out == k
            && (gsize) picks[p]->index <= i
            && i < (gsize) picks[p]->index + picks[p]->count;
      if (!read)
        return misfit (error, m, "value %" G_GSIZE_FORMAT " of output \"%s\" "
            "(%" G_GSIZE_FORMAT " values) is not mapped: the card describes "
            "a model with other outputs", i, o->names[k], floats);
    }
  }
  return TRUE;
}

/* The card against a graph model; on success its finisher maps outputs
 * as the card says. */
static gboolean
bind_graph (DdamfnModel * m, GError ** error)
{
  const DdamfnGraphOutputs *o = m->graph;
  const DdamfnCard *c = &m->card;
  CardMap *map;

  if (!check_input (m, o->in_c, o->in_h, o->in_w, o->in_nhwc, error))
    return FALSE;
  map = g_new0 (CardMap, 1);
  map->o = o;
  map->has_expr = c->has_expr;
  map->has_va = c->has_va;
  map->has_au = c->has_au;
  if ((c->has_expr && !resolve_pick (m, "expression", &c->expr, &map->expr,
              error))
      || (c->has_va && (!resolve_pick (m, "valence", &c->valence,
                  &map->valence, error)
              || !resolve_pick (m, "arousal", &c->arousal, &map->arousal,
                  error)))
      || (c->has_au && !resolve_pick (m, "action_units", &c->au, &map->au,
              error))) {
    g_free (map);
    return FALSE;
  }
  if (!check_coverage (m, map, error)) {
    g_free (map);
    return FALSE;
  }
  memcpy (map->au_thresholds, c->au_thresholds, sizeof map->au_thresholds);
  ddamfn_plan_set_finish (m->plan, card_finish,
      ddamfn_plan_own (m->plan, map));
  return TRUE;
}

/* A card given for a DDAMFN file: its heads are fixed by the network, so
 * the card may rename and renormalise, not remap. */
static gboolean
bind_ddamfn (DdamfnModel * m, GError ** error)
{
  const DdamfnCard *c = &m->card;

  if (!check_input (m, 3, DDAMFN_INPUT_SIZE, DDAMFN_INPUT_SIZE, FALSE, error))
    return FALSE;
  if (c->has_expr != m->heads.has_expr
      || (c->has_expr && c->expr.count != m->heads.n_expr))
    return misfit (error, m, "it names %d expressions; the network has %d",
        c->has_expr ? c->expr.count : 0,
        m->heads.has_expr ? m->heads.n_expr : 0);
  if (c->has_va != m->heads.has_va)
    return misfit (error, m, "it says the model %s valence and arousal",
        c->has_va ? "gives" : "does not give");
  if (c->has_au != m->heads.has_au
      || (c->has_au && c->au.count != DDAMFN_N_AU))
    return misfit (error, m, "it names %d action units; the network has %d",
        c->has_au ? c->au.count : 0, m->heads.has_au ? DDAMFN_N_AU : 0);
  if ((c->has_expr && c->expr.output) || (c->has_va && c->valence.output)
      || (c->has_au && c->au.output))
    return misfit (error, m, "a DDAMFN file's heads are fixed; a card "
        "names no outputs for it");
  /* The card's names and normalisation are the model's now. */
  for (int i = 0; i < c->expr.count; i++) {
    g_free (m->expr_labels[i]);
    m->expr_labels[i] = g_strdup (c->labels[i]);
  }
  for (int i = 0; i < (c->has_au ? DDAMFN_N_AU : 0); i++) {
    g_free (m->au_names[i]);
    m->au_names[i] = g_strdup (c->au_names[i]);
    m->heads.au_thresholds[i] = c->au_thresholds[i];
  }
  memcpy (m->mean, c->input.mean, sizeof m->mean);
  memcpy (m->std, c->input.std, sizeof m->std);
  return TRUE;
}

/* ---- where the card comes from ------------------------------------------- */

/* NAME.card.json beside the model file (NAME without its extension). */
static char *
sidecar_path (const char *path)
{
  const char *dot = strrchr (path, '.');
  const char *slash = strrchr (path, G_DIR_SEPARATOR);
  gsize stem = (dot && (!slash || dot > slash)) ? (gsize) (dot - path)
      : strlen (path);

  return g_strdup_printf ("%.*s.card.json", (int) stem, path);
}

static gboolean
card_from_file (DdamfnCard * c, const char *file, GError ** error)
{
  char *text = NULL;
  gsize len;
  GError *err = NULL;
  gboolean ok;

  if (!g_file_get_contents (file, &text, &len, &err)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_IO, "model card: %s",
        err->message);
    g_error_free (err);
    return FALSE;
  }
  ok = ddamfn_card_parse (c, file, text, len, error);
  g_free (text);
  return ok;
}

/* Fills M's card from what the caller named, the file, a sidecar or the
 * shapes; M->card_name says which. */
static gboolean
find_card (DdamfnModel * m, const char *card, const char *preset,
    const char *stored, GError ** error)
{
  char *sidecar = sidecar_path (m->path);
  const char *from = NULL;
  gboolean ok = TRUE;

  if (card) {
    ok = card_from_file (&m->card, card, error);
    from = "card file";
  } else if (preset && strcmp (preset, "ddamfn") == 0) {
    /* DDAMFN's own card is the one its file's metadata gives. */
    if (m->graph)
      ok = misfit (error, m, "preset ddamfn is the DDAMFN network of a "
          ".safetensors file, not a graph model");
  } else if (preset) {
    ok = ddamfn_card_preset (&m->card, preset, error);
    from = "preset given";
  } else if (stored) {
    char *what = g_strdup_printf ("%s (its stored card)", m->path);
    ok = ddamfn_card_parse (&m->card, what, stored, strlen (stored), error);
    g_free (what);
    from = "card stored in the file";
  } else if (g_file_test (sidecar, G_FILE_TEST_IS_REGULAR)) {
    ok = card_from_file (&m->card, sidecar, error);
    card = sidecar;
    from = "card file beside the model";
  }
  if (ok && from) {
    g_free (m->card_name);
    m->card_name = card ? g_strdup_printf ("%s (%s %s)", m->card.name,
        from, card) : g_strdup_printf ("%s (%s%s%s)", m->card.name, from,
        m->card.preset ? ", preset " : "", m->card.preset ? m->card.preset :
        "");
  }
  g_free (sidecar);
  return ok;
}

gboolean
ddamfn_model_bind_card (DdamfnModel * m, const char *card, const char *preset,
    GError ** error)
{
  const char *stored = g_hash_table_lookup (m->metadata, CARD_KEY);

  if (m->graph == NULL) {
    /* DDAMFN: its own card from the file unless one is named. */
    ddamfn_card_ddamfn (&m->card, m);
    m->card_name = g_strdup_printf ("%s (from the file's metadata)",
        m->card.name);
    if (!find_card (m, card, preset, stored, error))
      return FALSE;
    return bind_ddamfn (m, error);
  }

  if (!find_card (m, card, preset, stored, error))
    return FALSE;
  if (m->card_name == NULL) {
    const DdamfnGraphOutputs *o = m->graph;
    char *base = g_path_get_basename (m->path);
    DdamfnCardShape shape = { base, o->in_c, o->in_h, o->in_w, o->in_nhwc,
      o->n_outputs, o->tensors[0].c * o->tensors[0].h * o->tensors[0].w
    };
    const char *id = ddamfn_card_preset_for (&shape);

    if (id) {
      ddamfn_card_preset (&m->card, id, NULL);
      m->card_name = g_strdup_printf ("%s (preset %s, chosen from the "
          "file's shapes)", m->card.name, id);
    } else {
      ddamfn_card_generic (&m->card, o->in_w, o->in_h, o->in_c, o->in_nhwc,
          shape.first_output_floats);
      if (o->softmaxed[0])
        m->card.expr.act = CARD_ACT_NONE;
      m->card_name = g_strdup (m->card.name);
    }
    g_free (base);
  }
  if (!bind_graph (m, error))
    return FALSE;
  /* What the public accessors read. */
  m->heads.has_expr = m->card.has_expr;
  m->heads.n_expr = m->card.has_expr ? m->card.expr.count : 0;
  m->heads.has_va = m->card.has_va;
  m->heads.has_au = m->card.has_au;
  m->n_au = m->card.has_au ? m->card.au.count : 0;
  for (int i = 0; i < m->heads.n_expr; i++)
    m->expr_labels[i] = g_strdup (m->card.labels[i]);
  for (int i = 0; i < m->n_au; i++) {
    m->au_names[i] = g_strdup (m->card.au_names[i]);
    m->heads.au_thresholds[i] = m->card.au_thresholds[i];
  }
  memcpy (m->mean, m->card.input.mean, sizeof m->mean);
  memcpy (m->std, m->card.input.std, sizeof m->std);
  return TRUE;
}

/* ---- public API ------------------------------------------------------------ */

const DdamfnInputSpec *
ddamfn_model_get_input_spec (const DdamfnModel * model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return &model->card.input;
}

const char *
ddamfn_model_get_card_name (const DdamfnModel * model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->card_name;
}

char *
ddamfn_model_get_card_json (const DdamfnModel * model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return ddamfn_card_to_json (&model->card);
}
