#include "lib/plugin.h"
#include "lib/fileio.h"
#include "lib/i18n.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef KESU_PLUGINDIR
#define KESU_PLUGINDIR "/usr/local/lib/kesu"
#endif

const char *kesu_plugin_judge(const struct stat *st, bool dir, uid_t euid)
{
	if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
		return dir ? N_("not a directory") : N_("not a regular file");
	/* Whoever owns it or may write to it decides what runs as root. */
	if (st->st_uid != 0 && st->st_uid != euid)
		return N_("owned by another user");
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return N_("writable by group or others");
	return NULL;
}

enum kesu_rc kesu_plugin_path(const char *exe_dir, bool beside_exists,
			      const char *plugindir, const char *name,
			      char *out, size_t size, struct kesu_err *err)
{
	int n = beside_exists
		? snprintf(out, size, "%s/plugins/kesu-%s.so", exe_dir, name)
		: snprintf(out, size, "%s/kesu-%s.so", plugindir, name);
	if (n < 0 || (size_t)n >= size)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "the path of plugin %s is too long",
				 name);
	return KESU_OK;
}

static enum kesu_rc check_one(const char *path, bool dir, struct kesu_err *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return kesu_fail(err, errno == ENOENT ? KESU_ERR_NOENT : KESU_ERR_IO, errno,
				 "cannot load %s: %s (see kesu(8), FILES)", path,
				 strerror(errno));
	const char *why = kesu_plugin_judge(&st, dir, geteuid());
	if (why) {
		kesu_fail(err, KESU_ERR_PERM, 0, "refusing to load %s: %s", path, why);
		/* The reason in the operator's language too. */
		kesu_err_localize(err, _("refusing to load %s: %s"), path, _(why));
		return KESU_ERR_PERM;
	}
	return KESU_OK;
}

enum kesu_rc kesu_plugin_file_sym(const char *path, const char *sym, void **fn,
				  struct kesu_err *err)
{
	*fn = NULL;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "plugin path %s is not absolute",
				 path);
	*slash = '\0';
	enum kesu_rc rc = check_one(dir, true, err);
	if (rc == KESU_OK)
		rc = check_one(path, false, err);
	if (rc != KESU_OK)
		return rc;
	/* Loaded once per process: dlopen counts references and returns the
	 * same handle again; the plugin is never unloaded. */
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	*fn = h ? dlsym(h, sym) : NULL;
	if (!*fn) {
		const char *why = dlerror();
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "cannot load %s: %s", path,
				 why ? why : "no such symbol");
	}
	return KESU_OK;
}

enum kesu_rc kesu_plugin_sym(const char *name, const char *sym, void **fn,
			     struct kesu_err *err)
{
	*fn = NULL;
	char exe[PATH_MAX], path[PATH_MAX + 64];
	bool have = kesu_exe_dir_has("plugins", exe, sizeof(exe));
	enum kesu_rc rc = kesu_plugin_path(exe, have, KESU_PLUGINDIR, name, path,
					   sizeof(path), err);
	return rc != KESU_OK ? rc : kesu_plugin_file_sym(path, sym, fn, err);
}
