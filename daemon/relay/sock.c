/*
 * sock.c - a lean buffered socket for the relay, in place of libevent's
 * bufferevent.  Why: bufferevents in libevent 2.1 read at most 4 KiB per
 * call, ask FIONREAD before every read, and switch write interest on and
 * off in epoll around every response -- three syscalls a request and a
 * 4 KiB ceiling on stream throughput.  Here reads are sized adaptively
 * (4 KiB to 128 KiB) into the input evbuffer, and queued output is written
 * from the event loop's active queue (event_active, no epoll_ctl); write
 * interest is armed in epoll only when the socket would block.
 *
 * Callbacks mirror bufferevent's: read (new input), write (output drained
 * to the low watermark, 0 unless set) and event (EOF, ERROR, TIMEOUT).  A
 * read high watermark suspends reading until the consumer drains the
 * input.  sock_kick() runs the read callback from the loop without new
 * input, for work the consumer held back.  The sock owns its fd.  It does
 * not parse anything.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event_struct.h>

#include "daemon.h"

#define SOCK_READ_MIN	(4 * 1024)
#define SOCK_READ_MAX	(128 * 1024)

struct sock {
	int			 fd;
	struct event		 ev_read;	/* persistent while reading */
	struct event		 ev_write;	/* armed only when blocked */
	struct evbuffer		*in, *out;
	struct evbuffer_cb_entry *in_cb, *out_cb;
	sock_cb			 readcb, writecb;
	sock_event_cb		 eventcb;
	void			*arg;
	size_t			 high;		/* read high watermark, 0: none */
	size_t			 low;		/* writecb once output <= low */
	size_t			 read_hint;	/* next read size */
	size_t			 read_cap;	/* at most this per read, 0: none */
	struct sock_retry	*retry;		/* a connect tried again */
	unsigned		 reading:1;	/* consumer wants reads */
	unsigned		 read_added:1;	/* ev_read is in epoll */
	unsigned		 connecting:1;
	unsigned		 write_pending:1; /* ev_write active or added */
	unsigned		 dead:1;	/* EOF or error seen */
	unsigned		 kicked:1;	/* sock_kick() pending */
};

static void
sock_update_read(struct sock *s)
{
	int live = s->reading && !s->dead && !s->connecting;
	int want = live && (s->high == 0 || evbuffer_get_length(s->in) < s->high);
	int e = errno;

	if (want && !s->read_added) {
		event_add(&s->ev_read, NULL);
		s->read_added = 1;
	} else if (!want && s->read_added) {
		event_del(&s->ev_read);
		s->read_added = 0;
	}
	/* Watch the input draining only while the watermark holds us. */
	if (live && !want)
		evbuffer_cb_set_flags(s->in, s->in_cb, EVBUFFER_CB_ENABLED);
	else
		evbuffer_cb_clear_flags(s->in, s->in_cb, EVBUFFER_CB_ENABLED);
	errno = e;
}

static void
sock_in_drained(struct evbuffer *b, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct sock *s = arg;

	if (info->n_deleted > 0)
		sock_update_read(s);
}

/* New output: write it from the active queue, no syscall to arm. */
/* Bytes queued in every sock's output: the relay's memory budget. */
static size_t sock_queued_bytes;

size_t
sock_queued(void)
{
	return sock_queued_bytes;
}

static void
sock_out_added(struct evbuffer *b, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct sock *s = arg;

	sock_queued_bytes += info->n_added;
	sock_queued_bytes -= info->n_deleted;
	if (info->n_added > 0 && !s->write_pending && !s->connecting) {
		s->write_pending = 1;
		event_active(&s->ev_write, EV_WRITE, 1);
	}
}

/* The socket is finished: stop reading and tell the owner (last call). */
static void
sock_fail(struct sock *s, short what)
{
	int e = errno;

	s->dead = 1;
	sock_update_read(s);
	errno = e;
	s->eventcb(s, what, s->arg);
}

