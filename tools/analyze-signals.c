/* ddamfn-analyze: terminating signals and the temporary files they must
 * not leave behind.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every catchable signal whose default action ends the process (SIGHUP,
 * SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1, SIGUSR2, SIGPOLL,
 * SIGPROF, SIGVTALRM, SIGXCPU, SIGXFSZ, SIGPWR, SIGSTKFLT and the real-time
 * signals) is blocked in main() before anything else happens, so every
 * thread GStreamer, GLib or OpenCV start later has them blocked too, and one
 * thread of ours takes them with sigwait(). Threads that exist before main()
 * (with -Dblas=openblas, OpenBLAS starts its pool when the library is
 * loaded) do not have them blocked: for those, a handler passes the signal
 * on to our thread with pthread_kill(), so whichever thread the kernel
 * picks, the signal ends up in sigwait(). That thread then holds the lock
 * that guards the list of temporary files and the renames:
 *
 *  - before the outputs are committed, it deletes every temporary file and
 *    ends the process: no output at all;
 *  - while they are being renamed, the main thread holds the lock, so the
 *    signal waits for the last rename: every output;
 *  - after that, the outputs stay.
 *
 * Either way the process ends with 128 + the signal's number, as a shell
 * reports a process the signal killed. The one exception: for an input
 * that may never end (a URI, a capture device) the first SIGINT (Ctrl-C)
 * asks the run to end as the input's end would, with every output written
 * (analyze_signals_set_stop()); a second one abandons it as above. Signals a fault raises (SIGSEGV,
 * SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS) are not taken: they
 * mean a bug, not a request.
 */
#define _GNU_SOURCE
#include "analyze-signals.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const int terminating[] = {
  SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1, SIGUSR2,
#ifdef SIGPOLL
  SIGPOLL,
#endif
  SIGPROF, SIGVTALRM, SIGXCPU, SIGXFSZ,
#ifdef SIGPWR
  SIGPWR,
#endif
#ifdef SIGSTKFLT
  SIGSTKFLT,
#endif
};

static sigset_t waited;
static pthread_t waiter;
static GMutex lock;
static GPtrArray *temps;        /* gchar *, under lock */
static gboolean committed;      /* under lock */
static gboolean on_tty;
static int message_fd = STDERR_FILENO;  /* the real stderr, always */
static AnalyzeStopFunc stop_func;       /* under lock */
static gpointer stop_data;
static gboolean stop_called;

static void
fill_set (sigset_t * set)
{
  sigemptyset (set);
  for (guint i = 0; i < G_N_ELEMENTS (terminating); i++)
    sigaddset (set, terminating[i]);
#if defined(SIGRTMIN) && defined(SIGRTMAX)
  for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
    sigaddset (set, s);
#endif
}

static const gchar *
signal_name (int sig, gchar * buf, gsize size)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
  const char *abbrev = sigabbrev_np (sig);

  if (abbrev != NULL) {
    g_snprintf (buf, size, "SIG%s", abbrev);
    return buf;
  }
#endif
  g_snprintf (buf, size, "signal %d", sig);
  return buf;
}

/* Runs in a thread that did not block the signal (one started before
 * main()): hand it to the waiting thread, which has it blocked and so takes
 * it with sigwait(). pthread_kill() is async-signal-safe. */
static void
forward_signal (int sig)
{
  pthread_kill (waiter, sig);
}

static void *
wait_for_signal (G_GNUC_UNUSED void *data)
{
  int sig = 0;
  gchar name[32];

  for (;;) {
    while (sigwait (&waited, &sig) != 0);
    g_mutex_lock (&lock);
    if (sig != SIGINT || stop_func == NULL || stop_called)
      break;
    stop_called = TRUE;
    stop_func (stop_data);
    dprintf (message_fd, "%sddamfn-analyze: SIGINT: ending the run here and "
        "writing the outputs (interrupt again to abandon them)\n",
        on_tty ? "\n" : "");
    g_mutex_unlock (&lock);
  }

  /* The lock is never released: no temporary file is created or renamed
   * from here on. */
  signal_name (sig, name, sizeof (name));
  if (!committed) {
    for (guint i = 0; i < temps->len; i++)
      unlink (g_ptr_array_index (temps, i));
    dprintf (message_fd, "%sddamfn-analyze: interrupted by %s; no output "
        "written\n", on_tty ? "\n" : "", name);
  } else {
    dprintf (message_fd, "%sddamfn-analyze: %s after every output was "
        "written\n", on_tty ? "\n" : "", name);
  }
  _exit (128 + sig);
}

/**
 * analyze_signals_start:
 * @tty: whether stderr is a terminal (a progress bar may be on its line).
 *
 * Blocks the terminating signals in the calling thread, so in every thread
 * created after it, and starts the thread that takes them. Call it first
 * thing in main(), before any other thread or temporary file exists.
 */
void
analyze_signals_start (gboolean tty)
{
  pthread_attr_t attr;
  struct sigaction action;

  on_tty = tty;
  /* fd 2 may become a pipe later (analyze-stderr.c) */
  message_fd = dup (STDERR_FILENO);
  if (message_fd < 0)
    message_fd = STDERR_FILENO;
  temps = g_ptr_array_new_with_free_func (g_free);
  fill_set (&waited);
  pthread_sigmask (SIG_BLOCK, &waited, NULL);
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create (&waiter, &attr, wait_for_signal, NULL) != 0)
    g_error ("cannot start the signal thread");
  pthread_attr_destroy (&attr);

  memset (&action, 0, sizeof (action));
  action.sa_handler = forward_signal;
  action.sa_mask = waited;
  action.sa_flags = SA_RESTART;
  for (int s = 1; s < NSIG; s++)
    if (sigismember (&waited, s) == 1)
      sigaction (s, &action, NULL);
}

/**
 * analyze_signals_lock:
 *
 * Holds off signals: between this and analyze_signals_unlock() a signal
 * waits. Take it around creating a temporary file and registering it, and
 * around the renames of the outputs.
 */
void
analyze_signals_lock (void)
{
  g_mutex_lock (&lock);
}

void
analyze_signals_unlock (void)
{
  g_mutex_unlock (&lock);
}

/**
 * analyze_signals_add_temp:
 * @path: a temporary file that exists now.
 *
 * A signal deletes @path until it is removed from the list. Call with the
 * lock held.
 */
void
analyze_signals_add_temp (const gchar * path)
{
  g_ptr_array_add (temps, g_strdup (path));
}

/**
 * analyze_signals_remove_temp:
 * @path: a path given to analyze_signals_add_temp().
 *
 * @path was renamed or deleted. Call with the lock held.
 */
void
analyze_signals_remove_temp (const gchar * path)
{
  for (guint i = 0; i < temps->len; i++) {
    if (g_str_equal (g_ptr_array_index (temps, i), path)) {
      g_ptr_array_remove_index_fast (temps, i);
      return;
    }
  }
}

/**
 * analyze_signals_set_committed:
 *
 * Every output has its name: a signal from now on keeps them. Call with
 * the lock held, after the last rename.
 */
void
analyze_signals_set_committed (void)
{
  committed = TRUE;
}

/**
 * analyze_signals_set_stop:
 * @func: (nullable): called, from the signal thread, on the first SIGINT;
 *   NULL: SIGINT abandons the run like the other signals.
 * @data: passed to @func.
 *
 * Call with NULL before whatever @func uses goes away.
 */
void
analyze_signals_set_stop (AnalyzeStopFunc func, gpointer data)
{
  g_mutex_lock (&lock);
  stop_func = func;
  stop_data = data;
  g_mutex_unlock (&lock);
}
