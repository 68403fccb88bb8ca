#include "wipe/firmware/purge_wipe.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "wipe/firmware/transport.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static enum kesu_rc read_psid(struct kesu_purge_wipe_opts *p, struct kesu_err *err)
{
	FILE *f = fopen(p->psid_file, "re");
	if (!f)
		return kesu_fail(err, KESU_ERR_NOENT, errno, "cannot read the PSID file %s: %s",
				 p->psid_file, strerror(errno));
	char line[256] = "";
	bool ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	size_t n = strlen(line);
	bool clean = ok && n > 0;
	for (size_t i = 0; i < n && clean; i++)
		clean = line[i] > ' ' && line[i] < 0x7F;
	if (!clean)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "the PSID file %s must hold the PSID from the drive label on its first line",
				 p->psid_file);
	kesu_strlcpy(p->psid, line, sizeof(p->psid));
	explicit_bzero(line, sizeof(line));
	return KESU_OK;
}

enum kesu_rc kesu_purge_wipe_select(struct kesu_purge_wipe_opts *p, const char *name,
				    const struct kesu_method **then, bool *is_purge,
				    struct kesu_err *err)
{
	*then = NULL;
	*is_purge = name && kesu_purge_method_find(name) != NULL;
	if (!*is_purge) {
		if (p->allow_usb_bridge || p->unlock_hidden || p->psid_file || p->then)
			return kesu_fail(err, KESU_ERR_USAGE, 0,
					 "--allow-usb-bridge, --unlock-hidden, --psid-file and --then go with a firmware purge method (see 'kesu methods')");
		return KESU_OK;
	}
	p->method = name;
	if (p->then) {
		*then = kesu_method_find(p->then);
		if (!*then)
			return kesu_fail(err, KESU_ERR_USAGE, 0,
					 "--then needs an overwrite method from 'kesu methods', not '%s'",
					 p->then);
	}
	if (p->psid_file)
		return read_psid(p, err);
	return KESU_OK;
}

enum kesu_rc kesu_purge_wipe_init(struct kesu_wipe *w, const struct kesu_purge_wipe_opts *p,
				  const struct kesu_method *then, struct kesu_err *err)
{
	const struct kesu_purge_method *pm = kesu_purge_method_find(p->method);
	if (then) {
		enum kesu_rc rc = kesu_wipe_init(w, then, then->verify, err);
		if (rc != KESU_OK)
			return rc;
		char name[128];
		snprintf(name, sizeof(name), "%s+%s", pm->name, then->name);
		kesu_strlcpy(w->method.name, name, sizeof(w->method.name));
	} else {
		memset(w, 0, sizeof(*w));
		snprintf(w->method.name, sizeof(w->method.name), "%s", pm->name);
		w->method.npasses = 0;
		w->verify = KESU_VERIFY_SAMPLE;
		for (size_t i = 0; i < KESU_PASSES_MAX; i++)
			w->passes[i].verified = -1;
		if (getrandom(&w->sample_seed, sizeof(w->sample_seed), 0) !=
		    (ssize_t)sizeof(w->sample_seed))
			return kesu_fail(err, KESU_ERR_INTERNAL, errno, "getrandom failed");
		w->phase = KESU_PHASE_WRITE;
		w->result = KESU_RESULT_FAILED;
		w->verify_outcome = KESU_VERIFY_INCOMPLETE;
	}
	w->method.description = pm->description;
	w->method.category = KESU_NIST_PURGE;
	w->method.technique = pm->technique;
	return KESU_OK;
}

struct prog_ud {
	kesu_progress_fn fn;
	void *ud;
	uint64_t size;
	time_t t0;
};

static void on_purge_progress(void *ctx, const char *phase, double f)
{
	struct prog_ud *u = ctx;
	if (!u->fn)
		return;
	struct kesu_progress p = {0};
	p.pass = 1;
	p.npasses = 1;
	/* A chain's phases are "step I/N METHOD: PHASE": show its steps as
	 * passes. */
	unsigned si, sn;
	if (sscanf(phase, "step %u/%u", &si, &sn) == 2 && si >= 1 && si <= sn) {
		p.pass = si;
		p.npasses = sn;
	}
	size_t pl = strlen(phase);
	p.phase = pl >= 6 && !strcmp(phase + pl - 6, "verify") ? KESU_PHASE_VERIFY
							       : KESU_PHASE_WRITE;
	p.phase_total = u->size;
	p.phase_done = (uint64_t)(f * (double)u->size);
	p.total = u->size;
	p.done = p.phase_done;
	p.elapsed_s = difftime(time(NULL), u->t0);
	p.run_done = p.done;
	u->fn(&p, u->ud);
}

static struct kesu_purge_opts purge_opts(const struct kesu_purge_wipe_opts *p)
{
	return (struct kesu_purge_opts){
		.allow_usb_bridge = p->allow_usb_bridge,
		.unlock_hidden = p->unlock_hidden,
		.psid = p->psid[0] ? p->psid : NULL,
	};
}

void kesu_nvme_sibling_namespaces(const char *block_dir, const char *name, char *out,
				  size_t outsz)
{
	out[0] = '\0';
	/* "nvme0n1" -> prefix "nvme0n" */
	const char *n = strrchr(name, 'n');
	if (strncmp(name, "nvme", 4) || !n || n == name + 3)
		return;
	size_t plen = (size_t)(n - name) + 1;
	DIR *d = opendir(block_dir);
	if (!d)
		return;
	struct dirent *e;
	size_t o = 0;
	while ((e = readdir(d))) {
		const char *x = e->d_name;
		if (strncmp(x, name, plen) || !strcmp(x, name) || !x[plen])
			continue;
		bool digits = true;
		for (const char *c = x + plen; *c; c++)
			digits = digits && isdigit((unsigned char)*c);
		if (!digits)
			continue;
		int w = snprintf(out + o, outsz - o, "%s%s", o ? " " : "", x);
		if (w < 0 || (size_t)w >= outsz - o)
			break;
		o += (size_t)w;
	}
	closedir(d);
}

