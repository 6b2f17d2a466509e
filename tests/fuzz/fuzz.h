/* Shared entry points of the fuzz harnesses. Each harness runs one input
 * through the public API of libddamfn and abort()s when the library breaks
 * a documented promise; memory errors are left to the sanitizers (libFuzzer
 * build) or valgrind (replay build). Used by the libFuzzer entry points
 * (fuzz-*.c) and by the corpus replay test (replay.c).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_FUZZ_H
#define DDAMFN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Model files: see harness-model.c for the input format. Returns 0. */
int fuzz_model_one (const uint8_t * data, size_t size);

/* Frames, boxes and landmarks: see harness-preprocess.c. Returns 0. */
int fuzz_preprocess_one (const uint8_t * data, size_t size);

/* TensorFlow.js graph models: see harness-tfjs.c. Returns 0. */
int fuzz_tfjs_one (const uint8_t * data, size_t size);

/* ONNX files: see harness-onnx.c. Returns 0. */
int fuzz_onnx_one (const uint8_t * data, size_t size);

/* Model cards (JSON text): see harness-card.c. Returns 0. */
int fuzz_card_one (const uint8_t * data, size_t size);

/* Makes GLib warnings and criticals fatal; called by each harness. */
void fuzz_init_once (void);

/* Prints a message and aborts: a broken promise is a crash to the fuzzer. */
void fuzz_fail (const char *fmt, ...) __attribute__ ((noreturn,
        format (printf, 1, 2)));

#endif /* DDAMFN_FUZZ_H */
