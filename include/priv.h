/* priv: giving up root once the listening sockets are bound. */
#ifndef NFTOP_PRIV_H
#define NFTOP_PRIV_H

/* Switches to user's uid, gid and groups; ERR_OK, or an error with *cause.
 * Refuses to go on as root: a drop that did not take is an error. */
int priv_drop(const char *user, char **cause);

#endif
