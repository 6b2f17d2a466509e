/* JSON from files nobody vouches for (json-bounded.h).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "json-bounded.h"
#include "ddamfn/ddamfn.h"

gboolean
ddamfn_json_depth_ok (const char *s, gsize len)
{
  int depth = 0;
  gboolean in_str = FALSE;

  for (gsize i = 0; i < len; i++) {
    const char ch = s[i];
    if (in_str) {
      if (ch == '\\')
        i++;
      else if (ch == '"')
        in_str = FALSE;
    } else if (ch == '"') {
      in_str = TRUE;
    } else if (ch == '[' || ch == '{') {
      if (++depth > DDAMFN_JSON_MAX_DEPTH)
        return FALSE;
    } else if (ch == ']' || ch == '}') {
      depth--;
    }
  }
  return TRUE;
}

JsonNode *
ddamfn_json_parse_bounded (const char *what, const char *s, gsize len,
    GError ** error)
{
  JsonParser *parser;
  GError *jerr = NULL;
  JsonNode *root = NULL;

  if (len > G_MAXSSIZE || !ddamfn_json_depth_ok (s, len)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: JSON nested deeper than %d levels", what, DDAMFN_JSON_MAX_DEPTH);
    return NULL;
  }
  /* not json_parser_new_immutable (): json-glib 1.10 aborts in
   * json_parser_get_root () on an immutable parser given several
   * top-level values ("[][]") */
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, s, (gssize) len, &jerr)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT, "%s: not JSON: %s",
        what, jerr->message);
    g_error_free (jerr);
  } else if (json_parser_get_root (parser) == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT, "%s: empty JSON",
        what);
  } else {
    root = json_node_ref (json_parser_get_root (parser));
  }
  g_object_unref (parser);
  return root;
}
