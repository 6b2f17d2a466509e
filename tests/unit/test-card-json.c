/* Unit tests of model cards written back as JSON (ddamfn_card_to_json:
 * every card reads back as itself, with and without its preset) and of
 * the presets (what each holds, and the choice of one from a graph file's
 * shapes and name: ddamfn_card_preset_for).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-card.h"

#include <json-glib/json-glib.h>

/* ---- writing ----------------------------------------------------------- */

static void
assert_cards_equal (const DdamfnCard * a, const DdamfnCard * b)
{
  const DdamfnInputSpec *x = &a->input, *y = &b->input;

  g_assert_cmpstr (a->name, ==, b->name);
  g_assert_cmpstr (a->licence, ==, b->licence);
  g_assert_cmpstr (a->accuracy, ==, b->accuracy);
  g_assert_cmpint (x->width, ==, y->width);
  g_assert_cmpint (x->height, ==, y->height);
  g_assert_cmpint (x->colour, ==, y->colour);
  if (x->colour == DDAMFN_COLOUR_GREY)
    for (int k = 0; k < 3; k++)
      g_assert_cmpfloat (x->grey_weights[k], ==, y->grey_weights[k]);
  g_assert_cmpfloat (x->range, ==, y->range);
  for (int k = 0; k < 3; k++) {
    g_assert_cmpfloat (x->mean[k], ==, y->mean[k]);
    g_assert_cmpfloat (x->std[k], ==, y->std[k]);
  }
  g_assert_cmpint (x->nhwc, ==, y->nhwc);
  g_assert_cmpint (x->crop, ==, y->crop);
  g_assert_cmpfloat (x->box_scale, ==, y->box_scale);
  g_assert_cmpint (a->has_expr, ==, b->has_expr);
  g_assert_cmpint (a->has_va, ==, b->has_va);
  g_assert_cmpint (a->has_au, ==, b->has_au);
  if (a->has_expr) {
    g_assert_cmpstr (a->expr.output, ==, b->expr.output);
    g_assert_cmpint (a->expr.index, ==, b->expr.index);
    g_assert_cmpint (a->expr.count, ==, b->expr.count);
    g_assert_cmpint (a->expr.act, ==, b->expr.act);
    for (int i = 0; i < a->expr.count; i++)
      g_assert_cmpstr (a->labels[i], ==, b->labels[i]);
  }
  if (a->has_va) {
    const CardPick *p[2] = { &a->valence, &a->arousal };
    const CardPick *q[2] = { &b->valence, &b->arousal };
    for (int k = 0; k < 2; k++) {
      g_assert_cmpstr (p[k]->output, ==, q[k]->output);
      g_assert_cmpint (p[k]->index, ==, q[k]->index);
      g_assert_cmpint (p[k]->count, ==, q[k]->count);
      g_assert_cmpint (p[k]->act, ==, q[k]->act);
    }
  }
  if (a->has_au) {
    g_assert_cmpstr (a->au.output, ==, b->au.output);
    g_assert_cmpint (a->au.index, ==, b->au.index);
    g_assert_cmpint (a->au.count, ==, b->au.count);
    g_assert_cmpint (a->au.act, ==, b->au.act);
    for (int i = 0; i < a->au.count; i++) {
      g_assert_cmpstr (a->au_names[i], ==, b->au_names[i]);
      g_assert_cmpfloat (a->au_thresholds[i], ==, b->au_thresholds[i]);
    }
  }
}

/* TEXT with its top-level member KEY removed. */
static char *
without_member (const char *text, const char *key)
{
  JsonNode *root = json_from_string (text, NULL);
  char *s;

  g_assert_nonnull (root);
  g_assert_true (json_object_has_member (json_node_get_object (root), key));
  json_object_remove_member (json_node_get_object (root), key);
  s = json_to_string (root, FALSE);
  json_node_unref (root);
  return s;
}

/* parse (to_json (CARD)) is CARD; and the JSON is complete: without its
 * "preset" member (nothing inherited) it still gives the same card. */
static void
assert_round_trip (const DdamfnCard * card)
{
  char *json = ddamfn_card_to_json (card), *bare;
  DdamfnCard back;

  parse_ok (&back, json);
  assert_cards_equal (card, &back);
  g_assert_cmpstr (back.preset, ==, card->preset);
  ddamfn_card_clear (&back);
  if (card->preset) {
    bare = without_member (json, "preset");
    parse_ok (&back, bare);
    assert_cards_equal (card, &back);
    g_assert_null (back.preset);
    ddamfn_card_clear (&back);
    g_free (bare);
  }
  g_free (json);
}

