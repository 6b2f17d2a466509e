/* Unit tests of the model-card reader (src/card.c): strict parsing with
 * errors that name the member, presets with overrides, the defaults of a
 * card without a preset. The JSON written back and the presets are in
 * test-card-json.c, the crops a card describes in test-card-crop.c.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-card.h"

/* ---- reading --------------------------------------------------------- */

static void
test_full_card_is_read (void)
{
  DdamfnCard c;

  parse_ok (&c, full_card);
  g_assert_cmpstr (c.name, ==, "Test net");
  g_assert_null (c.preset);
  g_assert_cmpstr (c.licence, ==, "CC0");
  g_assert_cmpstr (c.accuracy, ==, "none");
  g_assert_cmpint (c.input.width, ==, 48);
  g_assert_cmpint (c.input.height, ==, 40);
  g_assert_cmpint (c.input.colour, ==, DDAMFN_COLOUR_BGR);
  g_assert_cmpfloat (c.input.range, ==, 255.f);
  g_assert_cmpfloat (c.input.mean[0], ==, 100.f);
  g_assert_cmpfloat (c.input.mean[2], ==, 120.f);
  g_assert_cmpfloat (c.input.std[1], ==, 55.f);
  g_assert_true (c.input.nhwc);
  g_assert_cmpint (c.input.crop, ==, DDAMFN_CROP_ALIGN);
  g_assert_cmpfloat (c.input.box_scale, ==, 1.25f);
  g_assert_true (c.has_expr && c.has_va && c.has_au);
  g_assert_cmpstr (c.expr.output, ==, "logits");
  g_assert_cmpint (c.expr.index, ==, 2);
  g_assert_cmpint (c.expr.count, ==, 3);
  g_assert_cmpint (c.expr.act, ==, CARD_ACT_SIGMOID);
  g_assert_cmpstr (c.labels[0], ==, "calm");
  g_assert_cmpstr (c.labels[2], ==, "cross");
  g_assert_null (c.labels[3]);
  g_assert_cmpstr (c.valence.output, ==, "va");
  g_assert_cmpint (c.valence.index, ==, 1);
  g_assert_cmpint (c.valence.count, ==, 1);
  g_assert_cmpint (c.valence.act, ==, CARD_ACT_TANH);
  g_assert_cmpint (c.arousal.index, ==, 0);
  g_assert_cmpint (c.arousal.act, ==, CARD_ACT_NONE);
  g_assert_cmpstr (c.au.output, ==, "au");
  g_assert_cmpint (c.au.count, ==, 3);
  g_assert_cmpstr (c.au_names[2], ==, "AU4");
  g_assert_cmpfloat (c.au_thresholds[0], ==, 0.25f);
  g_assert_cmpfloat (c.au_thresholds[2], ==, 0.75f);
  ddamfn_card_clear (&c);
}

/* A preset, then the members that override it. */
static void
test_preset_with_overrides (void)
{
  DdamfnCard c;

  parse_ok (&c, "{\"preset\": \"enet_b0_8_va_mtl\", \"name\": \"mine\", "
      "\"input\": {\"box_scale\": 1.5}, \"expression\": {\"labels\": "
      "[\"a\", \"b\", \"c\"]}}");
  g_assert_cmpstr (c.name, ==, "mine");
  g_assert_cmpstr (c.preset, ==, "enet_b0_8_va_mtl");
  g_assert_cmpint (c.input.width, ==, 224);
  g_assert_cmpint (c.input.colour, ==, DDAMFN_COLOUR_RGB);
  g_assert_cmpfloat_with_epsilon (c.input.mean[1], 0.456, 1e-7);
  g_assert_cmpfloat_with_epsilon (c.input.std[2], 0.225, 1e-7);
  g_assert_cmpfloat (c.input.box_scale, ==, 1.5f);
  g_assert_cmpint (c.expr.count, ==, 3);
  g_assert_cmpint (c.expr.act, ==, CARD_ACT_SOFTMAX);
  g_assert_cmpstr (c.labels[2], ==, "c");
  /* The preset's other five labels are gone. */
  for (int i = 3; i < DDAMFN_MAX_EXPRESSIONS; i++)
    g_assert_null (c.labels[i]);
  /* Valence and arousal follow the preset's eight logits. */
  g_assert_true (c.has_va);
  g_assert_cmpint (c.valence.index, ==, 8);
  g_assert_cmpint (c.arousal.index, ==, 9);
  ddamfn_card_clear (&c);

  /* null removes a head of the preset. */
  parse_ok (&c, "{\"preset\": \"enet_b0_8_va_mtl\", \"valence\": null, "
      "\"arousal\": null}");
  g_assert_false (c.has_va);
  g_assert_true (c.has_expr);
  g_assert_cmpint (c.expr.count, ==, 8);
  g_assert_cmpstr (c.labels[7], ==, "Surprise");
  ddamfn_card_clear (&c);

  /* One mean and std stand for every channel; AU thresholds default to
   * 0.5. */
  parse_ok (&c, "{\"name\": \"g\", \"input\": {\"width\": 8, \"height\": "
      "9, \"colour\": \"grey\", \"grey_weights\": [0.25, 0.5, 0.25], "
      "\"range\": 1, \"mean\": [0.5], \"std\": [0.25]}, \"action_units\": "
      "{\"names\": [\"AU6\", \"AU12\"]}}");
  g_assert_cmpint (c.input.colour, ==, DDAMFN_COLOUR_GREY);
  for (int k = 0; k < 3; k++) {
    g_assert_cmpfloat (c.input.mean[k], ==, 0.5f);
    g_assert_cmpfloat (c.input.std[k], ==, 0.25f);
  }
  g_assert_cmpfloat (c.input.grey_weights[1], ==, 0.5f);
  g_assert_false (c.has_expr);
  g_assert_true (c.has_au);
  g_assert_cmpint (c.au.count, ==, 2);
  g_assert_cmpfloat (c.au_thresholds[0], ==, 0.5f);
  g_assert_cmpfloat (c.au_thresholds[1], ==, 0.5f);
  ddamfn_card_clear (&c);
}

