/* ddamfn-analyze: what the output paths name, checked before anything is
 * written.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Files are compared by identity, not by name: an existing file by the
 * device and inode of what its path leads to (through symbolic links), a
 * file still to be created by the identity of its directory and its name.
 * So a symbolic or hard link to the input, or two spellings of one output,
 * are caught whatever the path strings look like. An output is written as
 * a new regular file renamed over its name, so a name that already holds
 * something else than a regular file (a symbolic link, a FIFO, a device, a
 * socket) is refused rather than replaced.
 */
#include "analyze-paths.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

typedef struct
{
  gboolean exists;              /* dev and ino are the file's */
  gboolean known;               /* FALSE: its directory cannot be reached */
  dev_t dev;
  ino_t ino;
  gchar *base;                  /* for a file still to be created */
} FileId;

static void
file_id_init (FileId * id, const gchar * path)
{
  struct stat st;

  memset (id, 0, sizeof (*id));
  if (stat (path, &st) == 0) {
    id->exists = id->known = TRUE;
    id->dev = st.st_dev;
    id->ino = st.st_ino;
  } else {
    gchar *dir = g_path_get_dirname (path);

    if (stat (dir, &st) == 0) {
      id->known = TRUE;
      id->dev = st.st_dev;
      id->ino = st.st_ino;
      id->base = g_path_get_basename (path);
    }
    g_free (dir);
  }
}

static gboolean
file_id_equal (const FileId * a, const FileId * b)
{
  if (!a->known || !b->known || a->exists != b->exists || a->dev != b->dev
      || a->ino != b->ino)
    return FALSE;
  return a->exists || g_str_equal (a->base, b->base);
}

static const gchar *
kind_of (mode_t mode)
{
  if (S_ISFIFO (mode))
    return "a FIFO";
  if (S_ISCHR (mode))
    return "a character device";
  if (S_ISBLK (mode))
    return "a block device";
  if (S_ISSOCK (mode))
    return "a socket";
  if (S_ISDIR (mode))
    return "a directory";
  return "not a regular file";
}

/* NULL when PATH is absent or a regular file; else why it is refused.
 * OPTION (nullable) names the output in the message. */
static gchar *
refusal (const gchar * option, const gchar * path)
{
  const gchar *sep = option ? " " : "";
  struct stat st;

  if (lstat (path, &st) != 0 || S_ISREG (st.st_mode))
    return NULL;
  if (S_ISLNK (st.st_mode)) {
    gchar *target = g_file_read_link (path, NULL);
    gchar *text = g_strdup_printf ("%s%s%s is a symbolic link (to %s): "
        "outputs are not written through links, name the file itself",
        option ? option : "", sep, path, target ? target : "?");

    g_free (target);
    return text;
  }
  if (S_ISDIR (st.st_mode))
    return g_strdup_printf ("cannot write %s: it is a directory", path);
  return g_strdup_printf ("%s%s%s is %s: outputs are written as new regular "
      "files and this one would be replaced; give a file name",
      option ? option : "", sep, path, kind_of (st.st_mode));
}

/**
 * analyze_check_output_paths:
 * @input: the video.
 * @options: the option of each output ("--csv"), for the messages.
 * @paths: (array length=n): each output's path, %NULL when not asked for.
 * @n: their number.
 *
 * Returns: (nullable): %NULL when every output may be written; otherwise
 *   the first problem, for the user: an output that is the input (by name,
 *   symbolic or hard link), two outputs that are one file, or an output
 *   name that holds something else than a regular file.
 */
gchar *
analyze_check_output_paths (const gchar * input, const gchar * const *options,
    const gchar * const *paths, guint n)
{
  FileId in, *ids = g_new0 (FileId, n);
  gchar *problem = NULL;

  file_id_init (&in, input);
  for (guint i = 0; i < n; i++)
    if (paths[i])
      file_id_init (&ids[i], paths[i]);

  for (guint i = 0; i < n && !problem; i++) {
    if (!paths[i])
      continue;
    if (file_id_equal (&ids[i], &in)) {
      problem = g_strdup_printf ("%s %s is the input video%s", options[i],
          paths[i], g_str_equal (paths[i], input) ? "" :
          " (the same file under another name or through a link)");
      break;
    }
    for (guint j = 0; j < i && !problem; j++)
      if (paths[j] && file_id_equal (&ids[i], &ids[j]))
        problem = g_strdup_printf ("%s %s and %s %s are the same file",
            options[j], paths[j], options[i], paths[i]);
    if (!problem)
      problem = refusal (options[i], paths[i]);
  }

  g_free (in.base);
  for (guint i = 0; i < n; i++)
    g_free (ids[i].base);
  g_free (ids);
  return problem;
}

/**
 * analyze_output_still_writable:
 * @path: an output about to be renamed into place.
 * @error: where a refusal goes.
 *
 * Checks again, just before the rename, that @path is absent or a regular
 * file (something may have been put there while the video was analysed).
 *
 * Returns: %TRUE when the rename may replace @path.
 */
gboolean
analyze_output_still_writable (const gchar * path, GError ** error)
{
  gchar *problem = refusal (NULL, path);

  if (problem == NULL)
    return TRUE;
  g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_EXIST, problem);
  g_free (problem);
  return FALSE;
}
