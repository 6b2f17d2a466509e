/* ddamfn-analyze: what libraries print on stderr while a video runs.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __ANALYZE_STDERR_H__
#define __ANALYZE_STDERR_H__

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

typedef struct _AnalyzeStderr AnalyzeStderr;

AnalyzeStderr *analyze_stderr_capture (gboolean tty);
FILE *analyze_stderr_terminal (AnalyzeStderr * capture);
void analyze_stderr_lock (AnalyzeStderr * capture);
void analyze_stderr_unlock (AnalyzeStderr * capture);
void analyze_stderr_release (AnalyzeStderr * capture);

G_END_DECLS

#endif /* __ANALYZE_STDERR_H__ */
