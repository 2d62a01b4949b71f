/*
 * audit.c - one record per exchange.  Placeholder until the audit log
 * lands (issue 4): conn.c already calls it at the end of every exchange.
 */
#include "daemon.h"

void
audit_exchange_end(struct conn *c)
{
	c->c_audited = 1;
}
