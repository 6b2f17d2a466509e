/* ddamfn-analyze: output files (complete or absent) and the CSV and JSON
 * Lines records.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every output is written to an unnamed file in its directory (O_TMPFILE)
 * and linked to NAME only once every output is complete: a run that ends in
 * any way before, SIGKILL included, leaves nothing. Where the file system
 * has no unnamed files, it is a hidden temporary file next to it (".NAME."
 * and a random suffix, so the rename stays on one file system) renamed to
 * NAME; a failed or interrupted run deletes those (analyze-signals.c), and
 * since SIGKILL cannot be caught, a run removes the ones an earlier killed
 * run left for the same names, saying so.
 * Numbers are rounded to six decimals before they are written, so the CSV
 * and the JSON Lines of a run hold the same values.
 */
/* O_TMPFILE */
#define _GNU_SOURCE

#include "analyze-output.h"
#include "analyze-paths.h"
#include "analyze-signals.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Files                                                                */
/* ------------------------------------------------------------------ */

static void
analyze_file_free (AnalyzeFile * file)
{
  g_free (file->path);
  g_free (file->tmp_path);
  g_free (file);
}

/* Whether NAME is ".BASE." and six characters of g_mkstemp's alphabet. */
static gboolean
is_stale_temp_name (const gchar * name, const gchar * base)
{
  gsize n = strlen (base);
  const gchar *suffix;

  if (name[0] != '.' || strncmp (name + 1, base, n) != 0
      || name[n + 1] != '.')
    return FALSE;
  suffix = name + n + 2;
  if (strlen (suffix) != 6)
    return FALSE;
  for (gint i = 0; i < 6; i++)
    if (!g_ascii_isalnum (suffix[i]))
      return FALSE;
  return TRUE;
}

/* Removes the hidden temporary files of BASE in DIR that a killed run left
 * (SIGKILL cannot be caught), saying so on stderr. Regular files only. */
static void
remove_stale_temps (const gchar * dir, const gchar * base)
{
  DIR *d = opendir (dir);
  struct dirent *e;

  if (d == NULL)
    return;
  while ((e = readdir (d)) != NULL) {
    gchar *p;
    struct stat st;

    if (!is_stale_temp_name (e->d_name, base))
      continue;
    p = g_build_filename (dir, e->d_name, NULL);
    if (lstat (p, &st) == 0 && S_ISREG (st.st_mode) && unlink (p) == 0)
      g_printerr ("ddamfn-analyze: removed %s, a temporary file an earlier "
          "run left when it was killed\n", p);
    g_free (p);
  }
  closedir (d);
}

/* An unnamed file in DIR (O_TMPFILE), or -1 when the file system or the
 * kernel has none. */
static gint
open_unnamed (const gchar * dir)
{
#ifdef O_TMPFILE
  return open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
#else
  (void) dir;
  errno = EOPNOTSUPP;
  return -1;
#endif
}

/* Creates the temporary file for PATH; with OPEN_STREAM it stays open as
 * file->fp, otherwise as file->fd for another writer (never reopened by
 * name, so nothing can recreate it after a signal deleted it).
 * Fails with a message naming PATH when its directory cannot take it. The
 * file is created and registered with signals held off, so a signal at any
 * moment finds it in the list it deletes. */
AnalyzeFile *
analyze_file_create (const gchar * path, gboolean open_stream,
    GError ** error)
{
  AnalyzeFile *file;
  gchar *dir, *base, *name;
  gint fd, saved_errno;
  gchar *suffix;

  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
        "cannot write %s: it is a directory", path);
    return NULL;
  }

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  remove_stale_temps (dir, base);
  file = g_new0 (AnalyzeFile, 1);
  file->path = g_strdup (path);
  fd = open_unnamed (dir);
  saved_errno = errno;
  if (fd < 0 && saved_errno != ENOENT && saved_errno != EACCES
      && saved_errno != EROFS && saved_errno != ENOSPC) {
    /* g_mkstemp replaces the six trailing X's with random characters */
    suffix = g_strnfill (6, 'X');
    name = g_strdup_printf (".%s.%s", base, suffix);
    g_free (suffix);
    file->tmp_path = g_build_filename (dir, name, NULL);
    g_free (name);
    analyze_signals_lock ();
    fd = g_mkstemp_full (file->tmp_path, O_RDWR, 0666);
    saved_errno = errno;
    if (fd >= 0)
      analyze_signals_add_temp (file->tmp_path);
    analyze_signals_unlock ();
  }
  g_free (dir);
  g_free (base);
  if (fd < 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
        "cannot write %s: %s", path, g_strerror (saved_errno));
    analyze_file_free (file);
    return NULL;
  }
  file->fd = -1;
  if (!open_stream) {
    file->fd = fd;
    return file;
  }
  file->fp = fdopen (fd, "w");
  if (file->fp == NULL) {
    saved_errno = errno;
    close (fd);
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
        "cannot write %s: %s", path, g_strerror (saved_errno));
    analyze_file_discard (file);
    return NULL;
  }
  return file;
}

