/* The safety gate: the one place that decides whether kesu may write to a
 * target.  It returns every reason it may not, so the operator sees the whole
 * picture at once.  The system-disk refusal has no override. */
#ifndef KESU_GATE_H
#define KESU_GATE_H

#include "wipe/device/device.h"
#include "lib/error.h"

#include <stdbool.h>
#include <stddef.h>

#define KESU_GATE_MAX_REASONS 16

#define KESU_GATE_MAX_ARGS 4
#define KESU_GATE_ARG_MAX 160

struct kesu_gate_reason {
	/* Stable code: system-disk mounted swap holder busy read-only
	 * partition not-block-device no-access attached no-medium */
	char code[24];
	/* The English line as a format with one %s per argument: a catalogue
	 * key (marked N_() in gate.c), so a person's language can say it. */
	const char *fmt;
	char args[KESU_GATE_MAX_ARGS][KESU_GATE_ARG_MAX];  /* cleaned; "" unused */
	char text[384];  /* fmt with args, in English: JSON and run records */
};

struct kesu_gate_verdict {
	bool allowed;
	size_t n_reasons;
	struct kesu_gate_reason reasons[KESU_GATE_MAX_REASONS];
};

/* Decide from collected facts alone (pure; what the tests exercise).  A
 * "busy" reason is given only when the exclusive open failed and no mount,
 * swap or holder already explains it. */
void kesu_gate_decide(const struct kesu_device_facts *f, const char *name,
		      struct kesu_gate_verdict *v);

/* Check the exclusive open now (O_RDONLY|O_EXCL on block devices, unless the
 * device was probed with KESU_PROBE_NO_MEDIA), then decide.  Returns an
 * error only when the check itself could not be made (KESU_ERR_PERM,
 * KESU_ERR_GONE); a refusal is v->allowed == false with KESU_OK. */
enum kesu_rc kesu_gate_check(struct kesu_device *dev, struct kesu_gate_verdict *v,
			     struct kesu_err *err);

/* Decide from the probed facts without the exclusive open: for `kesu
 * list`, which must not briefly claim devices other programs may be about to
 * open exclusively.  Busy devices are not detected. */
void kesu_gate_check_passive(const struct kesu_device *dev,
			     struct kesu_gate_verdict *v);

/* For a refused target: fill err with KESU_ERR_REFUSED and one line, the
 * first reason's text plus how many more there are and where to see them
 * ("kesu info PATH"), in English and in the operator's language, and
 * return KESU_ERR_REFUSED.  KESU_OK if allowed. */
enum kesu_rc kesu_gate_refusal(const struct kesu_gate_verdict *v, const char *path,
			       struct kesu_err *err);

/* r's line in the operator's language: fmt through the catalogue, with the
 * same arguments (the English text when there is no translation). */
const char *kesu_gate_reason_text(const struct kesu_gate_reason *r, char *buf, size_t size);

/* [{"code": ..., "text": ...}, ...], the English text whatever the locale. */
json_t *kesu_gate_reasons_json(const struct kesu_gate_verdict *v);

#endif
