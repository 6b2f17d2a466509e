/* ddamfn-analyze: the timeline of a run (PNG, SVG or PDF).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __ANALYZE_PLOT_H__
#define __ANALYZE_PLOT_H__

#include <glib.h>

#include "analyze-output.h"

G_BEGIN_DECLS

/* The part of a record the plot and the summary need. */
typedef struct
{
  guint64 frame;
  guint track_id;
  gfloat t;                     /* seconds */
  gfloat valence;
  gfloat arousal;
  gint8 expr_index;             /* −1 when the face has no expression */
  gboolean has_va;
} AnalyzePoint;

/* The file formats of the plot, by the output's extension. */
typedef enum
{
  ANALYZE_PLOT_PNG,
  ANALYZE_PLOT_SVG,
  ANALYZE_PLOT_PDF,
} AnalyzePlotFormat;

/* What the plot shows besides the points. */
typedef struct
{
  const gchar *title;
  gdouble duration;             /* seconds of video, ≤ 0 if unknown */
  gdouble frame_interval;       /* seconds between frames */
  guint64 n_frames;
  AnalyzePlotFormat format;
} AnalyzePlotInfo;

gboolean analyze_plot_format_for (const gchar * path,
    AnalyzePlotFormat * format);

gboolean analyze_plot_write (FILE * fp, const AnalyzePlotInfo * info,
    const AnalyzeLabels * labels, GArray * points, GError ** error);

G_END_DECLS

#endif /* __ANALYZE_PLOT_H__ */
