/* JSON from files nobody vouches for: json-glib's parser recurses once
 * per nesting level, so the nesting is bounded before it runs.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_JSON_BOUNDED_H
#define DDAMFN_JSON_BOUNDED_H

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Deepest nesting of arrays and objects a file may have. */
#define DDAMFN_JSON_MAX_DEPTH 64

/* Whether no bracket outside a string nests deeper than
 * DDAMFN_JSON_MAX_DEPTH in the LEN bytes of S. */
gboolean ddamfn_json_depth_ok (const char *s, gsize len);

/* The root of the JSON text (WHAT names it in errors), or NULL with a
 * DDAMFN_ERROR_FORMAT error for text too deep or not JSON. */
JsonNode *ddamfn_json_parse_bounded (const char *what, const char *s,
    gsize len, GError ** error);

G_END_DECLS

#endif /* DDAMFN_JSON_BOUNDED_H */
