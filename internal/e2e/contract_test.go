package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spark2/spark2/internal/contract"
	"github.com/spark2/spark2/internal/readmetest"
)

// contractVar is a variable in README's worker contract; contractValue its
// "NAME=value" promises (LISTEN_FDS=1, LISTEN_PID=<its own pid>).
var (
	contractVar   = regexp.MustCompile(`\b(?:SPARK2_[A-Z_]+|LISTEN_[A-Z]+|WATCHDOG_[A-Z]+|PORT|NODE_ENV|NODE_PATH|NOTIFY_SOCKET)\b`)
	contractValue = regexp.MustCompile("`((?:SPARK2|LISTEN|WATCHDOG)_[A-Z_]+)=([^`]+)`")
	contractFds   = regexp.MustCompile("exactly fds ([0-9, and]+) \\(([0-9, ]+) with `--no-listen`; one more with\\s+`--ready fd`\\)")
)

// readmeContract parses the list under "Each worker gets:" in README's
// worker contract: the variables it names, the values it promises, and the
// fds of a default worker and of one under --no-listen.
func readmeContract(t *testing.T) (vars []string, values map[string]string, fds, noListenFds string) {
	t.Helper()
	sec := readmetest.Section(t, "The worker contract")
	_, list, ok := strings.Cut(sec, "Each worker gets:\n")
	if !ok {
		t.Fatal(`README's worker contract has no "Each worker gets:" list`)
	}
	list, _, _ = strings.Cut(strings.TrimLeft(list, "\n"), "\n\n")
	for _, v := range contractVar.FindAllString(list, -1) {
		if !slices.Contains(vars, v) {
			vars = append(vars, v)
		}
	}
	values = map[string]string{}
	for _, m := range contractValue.FindAllStringSubmatch(list, -1) {
		values[m[1]] = m[2]
	}
	m := contractFds.FindStringSubmatch(strings.Join(strings.Fields(list), " "))
	if m == nil {
		t.Fatalf("README's worker contract: no sentence %q", contractFds)
	}
	numbers := func(s string) string { return strings.Join(regexp.MustCompile(`\d+`).FindAllString(s, -1), ",") }
	return vars, values, numbers(m[1]), numbers(m[2])
}

// workerEnv reads the environment a process was started with.
func workerEnv(t *testing.T, pid string) map[string]string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + pid + "/environ")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, kv := range strings.Split(string(b), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// contractCase is one run of spark2 and what its worker's environment must
// hold: the README variables it gets (and so, every other README variable it
// must not get), besides what spark2 itself was started with.
type contractCase struct {
	name string
	args []string
	gets []string // README's variables this worker gets
	set  []string // --set variables
}

// TestReadmeWorkerContractIsTheBinarys (issue 13 item 3's test): the
// variables README's worker contract lists (parsed here) are exactly those a
// worker gets from spark2, in each case that gives them: a worker's
// environment holds every README variable the case gives, none it does not,
// and no variable that neither README lists nor spark2 was started with nor
// --set adds. The values README promises (LISTEN_FDS=1, LISTEN_PID=<its own
// pid>, ...) are the values, and the fds are README's.
func TestReadmeWorkerContractIsTheBinarys(t *testing.T) {
	vars, values, fds, noListenFds := readmeContract(t)
	key, crt := testCert(t)
	base := []string{"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "PORT", "NOTIFY_SOCKET", "SPARK2_WORKER_ID", "SPARK2_ENV", "NODE_ENV"}
	tls := []string{"SPARK2_SSL_KEY", "SPARK2_SSL_CRT", "SPARK2_SSL_KEY_PEM", "SPARK2_SSL_CRT_PEM"}
	node := []string{"SPARK2_APP", "SPARK2_BOOTSTRAP"}
	include := t.TempDir()
	cases := []contractCase{
		{name: "default", args: helper("describe"), gets: base},
		{name: "--set", args: append([]string{"--set", "GREETING=hi", "--set", "FOO=bar"}, helper("describe")...), gets: base, set: []string{"GREETING", "FOO"}},
		{name: "--host", args: append([]string{"-H", "127.0.0.1"}, helper("describe")...), gets: append(base, "SPARK2_HOST")},
		{name: "--ready fd", args: append([]string{"--ready", "fd"}, helper("describe")...), gets: append(base, "SPARK2_READY_FD")},
		{name: "--watchdog", args: append([]string{"--watchdog", "1h"}, helper("describe")...), gets: append(base, "WATCHDOG_USEC", "WATCHDOG_PID")},
		{name: "--no-listen", args: append([]string{"--no-listen"}, helper("describe")...), gets: []string{"NOTIFY_SOCKET", "SPARK2_WORKER_ID", "SPARK2_ENV", "NODE_ENV"}},
		{name: "TLS", args: append([]string{"--ssl-key", key, "--ssl-crt", crt}, helper("describe")...), gets: append(base, tls...)},
		{name: "node app", args: []string{"-C", appDir(t, helloApp)}, gets: append(append(base, node...), "SPARK2_READY_FD")},
		{name: "node app, -e, --comment, -I", args: []string{"-C", appDir(t, helloApp), "-e", "1", "--comment", "shop", "-I", include},
			gets: append(append(base, node...), "SPARK2_READY_FD", "SPARK2_EVAL", "SPARK2_COMMENT", "NODE_PATH")},
	}
	given := map[string]bool{}
	for _, c := range cases {
		for _, v := range c.gets {
			given[v] = true
		}
	}
	for _, v := range vars {
		if !given[v] {
			t.Errorf("README's worker contract names %s; no case here gives it: teach this test when a worker gets it", v)
		}
	}
	inherited := map[string]bool{}
	for _, kv := range append(cleanEnv(), "PORT=0") {
		k, _, _ := strings.Cut(kv, "=")
		inherited[k] = true
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := run(t, plain, nil, append([]string{"-n", "2"}, c.args...)...)
			slots := map[string]bool{}
			for i := 0; i < 2; i++ {
				var pid string
				if strings.HasPrefix(c.name, "node app") {
					pid = banner.FindStringSubmatch(m.line("Spark2 server("))[1]
				} else {
					f := fields(m.line("describe "))
					pid = f["pid"]
					want := fds
					switch c.name {
					case "--no-listen":
						want = noListenFds
					case "--ready fd":
						want += "," + strconv.Itoa(len(strings.Split(fds, ",")))
					}
					if f["fds"] != want {
						t.Errorf("worker fds %s, want README's %s", f["fds"], want)
					}
				}
				env := workerEnv(t, pid)
				slots[env["SPARK2_WORKER_ID"]] = true
				checkContractEnv(t, env, c, vars, values, inherited, pid)
			}
			if !slots["0"] || !slots["1"] {
				t.Errorf("SPARK2_WORKER_ID of the two workers: %v, want 0 and 1", slots)
			}
		})
	}
}

