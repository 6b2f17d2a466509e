/* ddamfn-analyze: terminating signals and the temporary files they must
 * not leave behind.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __ANALYZE_SIGNALS_H__
#define __ANALYZE_SIGNALS_H__

#include <glib.h>

G_BEGIN_DECLS

typedef void (*AnalyzeStopFunc) (gpointer data);

void analyze_signals_start (gboolean tty);
void analyze_signals_set_stop (AnalyzeStopFunc func, gpointer data);

void analyze_signals_lock (void);
void analyze_signals_unlock (void);
void analyze_signals_add_temp (const gchar * path);
void analyze_signals_remove_temp (const gchar * path);
void analyze_signals_set_committed (void);

G_END_DECLS

#endif /* __ANALYZE_SIGNALS_H__ */