/* Flushes and closes FILE's stream, if it has one; FALSE with a message
 * naming its path when the data did not all reach the file. */
static gboolean
analyze_file_close (AnalyzeFile * file, GError ** error)
{
  gint saved_errno = 0;

  if (file->tmp_path == NULL) {
    /* unnamed: flushed now, closed once linked to its name */
    if (file->fp && (fflush (file->fp) != 0 || ferror (file->fp)))
      saved_errno = errno ? errno : EIO;
    goto done;
  }
  if (file->fd >= 0) {
    /* its writer has flushed it (the pipeline is stopped) */
    if (close (file->fd) != 0)
      saved_errno = errno;
    file->fd = -1;
  }
  if (file->fp == NULL)
    goto done;
  if (fflush (file->fp) != 0 || ferror (file->fp))
    saved_errno = errno ? errno : EIO;
  if (fclose (file->fp) != 0 && saved_errno == 0)
    saved_errno = errno;
  file->fp = NULL;
done:
  if (saved_errno != 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
        "cannot write %s: %s", file->path, g_strerror (saved_errno));
    return FALSE;
  }
  return TRUE;
}

/* Links the unnamed FILE to its name, replacing what holds the name (a
 * regular file, checked before): directly when the name is free, else
 * through a hidden name renamed over it, as linkat never replaces. */
static gint
link_unnamed (AnalyzeFile * file)
{
  gint fd = file->fp ? fileno (file->fp) : file->fd;
  gchar proc[64];
  gint ret = -1;

  g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (linkat (AT_FDCWD, proc, AT_FDCWD, file->path, AT_SYMLINK_FOLLOW) == 0)
    return 0;
  if (errno != EEXIST)
    return -1;
  for (gint attempt = 0; attempt < 100 && ret != 0; attempt++) {
    gchar *dir = g_path_get_dirname (file->path);
    gchar *base = g_path_get_basename (file->path);
    gchar *name = g_strdup_printf (".%s.%06X", base,
        g_random_int_range (0, 0xFFFFFF));
    gchar *tmp = g_build_filename (dir, name, NULL);

    if (linkat (AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0) {
      ret = rename (tmp, file->path);
      if (ret != 0) {
        gint e = errno;
        unlink (tmp);
        errno = e;
        attempt = 100;
      }
    } else if (errno != EEXIST) {
      attempt = 100;
    }
    g_free (tmp);
    g_free (name);
    g_free (base);
    g_free (dir);
  }
  return ret;
}

/* Closes what an unnamed FILE still holds open (after its link). */
static void
close_unnamed (AnalyzeFile * file)
{
  if (file->fp != NULL)
    fclose (file->fp);
  else if (file->fd >= 0)
    close (file->fd);
  file->fp = NULL;
  file->fd = -1;
}

/* Gives every file of FILES (N of them, NULL entries skipped) its name, or
 * none of them: every stream is closed and every name checked (an output
 * that has become something else than a regular file since the start is
 * refused) before the first rename, and the renames run with signals held
 * off. Consumes the files; on failure their temporary files are deleted. */
gboolean
analyze_files_commit (AnalyzeFile ** files, guint n, GError ** error)
{
  gboolean ok = TRUE;
  gint saved_errno = 0;
  guint i;

  for (i = 0; i < n && ok; i++)
    if (files[i] != NULL)
      ok = analyze_file_close (files[i], error)
          && analyze_output_still_writable (files[i]->path, error);
  if (!ok) {
    for (i = 0; i < n; i++)
      g_clear_pointer (&files[i], analyze_file_discard);
    return FALSE;
  }

  analyze_signals_lock ();
  for (i = 0; i < n; i++) {
    if (files[i] == NULL)
      continue;
    if (saved_errno == 0 && (files[i]->tmp_path == NULL ?
            link_unnamed (files[i]) :
            rename (files[i]->tmp_path, files[i]->path)) != 0) {
      saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
          "cannot write %s: %s", files[i]->path, g_strerror (saved_errno));
    }
    if (files[i]->tmp_path == NULL) {
      close_unnamed (files[i]);
    } else {
      if (saved_errno != 0)
        unlink (files[i]->tmp_path);
      analyze_signals_remove_temp (files[i]->tmp_path);
    }
    g_clear_pointer (&files[i], analyze_file_free);
  }
  if (saved_errno == 0)
    analyze_signals_set_committed ();
  analyze_signals_unlock ();
  return saved_errno == 0;
}

/* Closes and deletes the temporary file. Consumes FILE. */
void
analyze_file_discard (AnalyzeFile * file)
{
  if (file == NULL)
    return;
  if (file->fp != NULL)
    fclose (file->fp);
  if (file->fd >= 0)
    close (file->fd);
  if (file->tmp_path != NULL) {
    analyze_signals_lock ();
    unlink (file->tmp_path);
    analyze_signals_remove_temp (file->tmp_path);
    analyze_signals_unlock ();
  }
  analyze_file_free (file);
}