static void
sock_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct sock *s = arg;
	struct evbuffer_iovec v[2];
	size_t want;
	ssize_t n;
	int nv;

	if (s->kicked) {
		/* A level-triggered read event comes back for real input. */
		s->kicked = 0;
		s->readcb(s, s->arg);
		return;
	}

	want = s->read_cap != 0 && s->read_cap < s->read_hint ? s->read_cap :
	    s->read_hint;
	nv = evbuffer_reserve_space(s->in, (ev_ssize_t)want, v, 2);
	if (nv < 0) {
		sock_fail(s, SOCK_ERROR | SOCK_READING);
		return;
	}
	/* the reservation may be larger: read no more than asked */
	if (v[0].iov_len >= want) {
		v[0].iov_len = want;
		nv = 1;
	} else if (nv == 2 && v[0].iov_len + v[1].iov_len > want) {
		v[1].iov_len = want - v[0].iov_len;
	}
	n = readv(s->fd, (struct iovec *)v, nv);
	if (n < 0) {
		evbuffer_commit_space(s->in, v, 0);
		if (errno == EAGAIN || errno == EINTR)
			return;
		sock_fail(s, SOCK_ERROR | SOCK_READING);
		return;
	}
	if (n == 0) {
		evbuffer_commit_space(s->in, v, 0);
		sock_fail(s, SOCK_EOF | SOCK_READING);
		return;
	}
	/* commit exactly n bytes over the iovecs */
	if ((size_t)n <= v[0].iov_len) {
		v[0].iov_len = (size_t)n;
		nv = 1;
	} else {
		v[1].iov_len = (size_t)n - v[0].iov_len;
	}
	evbuffer_commit_space(s->in, v, nv);
	/* Adapt: a full read means more is waiting; a short one, less. */
	if ((size_t)n == s->read_hint && s->read_hint < SOCK_READ_MAX)
		s->read_hint *= 2;
	else if ((size_t)n < s->read_hint / 4 && s->read_hint > SOCK_READ_MIN)
		s->read_hint /= 2;
	if (s->high != 0 && evbuffer_get_length(s->in) >= s->high)
		sock_update_read(s);
	s->readcb(s, s->arg);
}

static void
sock_on_write(evutil_socket_t fd, short what, void *arg)
{
	struct sock *s = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	if (s->connecting) {
		if (what & EV_TIMEOUT) {
			s->dead = 1;
			s->connecting = 0;
			errno = ETIMEDOUT;
			s->eventcb(s, SOCK_ERROR | SOCK_TIMEOUT, s->arg);
			return;
		}
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err == EINPROGRESS)
			return;
		s->connecting = 0;
		s->write_pending = 0;
		if (err != 0) {
			s->dead = 1;
			errno = err;
			s->eventcb(s, SOCK_ERROR, s->arg);
			return;
		}
		/* connected: no callback (the caller queued its request
		 * already); go on writing it */
		sock_update_read(s);
		if (evbuffer_get_length(s->out) == 0)
			return;
	}
	s->write_pending = 0;
	while (evbuffer_get_length(s->out) > 0) {
		int n = evbuffer_write_atmost(s->out, s->fd, -1);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			sock_fail(s, SOCK_ERROR | SOCK_WRITING);
			return;
		}
		if (n == 0)
			break;
	}
	if (evbuffer_get_length(s->out) > 0) {
		/* blocked: now, and only now, ask epoll */
		s->write_pending = 1;
		event_add(&s->ev_write, NULL);
		/* below the low mark the producer may refill while we wait,
		 * so the pipe never runs dry */
		if (evbuffer_get_length(s->out) <= s->low)
			s->writecb(s, s->arg);
		return;
	}
	if (event_pending(&s->ev_write, EV_WRITE, NULL))
		event_del(&s->ev_write);
	s->writecb(s, s->arg);
}

/*
 * A Unix-socket connect refused with EAGAIN: the engine's listen backlog
 * is full.  A blocking client would wait in connect(); this one tries
 * again on a timer (5 ms, doubling to 100 ms) until its connect time-out.
 */
struct sock_retry {
	struct event		*ev;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	struct timespec		 until;
	unsigned		 wait_ms;
};

static void
sock_retry_free(struct sock *s)
{
	if (s->retry == NULL)
		return;
	event_free(s->retry->ev);
	free(s->retry);
	s->retry = NULL;
}

static void
sock_on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct sock *s = arg;
	struct sock_retry *r = s->retry;
	struct timespec now;
	struct timeval tv;
	int e;

	if (connect(s->fd, (const struct sockaddr *)&r->ss, r->len) == 0 ||
	    errno == EISCONN) {
		sock_retry_free(s);
		/* connected: sock_on_write finds no error and writes */
		event_active(&s->ev_write, EV_WRITE, 1);
		return;
	}
	e = errno;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (e != EAGAIN || now.tv_sec > r->until.tv_sec ||
	    (now.tv_sec == r->until.tv_sec && now.tv_nsec >= r->until.tv_nsec)) {
		sock_retry_free(s);
		s->dead = 1;
		s->connecting = 0;
		errno = e == EAGAIN ? ETIMEDOUT : e;
		s->eventcb(s, e == EAGAIN ? SOCK_ERROR | SOCK_TIMEOUT :
		    SOCK_ERROR, s->arg);
		return;
	}
	if (r->wait_ms < 100)
		r->wait_ms *= 2;
	tv.tv_sec = 0;
	tv.tv_usec = (suseconds_t)r->wait_ms * 1000;
	evtimer_add(r->ev, &tv);
}