static void
test_presets_round_trip (void)
{
  const char *const *presets = ddamfn_card_list_presets ();
  int n = 0;

  for (int i = 0; presets[i]; i++, n++) {
    DdamfnCard c = { 0 };
    g_assert_true (ddamfn_card_preset (&c, presets[i], NULL));
    g_assert_cmpstr (c.preset, ==, presets[i]);
    g_assert_nonnull (c.name);
    if (strcmp (presets[i], "ddamfn") == 0) {
      /* Heads come from the file; a card for one names them. */
      g_assert_false (c.has_expr || c.has_va || c.has_au);
      g_assert_cmpint (c.input.width, ==, DDAMFN_INPUT_SIZE);
      g_assert_cmpint (c.input.crop, ==, DDAMFN_CROP_ALIGN);
      ddamfn_card_clear (&c);
      continue;
    }
    assert_round_trip (&c);
    ddamfn_card_clear (&c);
  }
  g_assert_cmpint (n, ==, 6);
}

static void
test_custom_cards_round_trip (void)
{
  DdamfnCard c;

  parse_ok (&c, full_card);
  assert_round_trip (&c);
  ddamfn_card_clear (&c);

  /* DDAMFN with the heads a multitask file has. */
  parse_ok (&c, "{\"preset\": \"ddamfn\", \"expression\": {\"labels\": "
      "[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\"]}, "
      "\"valence\": {\"index\": 0}, \"arousal\": {\"index\": 1}, "
      "\"action_units\": {\"names\": [\"AU1\", \"AU2\", \"AU4\", \"AU6\", "
      "\"AU7\", \"AU10\", \"AU12\", \"AU15\", \"AU23\", \"AU24\", \"AU25\", "
      "\"AU26\"], \"activation\": \"sigmoid\"}}");
  g_assert_cmpint (c.au.count, ==, DDAMFN_N_AU);
  assert_round_trip (&c);
  ddamfn_card_clear (&c);

  /* Grey with weights of its own. */
  parse_ok (&c, "{\"preset\": \"fer2013-mini-xception\", \"input\": "
      "{\"grey_weights\": [0.3, 0.6, 0.1], \"mean\": [0.25]}}");
  g_assert_cmpfloat (c.input.mean[2], ==, 0.25f);
  assert_round_trip (&c);
  ddamfn_card_clear (&c);
}

/* A head a card removed from its preset must stay removed when the card
 * in effect (ddamfn_model_get_card_json) is read back: it is written as
 * null. */
static void
test_removed_heads_round_trip (void)
{
  static const struct
  {
    const char *card, *null_member;
  } cases[] = {
    {"{\"preset\": \"enet_b0_8_va_mtl\", \"valence\": null, \"arousal\": "
          "null}", "arousal"},
    {"{\"preset\": \"enet_b0_8_va_mtl\", \"expression\": null}",
        "expression"},
    {"{\"preset\": \"emotion-ferplus-8\"}", "action_units"},
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    DdamfnCard c;
    char *json;
    JsonNode *root;

    parse_ok (&c, cases[i].card);
    json = ddamfn_card_to_json (&c);
    root = json_from_string (json, NULL);
    g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member
            (json_node_get_object (root), cases[i].null_member)));
    json_node_unref (root);
    assert_round_trip (&c);
    ddamfn_card_clear (&c);
    g_free (json);
  }
}

/* ---- presets, and their choice from shapes ----------------------------- */

