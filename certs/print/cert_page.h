/* The printed certificate as a document model (pure): which sections,
 * labels, values, banners, seal boxes and QR payload a signed certificate
 * yields.  Layouts are a table per certificate kind; kinds without one
 * are refused rather than printed half. */
#ifndef KESU_PRINT_CERT_PAGE_H
#define KESU_PRINT_CERT_PAGE_H

#include "certs/print/doc.h"
#include "certs/print/signers.h"
#include "lib/error.h"

#include <jansson.h>

/* What became of one evidence file of a destruction document when it was
 * printed (cert_pdf.c fills one per evidence entry, in order). */
enum kesu_photo_state {
	KESU_PHOTO_NOT_IMAGE, /* not a JPEG or PNG (a vendor's PDF): listed only */
	KESU_PHOTO_SHOWN,     /* img holds its thumbnail */
	KESU_PHOTO_MISSING,   /* no such file beside the document */
	KESU_PHOTO_MISMATCH,  /* its SHA-256 is not the document's: never drawn */
	KESU_PHOTO_UNUSABLE,  /* an image over a limit or damaged (why) */
};

/* Why an evidence photo could not be drawn, in words the page has in
 * each of its languages. */
enum kesu_photo_cause {
	KESU_PHOTO_CAUSE_UNREADABLE,  /* the file could not be read */
	KESU_PHOTO_CAUSE_TOO_LARGE,   /* over kesu's size or pixel limits */
	KESU_PHOTO_CAUSE_DAMAGED,     /* its image data does not decode */
	KESU_PHOTO_CAUSE_FORMAT,      /* not a JPEG or PNG */
	KESU_PHOTO_CAUSE_MEMORY,      /* out of memory */
};

/* The cause behind a failed read (kesu_read_file) or decode
 * (kesu_image_thumb) of a photo. */
enum kesu_photo_cause kesu_photo_cause_of(const struct kesu_err *e);

struct kesu_print_photo {
	enum kesu_photo_state state;
	enum kesu_photo_cause cause;  /* KESU_PHOTO_UNUSABLE: why */
	struct kesu_image img;
	char why[512];                /* KESU_PHOTO_UNUSABLE: the English detail */
};

struct kesu_cert_page_in {
	const json_t *cert;               /* strictly parsed (kesu_cert_parse) */
	const char *file_name;            /* the certificate's base name */
	const char *sha256;               /* hex SHA-256 of the file's bytes */
	const struct kesu_print_sig *sig; /* signers and how they were checked */
	enum kesu_lang lang;
	const char *printed_at;           /* RFC 3339, shown in the footer */
	const struct kesu_print_photo *photos; /* destruction: one per evidence */
	size_t n_photos;
	const struct kesu_print_cosigners *cosigners;  /* NULL: none looked for */
	const struct kesu_print_approval *approval;    /* NULL: not looked for */
	/* An erasure certificate's run record, read from beside it only when
	 * its SHA-256 is the one the certificate gives
	 * (kesu_cert_run_record_beside): its per-pass speeds are printed,
	 * marked as not signed.  run_mismatch: a file is there but it is not
	 * that record, or not readable. */
	const json_t *run;
	bool run_mismatch;
};

/* The QR code's text: "kesu-certificate id=<id> sha256=<hex>". */
#define KESU_QR_PREFIX "kesu-certificate"

/* Build the page.  A certificate that contradicts itself (the consistency
 * verdict of kesu_cert_judge) is refused with KESU_ERR_INVALID: paper must
 * not make it look settled.  A kind without a layout is KESU_ERR_NOTSUP. */
enum kesu_rc kesu_cert_page_build(const struct kesu_cert_page_in *in,
				  struct kesu_doc **out, struct kesu_err *err);

#endif