/* ------------------------------------------------------------------ */
/* CSV                                                                  */
/* ------------------------------------------------------------------ */

static gdouble
round6 (gdouble v)
{
  return round (v * 1e6) / 1e6;
}

static void
csv_number (GString * s, gdouble v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (s, ',');
  g_string_append (s, g_ascii_formatd (buf, sizeof (buf), "%.6f",
          round6 (v)));
}

/* A field, quoted when it holds a separator, a quote or a line break. */
static void
csv_text (GString * s, const gchar * text, gboolean first)
{
  if (!first)
    g_string_append_c (s, ',');
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL) {
    g_string_append (s, text);
    return;
  }
  g_string_append_c (s, '"');
  for (const gchar * p = text; *p; p++) {
    if (*p == '"')
      g_string_append_c (s, '"');
    g_string_append_c (s, *p);
  }
  g_string_append_c (s, '"');
}

static gboolean
write_line (FILE * fp, GString * s)
{
  gboolean ok;

  g_string_append_c (s, '\n');
  ok = fwrite (s->str, 1, s->len, fp) == s->len;
  g_string_free (s, TRUE);
  return ok;
}

/* frame, timestamp, track_id, x, y, w, h, valence, arousal, expression, one
 * column per expression (its label), then AUn_prob and AUn_active for
 * every action unit. */
gboolean
analyze_csv_write_header (FILE * fp, const AnalyzeLabels * labels)
{
  GString *s = g_string_new (NULL);

  csv_text (s, "frame", TRUE);
  csv_text (s, "timestamp", FALSE);
  csv_text (s, "track_id", FALSE);
  csv_text (s, "x", FALSE);
  csv_text (s, "y", FALSE);
  csv_text (s, "w", FALSE);
  csv_text (s, "h", FALSE);
  csv_text (s, "valence", FALSE);
  csv_text (s, "arousal", FALSE);
  csv_text (s, "expression", FALSE);
  for (gint k = 0; k < labels->n_expr; k++)
    csv_text (s, labels->expr_labels[k], FALSE);
  for (gint k = 0; k < labels->n_au; k++) {
    gchar *name = g_strdup_printf ("%s_prob", labels->au_names[k]);
    csv_text (s, name, FALSE);
    g_free (name);
  }
  for (gint k = 0; k < labels->n_au; k++) {
    gchar *name = g_strdup_printf ("%s_active", labels->au_names[k]);
    csv_text (s, name, FALSE);
    g_free (name);
  }
  return write_line (fp, s);
}

/* One row; fields the model or the face does not have stay empty. */
gboolean
analyze_csv_write_record (FILE * fp, const AnalyzeLabels * labels,
    const AnalyzeRecord * record)
{
  const GstDdamfnFace *f = record->face;
  GString *s = g_string_sized_new (256);
  gboolean has_expr = f->n_expr > 0 && f->expr_index >= 0
      && f->expr_index < f->n_expr;

  g_string_append_printf (s, "%" G_GUINT64_FORMAT, record->frame);
  if (isnan (record->timestamp))
    g_string_append_c (s, ',');
  else
    csv_number (s, record->timestamp);
  g_string_append_printf (s, ",%u,%u,%u,%u,%u", f->track_id, f->x, f->y,
      f->w, f->h);
  if (f->has_va) {
    csv_number (s, f->valence);
    csv_number (s, f->arousal);
  } else {
    g_string_append (s, ",,");
  }
  csv_text (s, has_expr ? f->expr_label : NULL, FALSE);
  for (gint k = 0; k < labels->n_expr; k++) {
    if (k < f->n_expr && k < GST_DDAMFN_META_MAX_EXPRESSIONS)
      csv_number (s, f->expr_probs[k]);
    else
      g_string_append_c (s, ',');
  }
  for (gint k = 0; k < labels->n_au; k++) {
    if (k < f->n_au)
      csv_number (s, f->au_probs[k]);
    else
      g_string_append_c (s, ',');
  }
  for (gint k = 0; k < labels->n_au; k++) {
    if (k < f->n_au)
      g_string_append (s, (f->au_active & (1u << k)) ? ",1" : ",0");
    else
      g_string_append_c (s, ',');
  }
  return write_line (fp, s);
}

/* ------------------------------------------------------------------ */
/* JSON Lines                                                           */
/* ------------------------------------------------------------------ */

/* One object per line: frame and timestamp, then the face's members as
 * ddamfnjson writes them (the shared serializer of libgstddamfnmeta,
 * described by docs/ddamfn-record.schema.json as a face row). */
gboolean
analyze_jsonl_write_record (FILE * fp, const AnalyzeRecord * record)
{
  gchar *text = gst_ddamfn_face_to_json_row (record->face, record->frame,
      record->timestamp);
  GString *s = g_string_new (text);

  g_free (text);
  return write_line (fp, s);
}
