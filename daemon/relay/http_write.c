/*
 * http_write.c - what sockwarden itself writes on the wire: the canonical
 * request head sent upstream (re-serialized from the parsed request, never
 * the client's raw bytes) and its own JSON error responses.
 * It does not relay engine responses; conn.c forwards those unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "daemon.h"

/* Hop-by-hop and framing headers: sockwarden sets its own. */
static const char *const hop_headers[] = {
	"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding",
	"Content-Length", "Expect", "Upgrade", "TE", "Trailer",
	"HTTP2-Settings", "Proxy-Authorization",
};

static int
http_is_hop(const struct policy_header *h)
{
	for (size_t i = 0; i < sizeof(hop_headers) / sizeof(hop_headers[0]); i++)
		if (strlen(hop_headers[i]) == h->name_len &&
		    strncasecmp(h->name, hop_headers[i], h->name_len) == 0)
			return 1;
	return 0;
}

/*
 * The head is assembled in one buffer and added to the output at once: one
 * copy and one output callback per request, not one per header.  The
 * buffer is on the stack unless the head is unusually large.
 */
int
http_write_request(struct evbuffer *out, const struct http_request *req,
    const char *target, enum body_framing framing, size_t length, int upgrade)
{
	char stack[8192], *head = stack, *p;
	size_t need = strlen(req->method) + strlen(target) + 160;
	int rc;

	for (size_t i = 0; i < req->nhdrs; i++)
		need += req->hdrs[i].name_len + req->hdrs[i].value_len + 4;
	if (req->upgrade != NULL)
		need += req->upgrade_len;
	if (need > sizeof(stack) && (head = malloc(need)) == NULL)
		return -1;

#define PUT(s, n)	(memcpy(p, (s), (n)), p += (n))
#define PUTS(lit)	PUT(lit, sizeof(lit) - 1)
	p = head;
	PUT(req->method, strlen(req->method));
	PUTS(" ");
	PUT(target, strlen(target));
	PUTS(" HTTP/1.1\r\n");
	for (size_t i = 0; i < req->nhdrs; i++) {
		const struct policy_header *h = &req->hdrs[i];
		if (http_is_hop(h))
			continue;
		PUT(h->name, h->name_len);
		PUTS(": ");
		PUT(h->value, h->value_len);
		PUTS("\r\n");
	}
	if (upgrade && req->upgrade != NULL) {
		PUTS("Connection: Upgrade\r\nUpgrade: ");
		PUT(req->upgrade, req->upgrade_len);
		PUTS("\r\n");
	}
	switch (framing) {
	case BODY_NONE:
		if (strcmp(req->method, "POST") == 0 ||
		    strcmp(req->method, "PUT") == 0)
			PUTS("Content-Length: 0\r\n");
		break;
	case BODY_LENGTH:
		p += sprintf(p, "Content-Length: %zu\r\n", length);
		break;
	case BODY_CHUNKED:
		PUTS("Transfer-Encoding: chunked\r\n");
		break;
	}
	PUTS("\r\n");
#undef PUT
#undef PUTS
	rc = evbuffer_add(out, head, (size_t)(p - head));
	if (head != stack)
		free(head);
	return rc;
}

const char *
http_status_text(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 417: return "Expectation Failed";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default:  return "Error";
	}
}

/* JSON-escape msg into out (always valid UTF-8/ASCII JSON). */
static void
http_json_escape(const char *msg, char *out, size_t outlen)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)msg;
	    *p != '\0' && o + 7 < outlen; p++) {
		if (*p == '"' || *p == '\\') {
			out[o++] = '\\';
			out[o++] = (char)*p;
		} else if (*p < 0x20 || *p >= 0x7f) {
			o += (size_t)snprintf(out + o, outlen - o, "\\u%04x", *p);
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o] = '\0';
}

int
http_write_error(struct evbuffer *out, int status, const char *message,
    int close)
{
	char esc[2048];
	int n;

	http_json_escape(message, esc, sizeof(esc));
	n = (int)strlen(esc) + 15;	/* {"message":""}\n */
	return evbuffer_add_printf(out,
	    "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %d\r\n"
	    "%s"
	    "\r\n"
	    "{\"message\":\"%s\"}\n",
	    status, http_status_text(status), n,
	    close ? "Connection: close\r\n" : "", esc) < 0 ? -1 : 0;
}
