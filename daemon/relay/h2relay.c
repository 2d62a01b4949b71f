/*
 * h2relay.c - buildx's /grpc tunnel relayed call by call (grpc_relay
 * police, docs/buildkit-grpc.md): after the engine's 101, sockwarden
 * speaks HTTP/2 on both connections with libnghttp2, a server session
 * towards the client and a client session towards the engine (engine
 * 20.10 answers 101 and then waits for the client's preface).  This file
 * owns the two sessions: their settings, moving bytes between them and the
 * sockets, and routing libnghttp2's callbacks to the call (h2_call.c),
 * which decides and relays it.  Memory: each session's output is produced
 * only while its socket holds less than SW_RELAY_HIGH_WATER, a side is
 * not read while its own output is above it (its control frames pile up
 * there), and DATA is bounded by the windows sockwarden advertises.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "h2_int.h"

static struct h2call *
h2_call_of(nghttp2_session *s, int32_t sid)
{
	return sid > 0 ? nghttp2_session_get_stream_user_data(s, sid) : NULL;
}

/* ---- the session facing the client (server) */

static int
down_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *arg)
{
	struct h2relay *r = arg;
	struct h2call *k;

	if (f->hd.type != NGHTTP2_HEADERS ||
	    f->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	if ((k = h2call_new(r, f->hd.stream_id)) == NULL)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	nghttp2_session_set_stream_user_data(s, f->hd.stream_id, k);
	return 0;
}

static int
down_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
    size_t nlen, const uint8_t *value, size_t vlen, uint8_t flags, void *arg)
{
	struct h2call *k = h2_call_of(s, f->hd.stream_id);

	if (k == NULL || f->hd.type != NGHTTP2_HEADERS ||
	    f->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;	/* client trailers: gRPC sends none */
	/* over the bound: the stream is reset, nothing went up yet */
	return h2call_header(k, &k->req, name, nlen, value, vlen) == 0 ? 0 :
	    NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

static int
down_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *arg)
{
	struct h2call *k = h2_call_of(s, f->hd.stream_id);

	if (k == NULL)
		return 0;
	if (f->hd.type == NGHTTP2_HEADERS &&
	    f->headers.cat == NGHTTP2_HCAT_REQUEST)
		h2call_head_done(k);
	if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) &&
	    (f->hd.flags & NGHTTP2_FLAG_END_STREAM))
		h2call_client_end(k);
	return 0;
}

static int
down_data(nghttp2_session *s, uint8_t flags, int32_t sid, const uint8_t *d,
    size_t len, void *arg)
{
	struct h2call *k = h2_call_of(s, sid);

	if (k == NULL) {
		nghttp2_session_consume(s, sid, len);
		return 0;
	}
	h2call_client_data(k, d, len);
	return 0;
}

static int
down_stream_close(nghttp2_session *s, int32_t sid, uint32_t err, void *arg)
{
	struct h2call *k = h2_call_of(s, sid);

	if (k != NULL)
		h2call_client_closed(k, err);
	return 0;
}

/* ---- the session facing the engine (client) */

static int
up_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
    size_t nlen, const uint8_t *value, size_t vlen, uint8_t flags, void *arg)
{
	struct h2call *k = h2_call_of(s, f->hd.stream_id);

	if (k == NULL || f->hd.type != NGHTTP2_HEADERS)
		return 0;
	if (h2_hop_header(name, nlen))
		return 0;
	return h2call_header(k, f->headers.cat == NGHTTP2_HCAT_HEADERS ?
	    &k->trl : &k->resp, name, nlen, value, vlen) == 0 ? 0 :
	    NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

static int
up_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *arg)
{
	struct h2call *k = h2_call_of(s, f->hd.stream_id);
	int end = (f->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;

	if (k == NULL)
		return 0;
	if (f->hd.type == NGHTTP2_HEADERS &&
	    f->headers.cat == NGHTTP2_HCAT_RESPONSE)
		h2call_engine_headers(k, end);
	else if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type ==
	    NGHTTP2_DATA) && end)
		h2call_engine_end(k);
	return 0;
}

static int
up_data(nghttp2_session *s, uint8_t flags, int32_t sid, const uint8_t *d,
    size_t len, void *arg)
{
	struct h2call *k = h2_call_of(s, sid);

	if (k == NULL) {
		nghttp2_session_consume(s, sid, len);
		return 0;
	}
	h2call_engine_data(k, d, len);
	return 0;
}

