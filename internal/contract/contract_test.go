package contract

import (
	"go/constant"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spark2/spark2/internal/readmetest"
)

// fileVars returns the values of the constants of contract.go's block
// whose doc comment names README's worker contract: the variables.
func fileVars(t *testing.T) []string {
	t.Helper()
	var vars []string
	for _, v := range readmetest.ConstBlock(t, "contract.go", "The worker contract") {
		vars = append(vars, constant.StringVal(v))
	}
	return vars
}

// readmeList is the list under "Each worker gets:" in README's worker
// contract, its lines joined by spaces.
func readmeList(t *testing.T) string {
	t.Helper()
	_, list, ok := strings.Cut(readmetest.Section(t, "The worker contract"), "Each worker gets:\n")
	if !ok {
		t.Fatal(`README's worker contract has no "Each worker gets:" list`)
	}
	list, _, _ = strings.Cut(strings.TrimLeft(list, "\n"), "\n\n")
	return strings.Join(strings.Fields(list), " ")
}

// named is a name in code quotes, alone or as NAME=value: `PORT`,
// `LISTEN_FDS=1`.
var named = regexp.MustCompile("`([A-Z][A-Z0-9_]*)(?:=([^`]*))?`")

// messages are what a worker sends on NOTIFY_SOCKET: they look like
// variables in README but are not.
var messages = []string{"READY=1", "WATCHDOG=1", "EXTEND_TIMEOUT_USEC=<µs>", "WATCHDOG_USEC=<µs>"}

// TestReadmeContractIsThisFile (issue 13 item 3): the variables README's
// worker contract lists are exactly this file's, and the values it
// promises are this file's.
func TestReadmeContractIsThisFile(t *testing.T) {
	vars := fileVars(t)
	list := readmeList(t)
	var readme []string
	for _, m := range named.FindAllStringSubmatch(list, -1) {
		if slices.Contains(messages, strings.Trim(m[0], "`")) {
			continue
		}
		if !slices.Contains(readme, m[1]) {
			readme = append(readme, m[1])
		}
		if !slices.Contains(vars, m[1]) {
			t.Errorf("README's worker contract names %s, which internal/contract does not", m[1])
		}
	}
	for _, v := range vars {
		if !slices.Contains(readme, v) {
			t.Errorf("internal/contract names %s, which README's worker contract does not list", v)
		}
	}
	for _, want := range []string{"`" + ListenFDs + "=1`", "`" + ListenFDNames + "=" + ListenFDName + "`",
		"`" + ListenPID + "=<its own pid>`", "`" + WatchdogPID + "=<its own pid>`"} {
		if !strings.Contains(list, want) {
			t.Errorf("README's worker contract does not say %s", want)
		}
	}
}

// TestReadmeFdsAreThisFiles: README's worker gets the socket as fd
// ListenFD, its fds are exactly 0, 1, 2 and ListenFD, and the ready fd is
// the next one (ListenFD without the socket).
func TestReadmeFdsAreThisFiles(t *testing.T) {
	list := readmeList(t)
	fd := strconv.Itoa(ListenFD)
	ready := strconv.Itoa(ListenFD + 1)
	for _, want := range []string{
		"the listening socket as **fd " + fd + "**",
		"exactly fds 0, 1, 2 and " + fd + " (0, 1, 2 with `--no-listen`; one more with `--ready fd`)",
		"`" + ReadyFD + "` (fd " + ready + ", or " + fd + " with `--no-listen`",
	} {
		if !strings.Contains(list, want) {
			t.Errorf("README's worker contract does not say %q", want)
		}
	}
}

// TestReadmeSetRuleIsReserved: README says which variables --set may give
// (those of the contract that Reserved leaves out), and Reserved has a
// reason for every other variable of the contract, and nothing else.
func TestReadmeSetRuleIsReserved(t *testing.T) {
	vars := fileVars(t)
	var free []string
	for _, v := range vars {
		if why, ok := Reserved[v]; !ok {
			free = append(free, v)
		} else if !strings.HasPrefix(why, "spark2 sets it ") {
			t.Errorf("Reserved[%s] = %q: say how spark2 sets it (\"spark2 sets it ...\")", v, why)
		}
	}
	for name := range Reserved {
		if !slices.Contains(vars, name) {
			t.Errorf("Reserved has %s, which is not a variable of the contract", name)
		}
	}
	if !slices.Equal(free, []string{NodePath}) {
		t.Errorf("--set may give %v; README says NODE_PATH alone", free)
	}
	sec := strings.Join(strings.Fields(readmetest.Section(t, "The worker contract")), " ")
	if want := "`--set` may give none of the variables above but `" + NodePath + "`"; !strings.Contains(sec, want) {
		t.Errorf("README's worker contract does not say %q", want)
	}
}

// TestTheLaunchersListsAreContractVariables: NotInherited and OwnPIDPairs
// name variables of the contract, and NotInherited is what README says is
// not passed on.
func TestTheLaunchersListsAreContractVariables(t *testing.T) {
	vars := fileVars(t)
	for _, v := range NotInherited {
		if !slices.Contains(vars, v) {
			t.Errorf("NotInherited has %s, which is not a variable of the contract", v)
		}
	}
	for _, p := range OwnPIDPairs {
		for _, v := range p {
			if !slices.Contains(vars, v) {
				t.Errorf("OwnPIDPairs has %s, which is not a variable of the contract", v)
			}
		}
	}
	sec := strings.Join(strings.Fields(readmetest.Section(t, "The worker contract")), " ")
	var said []string
	_, after, _ := strings.Cut(sec, "spark2's own env vars (")
	before, _, _ := strings.Cut(after, ")")
	for _, m := range regexp.MustCompile("`([A-Z_]+)\\*?`").FindAllStringSubmatch(before, -1) {
		said = append(said, m[1])
	}
	for _, v := range NotInherited {
		if !slices.ContainsFunc(said, func(s string) bool { return v == s || strings.HasSuffix(s, "_") && strings.HasPrefix(v, s) }) {
			t.Errorf("README does not say that %s from whatever started spark2 is not passed on (it says %v)", v, said)
		}
	}
}
