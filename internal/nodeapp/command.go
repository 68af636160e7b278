package nodeapp

import (
	_ "embed"
	"os"
	"strconv"
	"strings"

	"github.com/spark2/spark2/internal/contract"
)

// inspectPort is the port of slot 0's inspector with -D; slot N gets
// inspectPort+N, so workers never collide (a seed quirk).
const inspectPort = 9229

// bootstrap is the JavaScript each node worker runs, passed in
// SPARK2_BOOTSTRAP and run by loader.
//
//go:embed bootstrap.js
var bootstrap string

// loader is the short `node -e` program that runs the bootstrap: its source
// stays out of the command line, which ps, htop and `docker top` show. It
// takes SPARK2_BOOTSTRAP out of the environment first, so the app's children
// do not get it.
const loader = `const s=process.env.` + contract.Bootstrap + `;delete process.env.` + contract.Bootstrap + `;` +
	`if(typeof s!=='string')throw new Error('spark2 node worker: ` + contract.Bootstrap + ` is not set');eval(s)`

// Options describe the node workers of one spark2 run.
type Options struct {
	App     string   // absolute path of app.js / server.js
	Node    string   // the node binary; "" means "node" (looked up in PATH by spark2's launcher)
	Eval    string   // -e code run in each worker before the app; "" for none
	Include []string // -I dirs, prepended to NODE_PATH in this order; "" entries are skipped
	Debug   bool     // -D: node gets --inspect=127.0.0.1:<9229+slot>
	Comment string   // --comment: shown as the worker's process title; "" leaves node's
}

// Command returns the argv of the node worker for slot,
// `<node> [--inspect=127.0.0.1:<9229+slot>] -e <loader> <title>`, and the
// extra environment entries it needs, in this order: SPARK2_BOOTSTRAP (the
// bootstrap's source) and SPARK2_APP always;
// SPARK2_EVAL and SPARK2_COMMENT only when set; NODE_PATH only when
// o.Include has a directory, as the includes then the NODE_PATH of base (the
// environment the worker would otherwise get; its last NODE_PATH counts),
// joined with ":". Command does not touch base. The caller adds the rest of
// the worker contract (internal/contract: LISTEN_FDS, PORT,
// SPARK2_WORKER_ID, SPARK2_HOST, SPARK2_ENV, SPARK2_READY_FD,
// SPARK2_SSL_*_PEM): see the package doc.
func Command(o Options, slot int, base []string) (argv []string, env []string) {
	node := o.Node
	if node == "" {
		node = "node"
	}
	argv = []string{node}
	if o.Debug {
		argv = append(argv, "--inspect=127.0.0.1:"+strconv.Itoa(inspectPort+slot))
	}
	argv = append(argv, "-e", loader, Title(o, slot))

	env = []string{contract.Bootstrap + "=" + bootstrap, contract.App + "=" + o.App}
	if o.Eval != "" {
		env = append(env, contract.Eval+"="+o.Eval)
	}
	if o.Comment != "" {
		env = append(env, contract.Comment+"="+o.Comment)
	}
	if path := nodePath(o.Include, base); path != "" {
		env = append(env, contract.NodePath+"="+path)
	}
	return argv, env
}

// nodePath is include followed by base's NODE_PATH, or "" when include names
// no directory (the worker then keeps base's NODE_PATH as it is).
func nodePath(include []string, base []string) string {
	var dirs []string
	for _, dir := range include {
		if dir != "" {
			dirs = append(dirs, dir)
		}
	}
	if len(dirs) == 0 {
		return ""
	}
	for i := len(base) - 1; i >= 0; i-- {
		if existing, ok := strings.CutPrefix(base[i], contract.NodePath+"="); ok {
			if existing != "" {
				dirs = append(dirs, existing)
			}
			break
		}
	}
	return strings.Join(dirs, string(os.PathListSeparator))
}

// Title is the process title of the node worker for slot, which the
// bootstrap sets (ps, htop, `docker top`): "spark2 worker <slot>
// [<comment>]" with a --comment, else "node <app>". It is also the worker's
// last argument, so that node has the room to show it whole (a process title
// can be no longer than the command line it replaces).
func Title(o Options, slot int) string {
	if o.Comment != "" {
		return "spark2 worker " + strconv.Itoa(slot) + " [" + o.Comment + "]"
	}
	return "node " + o.App
}
