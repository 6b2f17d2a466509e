/* A real mosquitto broker per test and a recording subscriber.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "mqtt-helpers.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <mosquitto.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

gint
test_free_port (void)
{
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0);
  GSocketAddress *local;
  gint port = 0;

  if (g_socket_bind (sock, addr, FALSE, NULL)
      && (local = g_socket_get_local_address (sock, NULL))) {
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    g_object_unref (local);
  }
  g_socket_close (sock, NULL);
  g_object_unref (addr);
  g_object_unref (lo);
  g_object_unref (sock);
  return port;
}

static gboolean
accepts (const gchar * host, gint port)
{
  GSocketClient *client = g_socket_client_new ();
  GSocketConnection *conn;

  g_socket_client_set_timeout (client, 1);
  conn = g_socket_client_connect_to_host (client, host, port, NULL, NULL);
  g_object_unref (client);
  if (conn)
    g_object_unref (conn);
  return conn != NULL;
}

gboolean
test_broker_start (TestBroker * b)
{
  gchar *conf = g_build_filename (b->dir, "mosquitto.conf", NULL);
  gchar *text = g_strdup_printf ("listener %d %s\n"
      "allow_anonymous true\n"
      "persistence true\n"
      "persistence_location %s/\n"
      "max_queued_messages 0\n"
      "log_dest file %s/mosquitto.log\n"
      /* run as root, mosquitto would switch to its own user, which cannot
       * write its persistence here: the restarted broker would have lost
       * the subscriber's session and what was queued for it */
      "user %s\n", b->port, b->host, b->dir, b->dir, g_get_user_name ());
  const gchar *plain[] = { b->exe, "-c", conf, NULL };
  const gchar *in_ns[] = { "ip", "netns", "exec", b->netns, b->exe, "-c",
    conf, NULL
  };
  GError *error = NULL;
  gboolean ok;

  g_mkdir_with_parents (b->dir, 0700);
  g_file_set_contents (conf, text, -1, NULL);
  ok = g_spawn_async (NULL, (gchar **) (b->netns ? in_ns : plain), NULL,
      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH |
      G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
      &b->pid, &error);
  if (!ok) {
    g_printerr ("cannot start %s: %s\n", b->exe, error->message);
    g_error_free (error);
  }
  b->running = ok;
  if (b->netns) {
    /* not reachable from here: its log says when it listens */
    gchar *log = g_build_filename (b->dir, "mosquitto.log", NULL);
    gboolean up = FALSE;

    for (gint i = 0; ok && i < 100 && !up; i++) {
      gchar *text = NULL;
      g_usleep (100 * 1000);
      up = g_file_get_contents (log, &text, NULL, NULL)
          && strstr (text, " running") != NULL;
      g_free (text);
    }
    g_free (log);
    ok = ok && up;
  } else {
    for (gint i = 0; ok && i < 100 && !accepts (b->host, b->port); i++)
      g_usleep (100 * 1000);
    ok = ok && accepts (b->host, b->port);
  }
  if (b->running && !ok)
    test_broker_stop (b);
  g_free (text);
  g_free (conf);
  return ok;
}

void
test_broker_stop (TestBroker * b)
{
  if (!b->running)
    return;
  kill (b->pid, SIGTERM);
  waitpid (b->pid, NULL, 0);
  g_spawn_close_pid (b->pid);
  b->running = FALSE;
}

/* --- subscriber ----------------------------------------------------- */

struct _TestSubscriber
{
  struct mosquitto *mosq;
  gchar *topic;
  GMutex lock;
  GCond cond;
  gboolean subscribed;
  GHashTable *seen;             /* "source\nframe" -> payload */
  GHashTable *order;            /* source -> GArray of guint64 */
  guint received;
  guint duplicates;
  guint malformed;
};

static void
sub_on_connect (struct mosquitto *mosq, void *data, int rc)
{
  TestSubscriber *s = data;

  if (rc == 0)
    mosquitto_subscribe (mosq, NULL, s->topic, 1);
}

