/* Cards shared by the model-card tests (test-card.c, test-card-json.c):
 * parsing helpers and a complete card without a preset.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef TEST_CARD_H
#define TEST_CARD_H

#include "card.h"

#include <string.h>

/* ---- helpers --------------------------------------------------------- */

G_GNUC_UNUSED static void
parse_ok (DdamfnCard * c, const char *json)
{
  GError *err = NULL;

  memset (c, 0, sizeof *c);
  if (!ddamfn_card_parse (c, "test.card.json", json, strlen (json), &err))
    g_error ("card refused: %s\n%s", err->message, json);
}

/* The card JSON must be refused, with a message that starts with the
 * file's name and contains every one of the NULL-terminated strings. */
G_GNUC_UNUSED static void
parse_fails_len (const char *json, gsize len, ...)
{
  DdamfnCard c = { 0 };
  GError *err = NULL;
  va_list ap;
  const char *want;

  g_assert_false (ddamfn_card_parse (&c, "test.card.json", json, len, &err));
  g_assert_nonnull (err);
  g_assert_true (err->domain == DDAMFN_ERROR);
  g_test_message ("%s", err->message);
  g_assert_true (g_str_has_prefix (err->message, "test.card.json"));
  va_start (ap, len);
  while ((want = va_arg (ap, const char *)) != NULL)
    if (strstr (err->message, want) == NULL)
      g_error ("error \"%s\" does not contain \"%s\"", err->message, want);
  va_end (ap);
  g_error_free (err);
  ddamfn_card_clear (&c);
}

#define parse_fails(json, ...) \
  parse_fails_len (json, strlen (json), __VA_ARGS__, NULL)

/* A complete card, without a preset, mapping all four heads. */
G_GNUC_UNUSED static const char full_card[] =
    "{\"schema\": 1, \"name\": \"Test net\", \"licence\": \"CC0\",\n"
    " \"accuracy\": \"none\",\n"
    " \"input\": {\"width\": 48, \"height\": 40, \"colour\": \"bgr\",\n"
    "   \"range\": 255, \"mean\": [100, 110, 120], \"std\": [50, 55, 60],\n"
    "   \"layout\": \"nhwc\", \"crop\": \"align\", \"box_scale\": 1.25},\n"
    " \"expression\": {\"output\": \"logits\", \"index\": 2,\n"
    "   \"labels\": [\"calm\", \"glad\", \"cross\"], \"activation\": "
    "\"sigmoid\"},\n"
    " \"valence\": {\"output\": \"va\", \"index\": 1, \"activation\": "
    "\"tanh\"},\n"
    " \"arousal\": {\"output\": \"va\", \"index\": 0},\n"
    " \"action_units\": {\"output\": \"au\", \"names\": [\"AU1\", \"AU2\","
    " \"AU4\"], \"thresholds\": [0.25, 0.5, 0.75], \"activation\": "
    "\"sigmoid\"}}";

#endif /* TEST_CARD_H */
