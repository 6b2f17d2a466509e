/* Runs a model's plan step by step on a batch and writes the output tensor
 * of the named steps, for the error profile (tests/parity/error_profile.py)
 * that compares them with the PyTorch reference layer by layer.
 *
 *   step-dump MODEL RAW N OUTDIR NAME...
 *
 * RAW: N faces of 3 × 112 × 112 little-endian float32 (NCHW). For each
 * NAME, the output of the last step of that name is written to
 * OUTDIR/NAME.f32 as it is when that step ends: channel-major, [c][n][h·w]
 * floats (the plan's layout). Prints "kernels VARIANT" (the kernel variant
 * in use: DDAMFN_CPU asks for one), then one line per NAME: the name, the
 * step index, kind, c, h and w.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "run.h"
#include "ops/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The index of the last step named NAME, or -1. */
static int
last_step (const DdamfnPlan * plan, const char *name)
{
  int found = -1;

  for (guint i = 0; i < ddamfn_plan_n_steps (plan); i++)
    if (strcmp (ddamfn_plan_step (plan, i)->name, name) == 0)
      found = i;
  return found;
}

static gboolean
write_tensor (const char *dir, const char *name, const DdamfnTensor * t,
    float *const *slots, int n)
{
  gchar *file = g_strconcat (name, ".f32", NULL);
  gchar *path = g_build_filename (dir, file, NULL);
  const gsize floats = (gsize) t->c * n * t->h * t->w;
  const float *p = t->slot >= 0 ?
      slots[t->slot] + (gsize) t->c0 * n * t->h * t->w : NULL;
  FILE *f = p ? fopen (path, "wb") : NULL;   /* no step writes the input */
  gboolean ok = f != NULL && fwrite (p, sizeof (float), floats, f) == floats;

  if (f != NULL && fclose (f) != 0)
    ok = FALSE;
  if (!ok)
    fprintf (stderr, "step-dump: cannot write %s\n", path);
  g_free (path);
  g_free (file);
  return ok;
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  DdamfnModel *model;
  const DdamfnPlan *plan;
  DdamfnScratch scratch = { { NULL }, NULL, 0, 0 };
  gchar *raw = NULL;
  gsize raw_len = 0;
  int n, status = 0, *wanted;

  if (argc < 6 || (n = atoi (argv[3])) < 1 || n > DDAMFN_RUN_CHUNK) {
    fprintf (stderr, "usage: step-dump MODEL RAW N(1..%d) OUTDIR NAME...\n",
        DDAMFN_RUN_CHUNK);
    return 2;
  }
  model = ddamfn_model_open (argv[1], &error);
  if (model == NULL) {
    fprintf (stderr, "step-dump: %s\n", error->message);
    g_error_free (error);
    return 1;
  }
  plan = ddamfn_model_get_plan (model);
  if (!g_file_get_contents (argv[2], &raw, &raw_len, &error)
      || raw_len != ddamfn_plan_input_floats (plan) * n * sizeof (float)) {
    fprintf (stderr, "step-dump: %s: %s\n", argv[2], error ? error->message :
        "not N faces of input");
    g_clear_error (&error);
    g_free (raw);
    return 1;
  }
  wanted = g_new (int, argc - 5);
  for (int a = 5; a < argc; a++) {
    wanted[a - 5] = last_step (plan, argv[a]);
    if (wanted[a - 5] < 0) {
      fprintf (stderr, "step-dump: no step named %s\n", argv[a]);
      return 1;
    }
  }

  if (!ddamfn_scratch_reserve (&scratch, plan, n, &error)) {
    fprintf (stderr, "step-dump: %s\n", error->message);
    g_error_free (error);
    return 1;
  }

  printf ("kernels %s\n", ddamfn_kernels_get ()->name);
  for (guint i = 0; i < ddamfn_plan_n_steps (plan); i++) {
    const DdamfnStep *s = ddamfn_plan_step (plan, i);
    /* the input is the caller's NCHW batch, read as it is */
    ddamfn_run_step (s, (const float *) raw, n, scratch.slots,
        scratch.kernel);
    for (int a = 5; a < argc; a++) {
      if (wanted[a - 5] != (int) i)
        continue;
      if (!write_tensor (argv[4], argv[a], &s->out, scratch.slots, n))
        status = 1;
      printf ("%s %u %s %d %d %d\n", argv[a], i,
          ddamfn_step_kind_name (s->kind), s->out.c, s->out.h, s->out.w);
    }
  }

  ddamfn_scratch_release (&scratch);
  g_free (wanted);
  g_free (raw);
  ddamfn_model_unref (model);
  return status;
}
