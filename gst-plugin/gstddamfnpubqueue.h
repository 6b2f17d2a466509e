/* The record queue of ddamfnpublish: bounded in records and bytes, optionally
 * spilled to a spool directory, with in-flight tracking by message id and
 * counters. GLib only (no GStreamer, no MQTT), so that it is tested on its
 * own (tests/unit/test-pubqueue.c).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two threads use it: the producer (the streaming thread) pushes records,
 * the sender (the network thread) pops them, marks them sent under the
 * message id the network gave them and acknowledges them. A record taken
 * by push is, at every moment, in exactly one place: memory, the spool,
 * in flight, acknowledged, or counted as dropped.
 */
#ifndef __GST_DDAMFN_PUB_QUEUE_H__
#define __GST_DDAMFN_PUB_QUEUE_H__

#include <glib.h>

G_BEGIN_DECLS

/* What push does when the queue (memory, then the spool if any) is full. */
typedef enum
{
  GST_DDAMFN_PUB_POLICY_BLOCK = 0,      /* wait until there is room */
  GST_DDAMFN_PUB_POLICY_DROP_OLDEST = 1 /* drop the oldest queued record */
} GstDdamfnPubPolicy;

typedef enum
{
  GST_DDAMFN_PUB_PUSH_OK,
  GST_DDAMFN_PUB_PUSH_FLUSHING, /* unblocked by set_flushing: not taken */
  GST_DDAMFN_PUB_PUSH_ERROR     /* the spool could not be written */
} GstDdamfnPubPushResult;

/* Counters since the queue was made, and what it holds now. */
typedef struct
{
  guint64 accepted;             /* records taken by push */
  guint64 sent;                 /* handed to the network (resends included) */
  guint64 acknowledged;         /* confirmed by the network */
  guint64 dropped;              /* given up (policy, or lost at close) */
  guint64 requeued;             /* in flight when the link fell, sent again */
  guint64 spooled;              /* written to the spool */
  guint64 recovered;            /* found in the spool at open */
  guint queued;                 /* in memory, waiting */
  guint64 queued_bytes;
  guint spool_records;          /* in the spool, waiting */
  guint64 spool_bytes;
  guint in_flight;              /* sent, not yet acknowledged */
} GstDdamfnPubStats;

typedef struct _GstDdamfnPubQueue GstDdamfnPubQueue;

/* MAX_RECORDS and MAX_BYTES bound the records waiting in memory (a record
 * larger than MAX_BYTES is still taken when memory is empty); SPOOL_DIR
 * (nullable) holds what does not fit, up to MAX_SPOOL_BYTES, one file per
 * record. Records a previous run left in SPOOL_DIR come first. NULL with
 * ERROR set when SPOOL_DIR cannot be made or read. */
GstDdamfnPubQueue *gst_ddamfn_pub_queue_new (guint max_records,
    guint64 max_bytes, GstDdamfnPubPolicy policy, const gchar * spool_dir,
    guint64 max_spool_bytes, GError ** error);

/* Frees the queue. What it still holds (waiting or in flight) goes to the
 * spool when there is one (*N_KEPT), else counts as dropped (*N_LOST). */
void gst_ddamfn_pub_queue_free (GstDdamfnPubQueue * q, guint * n_kept,
    guint * n_lost);

/* Takes RECORD (a reference is added). *N_DROPPED (nullable) is set to the
 * number of older records dropped to make room. Blocks under the block
 * policy while full, until there is room or set_flushing (TRUE). */
GstDdamfnPubPushResult gst_ddamfn_pub_queue_push (GstDdamfnPubQueue * q,
    GBytes * record, guint * n_dropped, GError ** error);

/* Makes a blocked push return FLUSHING (and further pushes until FALSE). */
void gst_ddamfn_pub_queue_set_flushing (GstDdamfnPubQueue * q,
    gboolean flushing);

/* Whether pop may hand out records (the link is up). */
void gst_ddamfn_pub_queue_set_ready (GstDdamfnPubQueue * q, gboolean ready);

/* Makes pop return NULL from now on (the sender stops). */
void gst_ddamfn_pub_queue_close_sender (GstDdamfnPubQueue * q);

/* The next record for the sender, waiting until the queue is ready, has a
 * record and fewer than MAX_IN_FLIGHT are in flight, or END_TIME
 * (g_get_monotonic_time () clock; -1: no limit). NULL on time-out or after
 * close_sender. *SEQ identifies the record for sent () / unsend (). A
 * spool read that fails drops the record (counted, *ERROR set). */
GBytes *gst_ddamfn_pub_queue_pop (GstDdamfnPubQueue * q, guint max_in_flight,
    gint64 end_time, guint64 * seq, GError ** error);

/* The popped record SEQ was handed to the network as message MID. */
void gst_ddamfn_pub_queue_sent (GstDdamfnPubQueue * q, guint64 seq, gint mid);

/* The popped record SEQ could not be sent: back to the head of the queue. */
void gst_ddamfn_pub_queue_unsend (GstDdamfnPubQueue * q, guint64 seq,
    GBytes * record);

/* The popped record SEQ can never be sent (too large for the protocol):
 * given up, counted as dropped. */
void gst_ddamfn_pub_queue_drop_popped (GstDdamfnPubQueue * q, guint64 seq);

/* Message MID was acknowledged (it may arrive before sent () returns). */
void gst_ddamfn_pub_queue_ack (GstDdamfnPubQueue * q, gint mid);

/* Every record in flight goes back to the head of the queue, in order, to
 * be sent again (the link fell before they were confirmed). */
void gst_ddamfn_pub_queue_requeue_in_flight (GstDdamfnPubQueue * q);

/* Waits until nothing is waiting nor in flight, or END_TIME; TRUE when
 * empty. */
gboolean gst_ddamfn_pub_queue_wait_empty (GstDdamfnPubQueue * q,
    gint64 end_time);

void gst_ddamfn_pub_queue_get_stats (GstDdamfnPubQueue * q,
    GstDdamfnPubStats * stats);

G_END_DECLS

#endif /* __GST_DDAMFN_PUB_QUEUE_H__ */