static int
up_stream_close(nghttp2_session *s, int32_t sid, uint32_t err, void *arg)
{
	struct h2call *k = h2_call_of(s, sid);

	if (k != NULL)
		h2call_engine_closed(k, err);
	return 0;
}

/* ---- set-up */

static int
h2_session(struct h2relay *r, int server)
{
	nghttp2_settings_entry iv[4];
	nghttp2_session_callbacks *cb;
	nghttp2_option *opt;
	nghttp2_session **sp = server ? &r->down : &r->up;
	size_t niv = 0;
	int rv;

	if (nghttp2_session_callbacks_new(&cb) != 0)
		return -1;
	if (nghttp2_option_new(&opt) != 0) {
		nghttp2_session_callbacks_del(cb);
		return -1;
	}
	/* window updates only once the other side took the bytes */
	nghttp2_option_set_no_auto_window_update(opt, 1);
	if (server) {
		nghttp2_session_callbacks_set_on_begin_headers_callback(cb,
		    down_begin_headers);
		nghttp2_session_callbacks_set_on_header_callback(cb,
		    down_header);
		nghttp2_session_callbacks_set_on_frame_recv_callback(cb,
		    down_frame_recv);
		nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb,
		    down_data);
		nghttp2_session_callbacks_set_on_stream_close_callback(cb,
		    down_stream_close);
		rv = nghttp2_session_server_new2(sp, cb, r, opt);
		iv[niv++] = (nghttp2_settings_entry){
		    NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, H2_MAX_STREAMS };
		iv[niv++] = (nghttp2_settings_entry){
		    NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, H2_MAX_HEADER_BYTES };
	} else {
		nghttp2_session_callbacks_set_on_header_callback(cb,
		    up_header);
		nghttp2_session_callbacks_set_on_frame_recv_callback(cb,
		    up_frame_recv);
		nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb,
		    up_data);
		nghttp2_session_callbacks_set_on_stream_close_callback(cb,
		    up_stream_close);
		rv = nghttp2_session_client_new2(sp, cb, r, opt);
		iv[niv++] = (nghttp2_settings_entry){
		    NGHTTP2_SETTINGS_ENABLE_PUSH, 0 };
	}
	nghttp2_session_callbacks_del(cb);
	nghttp2_option_del(opt);
	if (rv != 0)
		return -1;
	iv[niv++] = (nghttp2_settings_entry){
	    NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, H2_STREAM_WINDOW };
	if (nghttp2_submit_settings(*sp, NGHTTP2_FLAG_NONE, iv, niv) != 0 ||
	    nghttp2_session_set_local_window_size(*sp, NGHTTP2_FLAG_NONE, 0,
	    H2_CONN_WINDOW) != 0)
		return -1;
	return 0;
}

void
h2relay_free(struct h2relay *r)
{
	struct h2call *k;

	if (r == NULL)
		return;
	/* sessions first: they hold the calls as stream user data */
	nghttp2_session_del(r->down);
	nghttp2_session_del(r->up);
	r->down = r->up = NULL;
	while ((k = TAILQ_FIRST(&r->calls)) != NULL)
		h2call_free(k);
	free(r);
}

/* ---- bytes */

/* Output of one session to its socket, up to the high watermark. */
static int
h2_send(nghttp2_session *s, struct sock *to)
{
	struct evbuffer *out = sock_output(to);
	const uint8_t *data;
	ssize_t n;

	while (evbuffer_get_length(out) < SW_RELAY_HIGH_WATER) {
		if ((n = nghttp2_session_mem_send(s, &data)) < 0)
			return -1;
		if (n == 0)
			break;
		if (evbuffer_add(out, data, (size_t)n) != 0)
			return -1;
	}
	return 0;
}

/*
 * Write what both sessions have, then decide who may be read, and whether
 * the tunnel is over (both sessions done: GOAWAY both ways, or a fatal
 * error on one).
 */