static void
test_unknown_members_are_named (void)
{
  parse_fails ("{\"name\": \"m\", \"input\": {\"widht\": 64, \"height\": "
      "64}, \"expression\": {\"labels\": [\"a\", \"b\"]}}",
      "\"input.widht\"", "unknown member");
  parse_fails ("{\"name\": \"m\", \"inputs\": {}}", "\"inputs\"",
      "unknown member");
  parse_fails ("{\"preset\": \"emotion-ferplus-8\", \"expression\": "
      "{\"label\": [\"a\", \"b\"]}}", "\"expression.label\"",
      "unknown member");
  parse_fails ("{\"preset\": \"emotion-ferplus-8\", \"valence\": "
      "{\"output\": \"v\", \"indx\": 0}}", "\"valence.indx\"");
  parse_fails ("{\"preset\": \"emotion-ferplus-8\", \"action_units\": "
      "{\"names\": [\"AU1\"], \"threshold\": [0.5]}}",
      "\"action_units.threshold\"");
}

static void
test_wrong_types_are_named (void)
{
  parse_fails ("{\"name\": 5}", "\"name\"", "expected a string");
  parse_fails ("{\"name\": \"\"}", "\"name\"", "non-empty");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"width\": "
      "\"260\"}}", "\"input.width\"", "expected a number from 1 to 512");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"width\": "
      "64.5}}", "\"input.width\"", "whole number");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": 3}", "\"input\"",
      "expected an object");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"mean\": 0.5}}",
      "\"input.mean\"", "array of numbers");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"colour\": "
      "\"rgba\"}}", "\"input.colour\"", "\"rgba\" is not one of \"rgb\", "
      "\"bgr\", \"grey\"");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"layout\": "
      "\"chw\"}}", "\"input.layout\"", "\"nchw\", \"nhwc\"");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"crop\": true}}",
      "\"input.crop\"", "expected a string");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"grey_weights\": "
      "[0.5, 0.5]}}", "\"input.grey_weights\"", "3 numbers");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"expression\": 7}",
      "\"expression\"", "expected an object, or null");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"expression\": {\"labels\": "
      "\"abc\"}}", "\"expression.labels\"", "array of names");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"expression\": {\"labels\": "
      "[\"a\", 3]}}", "\"expression.labels\"", "element 1");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"expression\": {\"activation\": "
      "\"relu\"}}", "\"expression.activation\"", "\"relu\" is not one of");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"expression\": {\"index\": "
      "-1}}", "\"expression.index\"");
  parse_fails ("{\"preset\": \"enet_b0_8_va_mtl\", \"valence\": "
      "{\"activation\": \"softmax\"}}", "\"valence.activation\"",
      "softmax needs several values");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"schema\": 2}", "\"schema\"",
      "from 1 to 1");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"range\": 1e39}}",
      "\"input.range\"");
}

