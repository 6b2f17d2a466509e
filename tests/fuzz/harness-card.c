/* Fuzz harness of the model-card reader: one input is a card's JSON text.
 * A card that reads must write back (ddamfn_card_to_json) as JSON that
 * reads again and writes back the same: what the library says about a
 * card, it can read itself.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"

#include "card.h"

#include <string.h>

int
fuzz_card_one (const uint8_t * data, size_t size)
{
  DdamfnCard card = { 0 }, again = { 0 };
  GError *e = NULL;
  char *json, *json2;

  fuzz_init_once ();
  if (!ddamfn_card_parse (&card, "fuzz.card.json", (const char *) data, size,
          &e)) {
    if (e == NULL || e->message[0] == '\0')
      fuzz_fail ("a card was refused without a message");
    g_error_free (e);
    ddamfn_card_clear (&card);
    return 0;
  }
  json = ddamfn_card_to_json (&card);
  if (!ddamfn_card_parse (&again, "written", json, strlen (json), &e))
    fuzz_fail ("the card written back does not read: %s\n%s", e->message,
        json);
  json2 = ddamfn_card_to_json (&again);
  if (strcmp (json, json2) != 0)
    fuzz_fail ("the card changed on a second round:\n%s\n%s", json, json2);
  g_free (json);
  g_free (json2);
  ddamfn_card_clear (&card);
  ddamfn_card_clear (&again);
  return 0;
}
