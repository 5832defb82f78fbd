#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alerting.h"
#include "batch.h"
#include "err.h"
#include "log.h"
#include "xmem.h"

#define EXEC_TIMEOUT_MS 10000

extern char **environ;

struct alerting {
	struct alert *a;
	FILE *log;
	const char *exec;
	pid_t child;
	uint64_t child_started;
	uint64_t exec_skipped;
	uint64_t started;
	uint64_t sec;			/* input second the detector was last moved to */
};

struct alerting *alerting_open(const struct conf *c, char **cause)
{
	*cause = NULL;
	if (c->no_alerts)
		return NULL;
	struct alert_opts o;
	alert_opts_default(&o);
	if (c->alert_warmup)
		o.warmup = c->alert_warmup;
	struct alerting *al = xcalloc(1, sizeof *al);
	al->a = alert_new(&o);
	for (size_t i = 0; i < c->nalerts; i++) {
		char *why = NULL;
		if (alert_add_threshold(al->a, c->alerts[i], &why) < 0) {
			*cause = err_fmt("--alert '%s': %s", c->alerts[i], why);
			free(why);
			alerting_close(al);
			return NULL;
		}
	}
	if (c->alert_log && !(al->log = fopen(c->alert_log, "a"))) {
		*cause = err_fmt("--alert-log %s: %s", c->alert_log, strerror(errno));
		alerting_close(al);
		return NULL;
	}
	al->exec = c->alert_exec;
	return al;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The child still running past its time is killed; a finished one reaped. */
static void reap(struct alerting *al)
{
	if (!al->child)
		return;
	if (waitpid(al->child, NULL, WNOHANG) == al->child) {
		al->child = 0;
		return;
	}
	if (mono_ms() - al->child_started > EXEC_TIMEOUT_MS) {
		kill(al->child, SIGKILL);
		waitpid(al->child, NULL, 0);
		log_msg(LOG_WARN, "--alert-exec %s: killed after %d s", al->exec, EXEC_TIMEOUT_MS / 1000);
		al->child = 0;
	}
}

/* The program gets the event as arguments and NFTOP_ALERT_* variables; no shell. */
static void run_exec(struct alerting *al, const struct alert_event *e, const char *key, const char *json)
{
	reap(al);
	if (al->child) {
		al->exec_skipped++;
		return;
	}
	char obs[32], base[32], id[32];
	snprintf(obs, sizeof obs, "%.0f", e->observed);
	snprintf(base, sizeof base, "%.0f", e->baseline);
	snprintf(id, sizeof id, "%llu", (unsigned long long)e->id);
	const char *dim = e->dim < 0 ? "total" : dim_name((enum dim)e->dim);
	char *argv[] = { (char *)al->exec, e->end ? "end" : "start", (char *)alert_kind_name(e->kind),
			 (char *)dim, (char *)key, (char *)e->metric, obs, base, NULL };
	size_t n = 0;
	while (environ[n])
		n++;
	char **envp = xcalloc(n + 2, sizeof *envp);
	memcpy(envp, environ, n * sizeof *envp);
	char *jv = err_fmt("NFTOP_ALERT=%s", json);
	envp[n] = jv;
	pid_t pid = fork();
	if (pid == 0) {
		execve(al->exec, argv, envp);
		_exit(127);
	}
	free(jv);
	free(envp);
	if (pid < 0) {
		log_msg(LOG_WARN, "--alert-exec %s: fork: %s", al->exec, strerror(errno));
		return;
	}
	al->child = pid;
	al->child_started = mono_ms();
}

void alerting_close(struct alerting *al)
{
	if (!al)
		return;
	/* A program still running gets two seconds to finish its event. */
	for (int i = 0; al->child && i < 20; i++) {
		if (waitpid(al->child, NULL, WNOHANG) == al->child)
			al->child = 0;
		else
			usleep(100000);
	}
	if (al->child) {
		kill(al->child, SIGTERM);
		waitpid(al->child, NULL, 0);
	}
	if (al->log)
		fclose(al->log);
	alert_free(al->a);
	free(al);
}

void alerting_flow(struct alerting *al, const struct flow *f)
{
	if (!al)
		return;
	alerting_tick(al, f->recv_ms);
	alert_add(al->a, f);
}

void alerting_tick(struct alerting *al, uint64_t input_ms)
{
	/* Ticks are whole seconds: nothing to do until input time reaches the next. */
	if (!al || input_ms / 1000 <= al->sec)
		return;
	al->sec = input_ms / 1000;
	reap(al);
	alert_advance(al->a, input_ms);
	struct alert_event ev[32];
	size_t n;
	while ((n = alert_take(al->a, ev, 32)) > 0) {
		for (size_t i = 0; i < n && i < 32; i++) {
			char key[64], json[1024];
			alert_key_text(&ev[i], key, sizeof key);
			alert_json(&ev[i], key, json, sizeof json);
			if (!ev[i].end)
				al->started++;
			if (al->log) {
				fprintf(al->log, "%s\n", json);
				fflush(al->log);
			}
			if (al->exec)
				run_exec(al, &ev[i], key, json);
		}
		if (n < 32)
			break;
	}
}

void alerting_snap(const struct alerting *al, struct snap *sn)
{
	if (!al)
		return;
	sn->alerts_on = true;
	sn->alerts_started = al->started;
	sn->nactive = alert_active(al->a, sn->active, SNAP_ALERTS);
	if (sn->nactive > SNAP_ALERTS)
		sn->nactive = SNAP_ALERTS;
	sn->nhistory = alert_history(al->a, sn->history, SNAP_ALERTS);
	if (sn->nhistory > SNAP_ALERTS)
		sn->nhistory = SNAP_ALERTS;
}

uint64_t alerting_started(const struct alerting *al)
{
	return al ? al->started : 0;
}
