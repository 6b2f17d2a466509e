/* ddamfn-analyze: what the output paths name, checked before anything is
 * written.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __ANALYZE_PATHS_H__
#define __ANALYZE_PATHS_H__

#include <glib.h>

G_BEGIN_DECLS

gchar *analyze_check_output_paths (const gchar * input,
    const gchar * const *options, const gchar * const *paths, guint n);
gboolean analyze_output_still_writable (const gchar * path, GError ** error);

G_END_DECLS

#endif /* __ANALYZE_PATHS_H__ */