static void
test_preset_for_shapes (void)
{
  static const struct
  {
    const char *basename;
    int c, h, w;
    gboolean nhwc;
    int n_outputs, floats;
    const char *want;
  } cases[] = {
    {"emotion.onnx", 1, 64, 64, TRUE, 1, 7, "fer2013-mini-xception"},
    {"model.json", 1, 64, 64, TRUE, 1, 7, "fer2013-mini-xception"},
    {NULL, 1, 64, 64, FALSE, 1, 8, "emotion-ferplus-8"},
    {"emotion-ferplus-8.onnx", 1, 64, 64, FALSE, 1, 8, "emotion-ferplus-8"},
    {"x.onnx", 3, 224, 224, FALSE, 1, 10, "enet_b0_8_va_mtl"},
    {"enet_b0_8_best_afew.onnx", 3, 224, 224, FALSE, 1, 8,
        "enet_b0_8_best_afew"},
    /* no other 224 × 224 preset has eight values: the name cannot make
     * it one of another shape */
    {"enet_b2_8.onnx", 3, 224, 224, FALSE, 1, 8, "enet_b0_8_best_afew"},
    {"enet_b0_8_va_mtl.onnx", 3, 224, 224, FALSE, 1, 8,
        "enet_b0_8_best_afew"},
    {"net.onnx", 3, 260, 260, FALSE, 1, 8, "enet_b2_8"},
    /* what fits no preset */
    {"net.onnx", 3, 260, 260, FALSE, 1, 10, NULL},
    {"net.onnx", 1, 64, 64, FALSE, 1, 7, NULL},
    {"net.onnx", 1, 64, 64, TRUE, 1, 8, NULL},
    {"net.onnx", 3, 64, 64, TRUE, 1, 7, NULL},
    {"net.onnx", 3, 224, 224, TRUE, 1, 10, NULL},
    {"net.onnx", 1, 224, 224, FALSE, 1, 8, NULL},
    {"net.onnx", 3, 224, 224, FALSE, 2, 9, NULL},
    {"net.onnx", 3, 112, 112, FALSE, 1, 8, NULL},
    {"enet_b2_8.onnx", 3, 112, 112, FALSE, 1, 8, NULL},
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    DdamfnCardShape s = { cases[i].basename, cases[i].c, cases[i].h,
      cases[i].w, cases[i].nhwc, cases[i].n_outputs, cases[i].floats
    };
    const char *got = ddamfn_card_preset_for (&s);
    g_test_message ("case %u: %s", i, got ? got : "(none)");
    g_assert_cmpstr (got, ==, cases[i].want);
  }
}

/* Each preset's card says what its shape is. */
static void
test_presets_hold_their_facts (void)
{
  DdamfnCard c = { 0 };

  g_assert_true (ddamfn_card_preset (&c, "fer2013-mini-xception", NULL));
  g_assert_cmpint (c.input.colour, ==, DDAMFN_COLOUR_GREY);
  g_assert_true (c.input.nhwc);
  g_assert_cmpint (c.expr.count, ==, 7);
  g_assert_cmpint (c.expr.act, ==, CARD_ACT_NONE);
  g_assert_cmpstr (c.labels[3], ==, "Happy");
  g_assert_cmpfloat (c.input.mean[0], ==, 0.5f);
  g_assert_cmpfloat (c.input.std[0], ==, 0.5f);
  g_assert_cmpfloat (c.input.range, ==, 1.f);

  g_assert_true (ddamfn_card_preset (&c, "emotion-ferplus-8", NULL));
  g_assert_cmpint (c.input.width, ==, 64);
  g_assert_false (c.input.nhwc);
  g_assert_cmpfloat (c.input.range, ==, 255.f);
  g_assert_cmpfloat (c.input.mean[0], ==, 0.f);
  g_assert_cmpfloat (c.input.std[0], ==, 1.f);
  g_assert_cmpstr (c.labels[0], ==, "Neutral");
  g_assert_cmpstr (c.labels[7], ==, "Contempt");

  g_assert_true (ddamfn_card_preset (&c, "enet_b0_8_va_mtl", NULL));
  g_assert_true (c.has_va);
  g_assert_cmpint (c.expr.index, ==, 0);
  g_assert_cmpint (c.valence.index, ==, 8);
  g_assert_cmpint (c.arousal.index, ==, 9);
  g_assert_cmpstr (c.labels[0], ==, "Anger");
  g_assert_cmpstr (c.labels[7], ==, "Surprise");

  g_assert_true (ddamfn_card_preset (&c, "enet_b2_8", NULL));
  g_assert_cmpint (c.input.width, ==, 260);
  g_assert_false (c.has_va);

  g_assert_false (ddamfn_card_preset (&c, "enet-b2-8", NULL));
  ddamfn_card_clear (&c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/card/json/presets-round-trip", test_presets_round_trip);
  g_test_add_func ("/card/json/custom-cards-round-trip",
      test_custom_cards_round_trip);
  g_test_add_func ("/card/json/removed-heads-round-trip",
      test_removed_heads_round_trip);
  g_test_add_func ("/card/presets/chosen-from-shapes",
      test_preset_for_shapes);
  g_test_add_func ("/card/presets/hold-their-facts",
      test_presets_hold_their_facts);

  return g_test_run ();
}
