/* The runner: walks a plan over a batch of inputs with a pool of worker
 * threads, each with its own scratch slots. Knows no network: the plan's
 * steps say which kernel runs on which tensors, its finisher turns the
 * last tensors into result records.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_RUN_H
#define DDAMFN_RUN_H

#include "plan.h"

G_BEGIN_DECLS

/* Inputs one worker runs at once: a larger batch goes through in chunks of
 * this many, so scratch memory is bounded whatever the batch size (8 faces
 * of DDAMFN: 28.5 MiB). */
#define DDAMFN_RUN_CHUNK 8

/* Largest batch one run takes; beyond it is a caller bug. */
#define DDAMFN_RUN_MAX_BATCH 4096

typedef struct _DdamfnRunner DdamfnRunner;

/* The scratch one worker runs a plan with: every slot sized for CAPACITY
 * inputs, plus the kernels' own scratch; 64-byte aligned, zeroed when
 * allocated, with DDAMFN_ROW_SLACK floats to spare each. Start from all
 * zeros. */
typedef struct
{
  float *slots[DDAMFN_PLAN_MAX_SLOTS];
  float *kernel;
  int capacity;
  gsize bytes;                  /* allocated, slack included */
} DdamfnScratch;

/* Makes S hold N (1 … DDAMFN_RUN_CHUNK) inputs of PLAN: nothing when it
 * already does, else a new allocation. FALSE with ERROR set (and S empty)
 * when memory runs out. */
gboolean ddamfn_scratch_reserve (DdamfnScratch * s, const DdamfnPlan * plan,
    int n, GError ** error);
void ddamfn_scratch_release (DdamfnScratch * s);

/* A runner of PLAN (borrowed: it must outlive the runner) on N_THREADS
 * workers (≥ 1); the caller's thread is the first of them. */
DdamfnRunner *ddamfn_runner_new (const DdamfnPlan * plan, int n_threads,
    GError ** error);
void ddamfn_runner_free (DdamfnRunner * runner);

/* Runs the plan on N inputs of ddamfn_plan_input_floats() each, filling N
 * records of ddamfn_plan_result_size() bytes. FALSE with ERROR set only
 * when scratch memory cannot be allocated (RESULTS then untouched). */
gboolean ddamfn_runner_run (DdamfnRunner * runner, const float *input, int n,
    gpointer results, GError ** error);

gsize ddamfn_runner_get_scratch_bytes (const DdamfnRunner * runner);

/* Runs the plan's steps on N ≤ capacity inputs with scratch SLOTS
 * (channel-major tensors) and KERNEL_SCRATCH: what one worker does for one
 * chunk. For the benchmarks and tests. */
void ddamfn_run_steps (const DdamfnPlan * plan, const float *input, int n,
    float *const *slots, float *kernel_scratch);

/* One step of ddamfn_run_steps(), for the per-step benchmark. */
void ddamfn_run_step (const DdamfnStep * step, const float *input, int n,
    float *const *slots, float *kernel_scratch);

G_END_DECLS

#endif /* DDAMFN_RUN_H */
