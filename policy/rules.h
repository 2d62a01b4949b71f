/*
 * rules.h - the field rules of JSON bodies, called by body.c after the
 * schema walk has proven every member known, typed and unambiguous.  So the
 * accessors below trust types and never see duplicate fields.
 */
#ifndef SW_RULES_H
#define SW_RULES_H

#include "json.h"
#include "policy_int.h"

/* rules_container.c */
int	 rules_create(struct eval *, const struct jdoc *, uint32_t root);
int	 rules_update(struct eval *, const struct jdoc *, uint32_t root);
/* rules_host.c: HostConfig and the Resources shared with update */
int	 rules_hostconfig(struct eval *, const struct jdoc *, uint32_t hc);
int	 rules_resources(struct eval *, const struct jdoc *, uint32_t obj,
	    const char *prefix);
int	 rules_endpoint(struct eval *, const struct jdoc *, uint32_t ep,
	    const char *path);
/* rules_other.c */
int	 rules_exec_create(struct eval *, const struct jdoc *, uint32_t root);
int	 rules_volume_create(struct eval *, const struct jdoc *,
	    uint32_t root);
int	 rules_network_create(struct eval *, const struct jdoc *,
	    uint32_t root);
int	 rules_user(struct eval *, const char *user, size_t len,
	    int empty_is_root, const char *path);
int	 rules_workdir(struct eval *, const char *dir, size_t len,
	    const char *path);
int	 rules_env(struct eval *, const struct jdoc *, uint32_t obj,
	    const char *path);

#endif /* SW_RULES_H */
