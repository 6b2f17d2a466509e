/* ddamfn-analyze: what libraries print on stderr while a video runs.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Some libraries print straight to the process's stderr (OpenH264's encoder
 * prints an "Error:" line on every run although the video is complete). On a
 * terminal such a line would land in the middle of the progress bar, and
 * elsewhere it would read like this program's own failure. While the
 * pipeline runs, file descriptor 2 is therefore a pipe: a thread reads it
 * line by line and shows each line on a line of its own, marked as a
 * library's ("ddamfn-analyze: a library printed: ..."); the program's own
 * progress and messages go to the real stderr through
 * analyze_stderr_terminal(). Whether the run failed is said only by the
 * program's own messages and exit status.
 */
#include "analyze-stderr.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

struct _AnalyzeStderr
{
  gint saved_fd;                /* the real stderr */
  gint read_fd;
  FILE *terminal;               /* on saved_fd */
  gboolean tty;
  GMutex lock;                  /* one writer on the terminal at a time */
  GThread *thread;
};

static void
show_line (AnalyzeStderr * c, const gchar * line, gsize len)
{
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
    len--;
  if (len == 0)
    return;
  g_mutex_lock (&c->lock);
  /* on a terminal: clear the progress bar's line first; the next progress
   * tick draws it again below */
  fprintf (c->terminal, "%sddamfn-analyze: a library printed: %.*s\n",
      c->tty ? "\r\033[K" : "", (int) len, line);
  fflush (c->terminal);
  g_mutex_unlock (&c->lock);
}

static gpointer
relay (gpointer data)
{
  AnalyzeStderr *c = data;
  GString *pending = g_string_new (NULL);
  gchar buf[4096];
  gssize n;

  while ((n = read (c->read_fd, buf, sizeof (buf))) != 0) {
    gchar *nl;

    if (n < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    g_string_append_len (pending, buf, n);
    while ((nl = memchr (pending->str, '\n', pending->len))) {
      show_line (c, pending->str, nl - pending->str + 1);
      g_string_erase (pending, 0, nl - pending->str + 1);
    }
  }
  show_line (c, pending->str, pending->len);
  g_string_free (pending, TRUE);
  return NULL;
}

/**
 * analyze_stderr_capture:
 * @tty: whether stderr is a terminal.
 *
 * Makes file descriptor 2 the pipe described above. Not done when
 * GST_DEBUG is set (its log is wanted as it is) or when a pipe cannot be
 * made; the program's output then goes to stderr directly.
 *
 * Returns: (transfer full): the capture, for analyze_stderr_release().
 */
AnalyzeStderr *
analyze_stderr_capture (gboolean tty)
{
  AnalyzeStderr *c = g_new0 (AnalyzeStderr, 1);
  int fds[2];

  g_mutex_init (&c->lock);
  c->tty = tty;
  c->saved_fd = c->read_fd = -1;
  c->terminal = stderr;
  if (g_getenv ("GST_DEBUG") != NULL || pipe (fds) != 0)
    return c;
  fflush (stderr);
  c->saved_fd = dup (STDERR_FILENO);
  if (c->saved_fd < 0 || (c->terminal = fdopen (c->saved_fd, "w")) == NULL
      || dup2 (fds[1], STDERR_FILENO) < 0) {
    if (c->terminal && c->terminal != stderr)
      fclose (c->terminal);
    else if (c->saved_fd >= 0)
      close (c->saved_fd);
    c->saved_fd = -1;
    c->terminal = stderr;
    close (fds[0]);
    close (fds[1]);
    return c;
  }
  close (fds[1]);
  setvbuf (c->terminal, NULL, _IONBF, 0);
  c->read_fd = fds[0];
  c->thread = g_thread_new ("stderr", relay, c);
  return c;
}

/* Where the program's own progress and messages go while capturing. */
FILE *
analyze_stderr_terminal (AnalyzeStderr * capture)
{
  return capture->terminal;
}

/* Around writes to analyze_stderr_terminal(), so a library's line never
 * lands inside one. */
void
analyze_stderr_lock (AnalyzeStderr * capture)
{
  g_mutex_lock (&capture->lock);
}

void
analyze_stderr_unlock (AnalyzeStderr * capture)
{
  g_mutex_unlock (&capture->lock);
}

/**
 * analyze_stderr_release:
 * @capture: (transfer full): from analyze_stderr_capture().
 *
 * Gives file descriptor 2 back to the real stderr, shows what was still in
 * the pipe and frees @capture.
 */
void
analyze_stderr_release (AnalyzeStderr * capture)
{
  if (capture->thread) {
    fflush (stderr);
    /* the last write end closes: the thread reads to the end and stops */
    dup2 (capture->saved_fd, STDERR_FILENO);
    g_thread_join (capture->thread);
    close (capture->read_fd);
    fclose (capture->terminal);
  }
  g_mutex_clear (&capture->lock);
  g_free (capture);
}
