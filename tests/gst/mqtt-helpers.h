/* A real mosquitto broker started by a test on a free loopback port (or in
 * a network namespace), and a subscriber that records every (source,
 * frame) it receives, for the ddamfnpublish tests.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef MQTT_HELPERS_H
#define MQTT_HELPERS_H

#include <glib.h>

typedef struct
{
  gchar *exe;                   /* the mosquitto program */
  gchar *dir;                   /* its configuration, persistence, log */
  gchar *host;                  /* where it listens */
  gchar *netns;                 /* nullable: run inside this namespace */
  gint port;
  GPid pid;
  gboolean running;
} TestBroker;

/* A TCP port nobody listens on at this instant (127.0.0.1). */
gint test_free_port (void);

/* Writes the configuration (listener HOST:PORT, anonymous, persistence in
 * DIR, no limit on queued messages) and starts the broker; TRUE once it
 * accepts connections (within 10 s). */
gboolean test_broker_start (TestBroker * b);

/* SIGTERM (the broker saves its persistent sessions) and wait. */
void test_broker_stop (TestBroker * b);

typedef struct _TestSubscriber TestSubscriber;

/* A durable (clean session off) QoS 1 subscriber to TOPIC, reconnecting
 * every second while the broker is away; NULL when it cannot subscribe
 * within 10 s. */
TestSubscriber *test_subscriber_new (const gchar * host, gint port,
    const gchar * topic);
void test_subscriber_free (TestSubscriber * s);

/* Waits until N distinct (source, frame) were received or TIMEOUT_S. */
guint test_subscriber_wait (TestSubscriber * s, guint n, guint timeout_s);

/* Waits until N distinct frames of SOURCE were received or TIMEOUT_S. */
guint test_subscriber_wait_source (TestSubscriber * s, const gchar * source,
    guint n, guint timeout_s);

/* Messages received (duplicates included), and duplicates. */
guint test_subscriber_received (TestSubscriber * s);
guint test_subscriber_duplicates (TestSubscriber * s);

/* Whether the record of (SOURCE, FRAME) arrived; its text in *PAYLOAD
 * (nullable, owned by the subscriber). */
gboolean test_subscriber_has (TestSubscriber * s, const gchar * source,
    guint64 frame, const gchar ** payload);

/* Frames of SOURCE in arrival order (first arrivals only). */
GArray *test_subscriber_order (TestSubscriber * s, const gchar * source);

/* Messages that were not records (no source or frame). */
guint test_subscriber_malformed (TestSubscriber * s);

#endif /* MQTT_HELPERS_H */