static void
test_values_out_of_range_are_named (void)
{
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"width\": 0}}",
      "\"input.width\"", "from 1 to 512");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"height\": 600}}",
      "\"input.height\"", "from 1 to 512");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"std\": [0]}}",
      "\"input.std\"", "element 0");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"std\": "
      "[1, 1, 0]}}", "\"input.std\"", "element 2");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"mean\": "
      "[0.5, 0.5]}}", "\"input.mean\"", "1 or 3 numbers");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"std\": "
      "[0.5, 0.5]}}", "\"input.std\"", "1 or 3 numbers");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"mean\": "
      "[1, 2, 3, 4]}}", "\"input.mean\"", "1 to 3 numbers, got 4");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"input\": {\"box_scale\": "
      "0}}", "\"input.box_scale\"");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"expression\": {\"labels\": "
      "[\"only\"]}}", "\"expression.labels\"", "at least two labels");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"expression\": {\"labels\": "
      "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\","
      "\"l\",\"m\",\"n\",\"o\",\"p\",\"q\"]}}", "\"expression.labels\"",
      "1 to 16 names, got 17");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"action_units\": {\"names\": "
      "[\"AU1\", \"AU2\", \"AU4\"], \"thresholds\": [0.5, 0.5]}}",
      "\"action_units.thresholds\"", "2 thresholds for 3 units");
  parse_fails ("{\"preset\": \"enet_b2_8\", \"action_units\": {\"names\": "
      "[\"AU1\"], \"thresholds\": [1.5]}}", "\"action_units.thresholds\"",
      "from 0 to 1");
}

static void
test_card_level_errors (void)
{
  const char *const *presets = ddamfn_card_list_presets ();
  DdamfnCard c = { 0 };
  GError *err = NULL;
  const char *bad = "{\"preset\": \"enet_b9\"}";

  /* An unknown preset: the message lists every preset. */
  g_assert_false (ddamfn_card_parse (&c, "x.json", bad, strlen (bad), &err));
  g_test_message ("%s", err->message);
  g_assert_nonnull (strstr (err->message, "\"preset\""));
  g_assert_nonnull (strstr (err->message, "unknown preset \"enet_b9\""));
  for (int i = 0; presets[i]; i++)
    g_assert_nonnull (strstr (err->message, presets[i]));
  g_clear_error (&err);
  ddamfn_card_clear (&c);

  parse_fails ("{\"preset\": \"emotion-ferplus-8\", \"valence\": "
      "{\"index\": 0}}", "\"arousal\"", "valence and arousal come together");
  parse_fails ("{\"preset\": \"emotion-ferplus-8\", \"arousal\": "
      "{\"index\": 0}}", "\"valence\"", "valence and arousal come together");
  parse_fails ("{\"input\": {\"width\": 8, \"height\": 8}, \"expression\": "
      "{\"labels\": [\"a\", \"b\"]}}", "\"name\"", "missing");
  parse_fails ("{\"name\": \"n\", \"expression\": {\"labels\": [\"a\", "
      "\"b\"]}}", "\"input\"", "missing width and height");
  parse_fails ("{\"name\": \"n\", \"input\": {\"width\": 8, \"height\": 8}}",
      "\"expression\"", "maps no output");
  parse_fails ("{\"name\": \"n\", \"input\": {\"width\": 8, \"height\": 8}, "
      "\"expression\": {\"labels\": [\"a\", \"b\"]}, \"valence\": null, "
      "\"arousal\": {\"index\": 3}}", "\"valence\"", "come together");
  /* The bare DDAMFN preset maps no output: its heads come from the file. */
  parse_fails ("{\"preset\": \"ddamfn\"}", "maps no output");
}

