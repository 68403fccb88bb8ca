/* Code only some commands need, kept in shared objects kesu loads when it
 * first needs them: the printed documents (Cairo, Pango, libqrencode,
 * libjpeg, libpng: kesu-print.so), the PostgreSQL register (libpq:
 * kesu-pg.so) and the timestamp authority's HTTP (libcurl: kesu-http.so).
 * Linking them into kesu made every command, a wipe too, load 74 shared
 * libraries at start-up (about 10 ms of CPU) for code most runs never
 * call; without them it loads 10.
 *
 * kesu runs as root, so a plugin is code run as root: it is taken only
 * from plugins/ beside the executable (a build tree, like its locale/) or
 * from KESU_PLUGINDIR, never from the environment, and only when the file
 * and its directory are owned by root or by kesu's own user and writable
 * by no one else. */
#ifndef KESU_PLUGIN_H
#define KESU_PLUGIN_H

#include "lib/error.h"

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Why a file (dir false) or its directory (dir true) with this status may
 * not be loaded by a process whose effective user is euid; NULL when it
 * may. */
const char *kesu_plugin_judge(const struct stat *st, bool dir, uid_t euid);

/* The file of plugin name (kesu-NAME.so) in the directory exe_dir/plugins
 * when beside_exists, else in plugindir. */
enum kesu_rc kesu_plugin_path(const char *exe_dir, bool beside_exists,
			      const char *plugindir, const char *name,
			      char *out, size_t size, struct kesu_err *err);

/* Load the shared object at path (after kesu_plugin_judge on it and its
 * directory) and put its symbol sym in *fn.  It stays loaded.
 * KESU_ERR_NOENT: no such file; KESU_ERR_PERM: refused by the judge;
 * KESU_ERR_INTERNAL: dlopen or dlsym failed. */
enum kesu_rc kesu_plugin_file_sym(const char *path, const char *sym, void **fn,
				  struct kesu_err *err);

/* The same for plugin name, found by kesu_plugin_path from the running
 * executable's directory and KESU_PLUGINDIR. */
enum kesu_rc kesu_plugin_sym(const char *name, const char *sym, void **fn,
			     struct kesu_err *err);

#endif
