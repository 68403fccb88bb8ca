/* Messages for people go through gettext in the "kesu" text domain;
 * everything written to files, JSON and the register stays in English
 * (docs/ARCHITECTURE.md, "Languages").
 *
 * dgettext, not gettext: library code and the unit tests translate without
 * depending on main() having made "kesu" the default domain. */
#ifndef KESU_I18N_H
#define KESU_I18N_H

#include <libintl.h>

#define KESU_TEXTDOMAIN "kesu"

/* "" is the catalogue's header entry, never a message: it stays "". */
static inline const char *kesu_gettext(const char *s)
{
	return s[0] ? dgettext(KESU_TEXTDOMAIN, s) : s;
}

#define _(s) kesu_gettext(s)
/* Marks a string for the catalogue where it is defined (a table); it is
 * translated where it is printed, with _(). */
#define N_(s) (s)
#define P_(singular, plural, n) dngettext(KESU_TEXTDOMAIN, singular, plural, n)

#endif
