#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "priv.h"

int priv_drop(const char *user, char **cause)
{
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		*cause = err_fmt("--user %s: no such user%s%s", user, errno ? ": " : "", errno ? strerror(errno) : "");
		return ERR_ARG;
	}
	if (geteuid() != 0) {
		if (geteuid() == pw->pw_uid)
			return ERR_OK;
		*cause = err_fmt("--user %s: only root can switch users", user);
		return ERR_ARG;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		*cause = err_fmt("--user %s: cannot switch: %s", user, strerror(errno));
		return ERR_IO;
	}
	/* Make sure there is no way back. */
	if (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
		*cause = err_fmt("--user %s: root could be regained; refusing to run", user);
		return ERR_IO;
	}
	return ERR_OK;
}
