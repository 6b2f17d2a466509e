/* ddamfn-analyze: the records it collects and the files it writes them to.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __ANALYZE_OUTPUT_H__
#define __ANALYZE_OUTPUT_H__

#include <glib.h>
#include <stdio.h>

#include <gst/ddamfn/gstddamfnmeta.h>

G_BEGIN_DECLS

/* What the model can say, from its metadata: the CSV columns. Strings are
 * interned. */
typedef struct
{
  gint n_expr;
  const gchar *expr_labels[GST_DDAMFN_META_MAX_EXPRESSIONS];
  gboolean has_va;
  gint n_au;
  const gchar *au_names[GST_DDAMFN_META_N_AU];
  const gchar *model;           /* "PATH: CARD NAME (where the card came from)" */
} AnalyzeLabels;

/* One face on one frame. */
typedef struct
{
  guint64 frame;                /* 0-based index of the decoded frame */
  gdouble timestamp;            /* stream time in seconds, NAN if unknown */
  const GstDdamfnFace *face;
} AnalyzeRecord;

/* An output file written unnamed (O_TMPFILE) in its directory and linked
 * to its own name only when complete; where the file system cannot, under
 * a hidden temporary name renamed into place. */
typedef struct
{
  gchar *path;
  gchar *tmp_path;              /* NULL for an unnamed file */
  FILE *fp;                     /* NULL for files others write */
  gint fd;                      /* theirs; -1 when fp holds it */
} AnalyzeFile;

AnalyzeFile *analyze_file_create (const gchar * path, gboolean open_stream,
    GError ** error);
gboolean analyze_files_commit (AnalyzeFile ** files, guint n,
    GError ** error);
void analyze_file_discard (AnalyzeFile * file);

gboolean analyze_csv_write_header (FILE * fp, const AnalyzeLabels * labels);
gboolean analyze_csv_write_record (FILE * fp, const AnalyzeLabels * labels,
    const AnalyzeRecord * record);
gboolean analyze_jsonl_write_record (FILE * fp, const AnalyzeRecord * record);

G_END_DECLS

#endif /* __ANALYZE_OUTPUT_H__ */