static void
test_not_a_card (void)
{
  GString *deep = g_string_new ("{\"name\": \"n\", \"x\": ");
  GString *big;
  char *text;

  parse_fails ("[1, 2]", "JSON object");
  parse_fails ("\"card\"", "JSON object");
  parse_fails ("{\"name\": \"n\",", "not JSON");
  parse_fails ("", "JSON");

  /* 64 levels are read (and then refused for the unknown member), 65 are
   * not parsed at all. */
  for (int i = 0; i < 63; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 63; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  parse_fails (deep->str, "\"x\"", "unknown member");
  g_string_insert_c (deep, 20, '[');
  g_string_insert_c (deep, deep->len - 1, ']');
  parse_fails (deep->str, "nested deeper than 64 levels");
  /* Brackets inside strings do not count. */
  text = g_strdup_printf ("{\"preset\": \"enet_b2_8\", \"licence\": "
      "\"%0100d\"}", 0);
  for (char *p = strchr (text, '0'); p && *p == '0'; p++)
    *p = '[';
  {
    DdamfnCard c;
    parse_ok (&c, text);
    g_assert_cmpint ((int) strlen (c.licence), ==, 100);
    ddamfn_card_clear (&c);
  }
  g_free (text);
  g_string_free (deep, TRUE);

  /* 64 KiB are read, one byte more is refused before parsing. */
  big = g_string_new ("{\"preset\": \"enet_b2_8\"}");
  while (big->len < 64 * 1024)
    g_string_append_c (big, ' ');
  {
    DdamfnCard c = { 0 };
    g_assert_true (ddamfn_card_parse (&c, "big", big->str, big->len, NULL));
    g_assert_cmpstr (c.preset, ==, "enet_b2_8");
    ddamfn_card_clear (&c);
  }
  g_string_append_c (big, ' ');
  parse_fails_len (big->str, big->len, "65537 bytes", "at most 65536",
      NULL);
  g_string_free (big, TRUE);
}

/* A card without a preset starts from the identity: values 0 … 1 (range
 * 1, mean 0, std 1), BT.601 grey weights, the box as it is, RGB, NCHW,
 * activation none, the first output. */
static void
test_defaults_without_preset (void)
{
  DdamfnCard c;

  parse_ok (&c, "{\"name\": \"n\", \"input\": {\"width\": 30, "
      "\"height\": 20}, \"expression\": {\"labels\": [\"a\", \"b\"]}}");
  g_assert_cmpfloat (c.input.range, ==, 1.f);
  for (int k = 0; k < 3; k++) {
    g_assert_cmpfloat (c.input.mean[k], ==, 0.f);
    g_assert_cmpfloat (c.input.std[k], ==, 1.f);
  }
  g_assert_cmpfloat (c.input.grey_weights[0], ==, 0.2989f);
  g_assert_cmpfloat (c.input.grey_weights[1], ==, 0.5870f);
  g_assert_cmpfloat (c.input.grey_weights[2], ==, 0.1140f);
  g_assert_cmpfloat (c.input.box_scale, ==, 1.f);
  g_assert_cmpint (c.input.colour, ==, DDAMFN_COLOUR_RGB);
  g_assert_false (c.input.nhwc);
  g_assert_cmpint (c.input.crop, ==, DDAMFN_CROP_BOX);
  g_assert_null (c.expr.output);
  g_assert_cmpint (c.expr.index, ==, 0);
  g_assert_cmpint (c.expr.act, ==, CARD_ACT_NONE);
  g_assert_false (c.has_va || c.has_au);
  ddamfn_card_clear (&c);
}

/* docs/model-cards.md: "valence": null or "arousal": null drops both. A
 * card that drops one and maps the other contradicts itself: it must be
 * refused (as it is without a preset) or leave no valence and arousal. */
static void
test_half_dropped_va (void)
{
  static const char *const cards[] = {
    "{\"preset\": \"enet_b0_8_va_mtl\", \"valence\": null, \"arousal\": "
        "{\"index\": 9}}",
    "{\"preset\": \"enet_b0_8_va_mtl\", \"valence\": {\"index\": 8}, "
        "\"arousal\": null}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cards); i++) {
    DdamfnCard c = { 0 };
    GError *err = NULL;

    if (!ddamfn_card_parse (&c, "t", cards[i], strlen (cards[i]), &err)) {
      g_assert_nonnull (strstr (err->message, "come together"));
      g_clear_error (&err);
    } else if (c.has_va) {
      /* Known bug: read_head sets has_va for whichever of the two comes
       * last, so the preset's other value is kept. */
      g_test_incomplete ("a card that drops valence but maps arousal (or "
          "the other way round) keeps the preset's valence and arousal");
    }
    ddamfn_card_clear (&c);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/card/parse/full-card", test_full_card_is_read);
  g_test_add_func ("/card/parse/preset-with-overrides",
      test_preset_with_overrides);
  g_test_add_func ("/card/parse/unknown-members-are-named",
      test_unknown_members_are_named);
  g_test_add_func ("/card/parse/wrong-types-are-named",
      test_wrong_types_are_named);
  g_test_add_func ("/card/parse/values-out-of-range-are-named",
      test_values_out_of_range_are_named);
  g_test_add_func ("/card/parse/card-level-errors", test_card_level_errors);
  g_test_add_func ("/card/parse/not-a-card", test_not_a_card);
  g_test_add_func ("/card/parse/defaults-without-preset",
      test_defaults_without_preset);
  g_test_add_func ("/card/parse/half-dropped-valence-arousal",
      test_half_dropped_va);

  return g_test_run ();
}