// checkContractEnv checks one worker's environment against README's
// variables and values for case c.
func checkContractEnv(t *testing.T, env map[string]string, c contractCase, vars []string, values map[string]string, inherited map[string]bool, pid string) {
	t.Helper()
	for _, v := range vars {
		_, got := env[v]
		if want := slices.Contains(c.gets, v); got != want && !(got && inherited[v]) {
			t.Errorf("worker %s: has %s: %v, want %v", pid, v, got, want)
		}
	}
	if slices.Contains(c.gets, "PORT") && env["PORT"] == "0" {
		t.Errorf("worker %s: PORT=0 (spark2's own), want the port spark2 bound", pid)
	}
	for k := range env {
		if !slices.Contains(vars, k) && !slices.Contains(c.set, k) && !inherited[k] {
			t.Errorf("worker %s has %s, which README's worker contract does not list", pid, k)
		}
	}
	for k, want := range values {
		switch {
		case want == "<its own pid>":
			want = pid
		case strings.HasPrefix(want, "<"): // a message's placeholder (WATCHDOG_USEC=<µs>), no promise
			continue
		}
		if got, ok := env[k]; ok && got != want {
			t.Errorf("worker %s: %s=%s, README says %s", pid, k, got, want)
		}
	}
	if filepath.IsAbs(env["NODE_PATH"]) && !strings.HasPrefix(env["NODE_PATH"], c.args[len(c.args)-1]) {
		t.Errorf("worker %s: NODE_PATH=%s does not start with the -I directory", pid, env["NODE_PATH"])
	}
}

// TestSetRefusesTheContractsVariables (issue 13 item 3): `--set NAME=x` of
// a variable that spark2 sets for its workers itself exits 2 with one line
// that names it, and starts no worker: SPARK2_HOST, SPARK2_SSL_KEY and
// SPARK2_APP (which the list once missed) and every other reserved name of
// internal/contract. NODE_PATH, which spark2 only adds to, may be given and
// reaches the worker.
func TestSetRefusesTheContractsVariables(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "worker-ran")
	worker := []string{"/bin/sh", "-c", "touch " + marker}
	names := []string{contract.Host, contract.SSLKey, contract.App}
	for name := range contract.Reserved {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	for _, name := range names {
		code, out, errs := cli(t, t.TempDir(), nil, append([]string{"--set", name + "=x"}, worker...)...)
		if code != 2 || out != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, name+" is reserved") {
			t.Errorf("--set %s=x: exit %d, stdout %q, stderr %q; want 2 and one line saying %s is reserved", name, code, out, errs, name)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a worker was started")
	}
	m := run(t, plain, nil, append([]string{"--set", "NODE_PATH=/srv/lib"}, helper("describe")...)...)
	pid := fields(m.line("describe "))["pid"]
	if got := workerEnv(t, pid)["NODE_PATH"]; got != "/srv/lib" {
		t.Errorf("--set NODE_PATH=/srv/lib: the worker has NODE_PATH=%q", got)
	}
}