static void
h2_flush(struct conn *c)
{
	struct h2relay *r = c->c_h2;
	size_t before = evbuffer_get_length(sock_output(c->c_client));

	if (h2_send(r->up, c->c_up) != 0 || h2_send(r->down, c->c_client) != 0) {
		conn_close(c, "HTTP/2 relay: out of memory or session error");
		return;
	}
	c->c_bytes_out += evbuffer_get_length(sock_output(c->c_client)) - before;
	sock_read(c->c_client, !c->c_client_eof &&
	    evbuffer_get_length(sock_output(c->c_client)) < SW_RELAY_HIGH_WATER);
	sock_read(c->c_up, !c->c_up_eof &&
	    evbuffer_get_length(sock_output(c->c_up)) < SW_RELAY_HIGH_WATER);
	if (!nghttp2_session_want_read(r->down) &&
	    !nghttp2_session_want_write(r->down)) {
		/* the client side is finished: what is queued goes out */
		conn_close_after_flush(c);
		return;
	}
	if (!nghttp2_session_want_read(r->up) &&
	    !nghttp2_session_want_write(r->up)) {
		/* the engine went away: tell the client, then close */
		nghttp2_submit_goaway(r->down, NGHTTP2_FLAG_NONE,
		    nghttp2_session_get_last_proc_stream_id(r->down),
		    NGHTTP2_NO_ERROR, NULL, 0);
		(void)h2_send(r->down, c->c_client);
		conn_close_after_flush(c);
	}
}

static int
h2_recv(struct conn *c, nghttp2_session *s, struct evbuffer *in)
{
	struct evbuffer_iovec iv;
	ssize_t n;

	while (evbuffer_peek(in, -1, NULL, &iv, 1) > 0 && iv.iov_len > 0) {
		n = nghttp2_session_mem_recv(s, iv.iov_base, iv.iov_len);
		if (n < 0) {
			log_info("conn %" PRIu64 ": HTTP/2 from the %s: %s",
			    c->c_id, s == c->c_h2->down ? "client" : "engine",
			    nghttp2_strerror((int)n));
			return -1;
		}
		evbuffer_drain(in, (size_t)n);
		if (c->c_state != CONN_H2)
			return -1;
	}
	return 0;
}

void
h2relay_input(struct conn *c, int from_up)
{
	struct sock *s = from_up ? c->c_up : c->c_client;
	size_t n = evbuffer_get_length(sock_input(s));

	if (!from_up)
		c->c_bytes_in += n;
	if (h2_recv(c, from_up ? c->c_h2->up : c->c_h2->down,
	    sock_input(s)) != 0) {
		if (c->c_state == CONN_H2) {
			/* a protocol error: the session said so (GOAWAY) */
			(void)h2_send(from_up ? c->c_h2->up : c->c_h2->down, s);
			conn_close_after_flush(c);
		}
		return;
	}
	h2_flush(c);
}

void
h2relay_pump(struct conn *c)
{
	if (c->c_up == NULL)
		return;
	h2_flush(c);
}

void
h2relay_eof(struct conn *c, int from_up)
{
	if (from_up) {
		c->c_up_eof = 1;
		h2relay_input(c, 1);
		if (c->c_state != CONN_H2)
			return;
		nghttp2_submit_goaway(c->c_h2->down, NGHTTP2_FLAG_NONE,
		    nghttp2_session_get_last_proc_stream_id(c->c_h2->down),
		    NGHTTP2_NO_ERROR, NULL, 0);
		(void)h2_send(c->c_h2->down, c->c_client);
		conn_close_after_flush(c);
		return;
	}
	/* the client is gone: nothing it asked for matters any more */
	conn_close(c, "client closed the HTTP/2 tunnel");
}

/*
 * The engine switched to HTTP/2: bytes the client sent after its POST (its
 * preface) were held and are the server session's first input; what the
 * engine sent after its 101 (its SETTINGS) the client session's.
 */
void
h2relay_start(struct conn *c)
{
	struct h2relay *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		conn_close(c, "out of memory");
		return;
	}
	r->c = c;
	TAILQ_INIT(&r->calls);
	c->c_h2 = r;
	conn_set_state(c, CONN_H2);
	if (h2_session(r, 1) != 0 || h2_session(r, 0) != 0) {
		conn_close(c, "HTTP/2 relay: cannot set up sessions");
		return;
	}
	log_debug("conn %" PRIu64 ": /grpc switched to HTTP/2, each call "
	    "decided", c->c_id);
	sock_read(c->c_client, 1);
	if (evbuffer_get_length(sock_input(c->c_up)) > 0) {
		h2relay_input(c, 1);
		if (c->c_state != CONN_H2)
			return;
	}
	if (evbuffer_get_length(sock_input(c->c_client)) > 0)
		h2relay_input(c, 0);
	else
		h2_flush(c);
}
