/* Durable file writes for records that must survive a crash: run records,
 * checkpoints, certificates and register heads are never left half-written. */
#ifndef KESU_FILEIO_H
#define KESU_FILEIO_H

#include "lib/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Write data to path atomically: a temporary file in the same directory,
 * fsync, rename over path, fsync the directory.  The file gets `mode`. */
enum kesu_rc kesu_write_atomic(const char *path, const void *data, size_t len,
			       mode_t mode, struct kesu_err *err);

/* fsync the directory that contains path (or path itself if a directory). */
enum kesu_rc kesu_fsync_parent(const char *path, struct kesu_err *err);

/* Read a whole file of at most max bytes into a NUL-terminated buffer the
 * caller frees.  A larger file is an error, so hostile input stays bounded. */
enum kesu_rc kesu_read_file(const char *path, size_t max, char **out,
			    size_t *len, struct kesu_err *err);

/* mkdir -p with the given mode for directories it creates. */
enum kesu_rc kesu_mkdir_p(const char *dir, mode_t mode, struct kesu_err *err);

/* Directory part of path ("." if none); false if it does not fit. */
bool kesu_path_dirname(const char *path, char *dir, size_t dirsz);

/* The running executable's directory in exe_dir ("" if unknown), and
 * whether it holds a directory called name: a build tree's locale/ and
 * plugins/ are found beside build/kesu before the installed ones. */
bool kesu_exe_dir_has(const char *name, char *exe_dir, size_t size);

#endif