static void
sub_on_subscribe (G_GNUC_UNUSED struct mosquitto *mosq, void *data,
    G_GNUC_UNUSED int mid, G_GNUC_UNUSED int qos_count,
    G_GNUC_UNUSED const int *granted)
{
  TestSubscriber *s = data;

  g_mutex_lock (&s->lock);
  s->subscribed = TRUE;
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

static void
sub_on_message (G_GNUC_UNUSED struct mosquitto *mosq, void *data,
    const struct mosquitto_message *msg)
{
  TestSubscriber *s = data;
  JsonParser *parser = json_parser_new ();
  JsonObject *o = NULL;
  gchar *text = g_strndup (msg->payload, msg->payloadlen);

  if (json_parser_load_from_data (parser, text, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    o = json_node_get_object (json_parser_get_root (parser));
  g_mutex_lock (&s->lock);
  s->received++;
  if (o && json_object_has_member (o, "source")
      && json_object_has_member (o, "frame")) {
    const gchar *source = json_object_get_string_member (o, "source");
    guint64 frame = json_object_get_int_member (o, "frame");
    gchar *key = g_strdup_printf ("%s\n%" G_GUINT64_FORMAT,
        source ? source : "", frame);
    GArray *order;

    if (g_hash_table_contains (s->seen, key)) {
      s->duplicates++;
      g_free (key);
    } else {
      g_hash_table_insert (s->seen, key, text);
      text = NULL;
      order = g_hash_table_lookup (s->order, source ? source : "");
      if (order == NULL) {
        order = g_array_new (FALSE, FALSE, sizeof (guint64));
        g_hash_table_insert (s->order, g_strdup (source ? source : ""),
            order);
      }
      g_array_append_val (order, frame);
    }
  } else {
    s->malformed++;
  }
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
  g_free (text);
  g_object_unref (parser);
}

TestSubscriber *
test_subscriber_new (const gchar * host, gint port, const gchar * topic)
{
  static gint counter;
  TestSubscriber *s = g_new0 (TestSubscriber, 1);
  gchar *id = g_strdup_printf ("test-sub-%d-%d", (gint) getpid (),
      g_atomic_int_add (&counter, 1));
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  gboolean ok;

  mosquitto_lib_init ();
  g_mutex_init (&s->lock);
  g_cond_init (&s->cond);
  s->topic = g_strdup (topic);
  s->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s->order = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) g_array_unref);
  s->mosq = mosquitto_new (id, false, s);
  g_free (id);
  mosquitto_connect_callback_set (s->mosq, sub_on_connect);
  mosquitto_subscribe_callback_set (s->mosq, sub_on_subscribe);
  mosquitto_message_callback_set (s->mosq, sub_on_message);
  mosquitto_reconnect_delay_set (s->mosq, 1, 1, false);
  ok = mosquitto_connect (s->mosq, host, port, 10) == MOSQ_ERR_SUCCESS
      && mosquitto_loop_start (s->mosq) == MOSQ_ERR_SUCCESS;
  g_mutex_lock (&s->lock);
  while (ok && !s->subscribed)
    if (!g_cond_wait_until (&s->cond, &s->lock, end))
      break;
  ok = ok && s->subscribed;
  g_mutex_unlock (&s->lock);
  if (!ok) {
    g_printerr ("the subscriber cannot subscribe at %s:%d\n", host, port);
    test_subscriber_free (s);
    return NULL;
  }
  return s;
}

void
test_subscriber_free (TestSubscriber * s)
{
  if (s == NULL)
    return;
  mosquitto_disconnect (s->mosq);
  mosquitto_loop_stop (s->mosq, false);
  mosquitto_destroy (s->mosq);
  g_hash_table_unref (s->seen);
  g_hash_table_unref (s->order);
  g_free (s->topic);
  g_mutex_clear (&s->lock);
  g_cond_clear (&s->cond);
  g_free (s);
}

guint
test_subscriber_wait (TestSubscriber * s, guint n, guint timeout_s)
{
  gint64 end = g_get_monotonic_time () + timeout_s * G_TIME_SPAN_SECOND;
  guint got;

  g_mutex_lock (&s->lock);
  while (g_hash_table_size (s->seen) < n)
    if (!g_cond_wait_until (&s->cond, &s->lock, end))
      break;
  got = g_hash_table_size (s->seen);
  g_mutex_unlock (&s->lock);
  return got;
}

guint
test_subscriber_wait_source (TestSubscriber * s, const gchar * source,
    guint n, guint timeout_s)
{
  gint64 end = g_get_monotonic_time () + timeout_s * G_TIME_SPAN_SECOND;
  GArray *order;
  guint got;

  g_mutex_lock (&s->lock);
  for (;;) {
    order = g_hash_table_lookup (s->order, source);
    got = order ? order->len : 0;
    if (got >= n || !g_cond_wait_until (&s->cond, &s->lock, end))
      break;
  }
  order = g_hash_table_lookup (s->order, source);
  got = order ? order->len : 0;
  g_mutex_unlock (&s->lock);
  return got;
}

guint
test_subscriber_received (TestSubscriber * s)
{
  guint n;

  g_mutex_lock (&s->lock);
  n = s->received;
  g_mutex_unlock (&s->lock);
  return n;
}

guint
test_subscriber_duplicates (TestSubscriber * s)
{
  guint n;

  g_mutex_lock (&s->lock);
  n = s->duplicates;
  g_mutex_unlock (&s->lock);
  return n;
}

guint
test_subscriber_malformed (TestSubscriber * s)
{
  guint n;

  g_mutex_lock (&s->lock);
  n = s->malformed;
  g_mutex_unlock (&s->lock);
  return n;
}

gboolean
test_subscriber_has (TestSubscriber * s, const gchar * source,
    guint64 frame, const gchar ** payload)
{
  gchar *key = g_strdup_printf ("%s\n%" G_GUINT64_FORMAT, source, frame);
  const gchar *text;

  g_mutex_lock (&s->lock);
  text = g_hash_table_lookup (s->seen, key);
  g_mutex_unlock (&s->lock);
  g_free (key);
  if (payload)
    *payload = text;
  return text != NULL;
}

GArray *
test_subscriber_order (TestSubscriber * s, const gchar * source)
{
  GArray *order, *copy = g_array_new (FALSE, FALSE, sizeof (guint64));

  g_mutex_lock (&s->lock);
  order = g_hash_table_lookup (s->order, source);
  if (order)
    g_array_append_vals (copy, order->data, order->len);
  g_mutex_unlock (&s->lock);
  return copy;
}