enum kesu_rc kesu_purge_wipe_precheck(const struct kesu_identity *id,
				      const struct kesu_purge_wipe_opts *p,
				      struct kesu_err *err)
{
	struct kesu_transport *tr = NULL;
	enum kesu_rc rc = kesu_transport_open(id->path, &tr, err);
	if (rc != KESU_OK)
		return kesu_err_prefix(err, "%s: ", p->method);
	struct kesu_caps caps;
	rc = kesu_caps_probe(tr, !strcmp(id->transport, "usb"), id->rotational, &caps, err);
	kesu_transport_close(tr);
	if (rc != KESU_OK)
		return rc;
	struct kesu_purge_opts o = purge_opts(p);
	const struct kesu_purge_method *m = NULL;
	rc = kesu_purge_precheck(&caps, p->method, &o, &m, NULL, 0, err);
	if (rc != KESU_OK)
		return rc;
	/* The gate checked this namespace only; Sanitize (and Format where
	 * FNA says so) reaches every namespace of the controller. */
	struct kesu_purge_plan plan;
	kesu_purge_plan(m, &caps, 0, &plan);
	if (plan.all_namespaces) {
		char sib[256];
		kesu_nvme_sibling_namespaces("/sys/block", id->name, sib, sizeof(sib));
		if (sib[0])
			return kesu_fail(err, KESU_ERR_REFUSED, 0,
					 "%s: %s would also erase the controller's other namespace(s) %s, which kesu has not checked; wipe them by name or detach them first",
					 id->path, m->name, sib);
	}
	return KESU_OK;
}

enum kesu_rc kesu_purge_wipe_run(const struct kesu_identity *id, struct kesu_target *t,
				 const struct kesu_purge_wipe_opts *p, struct kesu_wipe *w,
				 json_t **firmware, kesu_progress_fn fn, void *ud,
				 atomic_int *stop, struct kesu_err *err)
{
	struct kesu_transport *tr = NULL;
	*firmware = NULL;
	enum kesu_rc rc = kesu_transport_open(id->path, &tr, err);
	if (rc != KESU_OK) {
		w->started_at = w->ended_at = time(NULL);
		w->result = KESU_RESULT_FAILED;
		kesu_strlcpy(w->reason, err->msg, sizeof(w->reason));
		return rc;
	}
	rc = kesu_purge_wipe_run_on(tr, id, t, p, w, firmware, fn, ud, stop, err);
	kesu_transport_close(tr);
	return rc;
}

enum kesu_rc kesu_purge_wipe_run_on(struct kesu_transport *tr, const struct kesu_identity *id,
				    struct kesu_target *t, const struct kesu_purge_wipe_opts *p,
				    struct kesu_wipe *w, json_t **firmware, kesu_progress_fn fn,
				    void *ud, atomic_int *stop, struct kesu_err *err)
{
	*firmware = NULL;
	w->started_at = time(NULL);
	struct kesu_caps caps;
	enum kesu_rc rc = kesu_caps_probe(tr, !strcmp(id->transport, "usb"), id->rotational,
					  &caps, err);
	struct kesu_purge_result r;
	memset(&r, 0, sizeof(r));
	if (rc == KESU_OK) {
		struct prog_ud u = {fn, ud, t->size, time(NULL)};
		struct kesu_purge_opts o = purge_opts(p);
		o.seed = w->sample_seed;
		o.progress = on_purge_progress;
		o.progress_ctx = &u;
		o.stop = stop;
		rc = kesu_purge_run(tr, t, &caps, p->method, &o, &r, err);
		*firmware = kesu_purge_firmware_json(&r);
	}
	w->ended_at = time(NULL);
	if (r.method[0]) {
		/* "purge" resolved to a concrete method: name that one. */
		const struct kesu_purge_method *pm = kesu_purge_method_find(r.method);
		const char *plus = strchr(w->method.name, '+');
		char name[128];
		snprintf(name, sizeof(name), "%s%s", r.method, plus ? plus : "");
		kesu_strlcpy(w->method.name, name, sizeof(w->method.name));
		w->method.description = pm->description;
		w->method.technique = pm->technique;
	}
	if (r.nist_category && !strcmp(r.nist_category, "clear"))
		w->method.category = KESU_NIST_CLEAR;
	const struct kesu_purge_verification *v = &r.verify;
	w->bytes_verified = v->bytes_verified;
	w->verify_planned = v->bytes_verified;
	w->mismatched_blocks = v->chunks_failed;
	w->verify_done = v->outcome && strcmp(v->outcome, "incomplete");
	w->verify_outcome = !v->outcome ? KESU_VERIFY_INCOMPLETE :
			    !strcmp(v->outcome, "passed") ? KESU_VERIFY_PASSED :
			    !strcmp(v->outcome, "failed") ? KESU_VERIFY_FAILED :
			    KESU_VERIFY_INCOMPLETE;
	if (r.result && !strcmp(r.result, "erased"))
		w->result = KESU_RESULT_ERASED;
	else if (r.result && !strcmp(r.result, "erased-with-exceptions") && r.started)
		w->result = KESU_RESULT_EXCEPTIONS;
	else
		w->result = KESU_RESULT_FAILED;
	kesu_strlcpy(w->reason, w->result == KESU_RESULT_ERASED ? "" :
			 (r.reason[0] ? r.reason : err->msg), sizeof(w->reason));
	kesu_purge_result_free(&r);
	return rc;
}