int
sock_connect_later(struct sock *s, const struct sockaddr *sa, socklen_t len,
    unsigned timeout_ms)
{
	struct sock_retry *r;
	struct timeval tv = { 0, 5000 };

	if (len > sizeof(r->ss) || (r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	if ((r->ev = evtimer_new(event_get_base(&s->ev_write), sock_on_retry,
	    s)) == NULL) {
		free(r);
		return -1;
	}
	memcpy(&r->ss, sa, len);
	r->len = len;
	r->wait_ms = 5;
	clock_gettime(CLOCK_MONOTONIC, &r->until);
	r->until.tv_sec += timeout_ms / 1000;
	r->until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (r->until.tv_nsec >= 1000000000) {
		r->until.tv_sec++;
		r->until.tv_nsec -= 1000000000;
	}
	s->retry = r;
	/* no write event until connected: an unconnected socket polls
	 * writable */
	event_del(&s->ev_write);
	s->connecting = 1;
	s->write_pending = 1;
	evtimer_add(r->ev, &tv);
	return 0;
}

struct sock *
sock_new(struct event_base *base, int fd, unsigned connect_timeout_ms)
{
	struct sock *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->fd = fd;
	s->read_hint = SOCK_READ_MIN;
	s->in = evbuffer_new();
	s->out = evbuffer_new();
	if (s->in == NULL || s->out == NULL)
		goto fail;
	s->in_cb = evbuffer_add_cb(s->in, sock_in_drained, s);
	s->out_cb = evbuffer_add_cb(s->out, sock_out_added, s);
	if (s->in_cb == NULL || s->out_cb == NULL)
		goto fail;
	evbuffer_cb_clear_flags(s->in, s->in_cb, EVBUFFER_CB_ENABLED);
	event_assign(&s->ev_read, base, fd, EV_READ | EV_PERSIST, sock_on_read, s);
	event_assign(&s->ev_write, base, fd, EV_WRITE, sock_on_write, s);
	if (connect_timeout_ms > 0) {
		struct timeval tv = { connect_timeout_ms / 1000,
		    (connect_timeout_ms % 1000) * 1000 };
		s->connecting = 1;
		s->write_pending = 1;
		event_add(&s->ev_write, &tv);
	}
	return s;
fail:
	if (s->in != NULL)
		evbuffer_free(s->in);
	if (s->out != NULL)
		evbuffer_free(s->out);
	free(s);
	return NULL;
}

void
sock_setcb(struct sock *s, sock_cb readcb, sock_cb writecb,
    sock_event_cb eventcb, void *arg)
{
	s->readcb = readcb;
	s->writecb = writecb;
	s->eventcb = eventcb;
	s->arg = arg;
}

void
sock_set_read_high(struct sock *s, size_t high)
{
	s->high = high;
	sock_update_read(s);
}

/* At most n bytes per read (0: the adaptive size alone). */
void
sock_set_read_cap(struct sock *s, size_t n)
{
	s->read_cap = n;
}

void
sock_set_write_low(struct sock *s, size_t low)
{
	s->low = low;
}

void
sock_read(struct sock *s, int on)
{
	s->reading = on ? 1 : 0;
	sock_update_read(s);
}

void
sock_kick(struct sock *s)
{
	if (s->kicked)
		return;
	s->kicked = 1;
	event_active(&s->ev_read, EV_READ, 1);
}

struct evbuffer *
sock_input(struct sock *s)
{
	return s->in;
}

struct evbuffer *
sock_output(struct sock *s)
{
	return s->out;
}

int
sock_fd(const struct sock *s)
{
	return s->fd;
}

void
sock_free(struct sock *s)
{
	if (s == NULL)
		return;
	event_del(&s->ev_read);
	event_del(&s->ev_write);
	sock_retry_free(s);
	evbuffer_free(s->in);
	sock_queued_bytes -= evbuffer_get_length(s->out);
	evbuffer_free(s->out);
	close(s->fd);
	free(s);
}
